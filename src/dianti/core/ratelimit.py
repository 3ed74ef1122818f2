"""A fixed-window rate limiter on the configured cache (Redis in production, process memory otherwise)."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache


def digest(value: str) -> str:
    """Return a keyed hash of an address or device id: stable for counting, useless for identifying."""
    return hashlib.sha256(f"{settings.SECRET_KEY}:{value}".encode()).hexdigest()


def allow(scope: str, key: str, limit: int, window_seconds: int) -> bool:
    """Count one hit for ``key``; return False once it exceeds ``limit`` hits within the window."""
    cache_key = f"rl:{scope}:{key}"
    if cache.add(cache_key, 1, timeout=window_seconds):
        return True
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=window_seconds)
        return True
    return count <= limit


def exceeded(scope: str, key: str, limit: int) -> bool:
    """Return whether ``key`` has used up its ``limit`` hits in the current window, without counting a hit: for
    limits that count only failures (see :func:`allow`)."""
    return int(cache.get(f"rl:{scope}:{key}") or 0) >= limit
