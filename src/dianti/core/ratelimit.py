"""A fixed-window rate limiter on Django's cache, shared by every worker.

The counters live in the ``default`` cache, which settings point at the database (a cache table that ``migrate``
creates) or, when ``DIANTI_REDIS_URL`` is set, at Redis: either way all web workers and machines count together, so
a limit is the limit and not the limit times the workers. (Process memory would let each worker count alone.)

Keys are keyed hashes (:func:`digest`) of an address or a device id, never the address itself. Pages count per
address (see :func:`dianti.core.http.client_address` for which address is believed) *and* per device, so clearing
cookies gives a script a new device but not a new address.

Loading data (``dianti demo``) writes through the same public services but is no visitor: it runs inside
:func:`suspended`, which neither counts nor refuses. Only code enters it — no setting, header or parameter does.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# A context variable, not a global: a suspension covers the block that entered it and nothing else — not another
# thread, not a request served beside it.
_suspended: ContextVar[bool] = ContextVar("dianti_ratelimit_suspended", default=False)


@contextmanager
def suspended() -> Iterator[None]:
    """Within the block, count no hit and refuse nothing: for loading data through the public services
    (:func:`dianti.core.demo.load_all`), never for anything a request reaches."""
    token = _suspended.set(True)
    try:
        yield
    finally:
        _suspended.reset(token)


def _cache() -> BaseCache:
    return caches[getattr(settings, "DIANTI_RATELIMIT_CACHE", "default")]


def digest(value: str) -> str:
    """Return a keyed hash of an address or device id: stable for counting, useless for identifying."""
    return hashlib.sha256(f"{settings.SECRET_KEY}:{value}".encode()).hexdigest()


def allow(scope: str, key: str, limit: int, window_seconds: int, *, cache: BaseCache | None = None) -> bool:
    """Count one hit for ``key``; return False once it exceeds ``limit`` hits within the window (always True, and
    nothing counted, inside :func:`suspended`)."""
    if _suspended.get():
        return True
    store = cache or _cache()
    cache_key = f"rl:{scope}:{key}"
    if store.add(cache_key, 1, timeout=window_seconds):
        return True
    try:
        count = store.incr(cache_key)
    except ValueError:  # expired between add and incr
        store.add(cache_key, 1, timeout=window_seconds)
        return True
    return count <= limit


class RateLimited(ValidationError):
    """Too many submissions from one address or device; public pages answer 429 with the message."""


def ensure_within(action: str, limits: Iterable[tuple[int, int]], *, ip_hash: str, device_hash: str) -> None:
    """Count one public submission of ``action`` against every ``(limit, window seconds)``, per address and per
    device; raise :class:`RateLimited` once either is over."""
    for limit, window in limits:
        for scope, key in (("ip", ip_hash), ("dev", device_hash)):
            if key and not allow(f"{action}:{scope}:{window}", key, limit, window):
                raise RateLimited(_("提交太频繁了，请稍后再试"))


def exceeded(scope: str, key: str, limit: int, *, cache: BaseCache | None = None) -> bool:
    """Return whether ``key`` has used up its ``limit`` hits in the current window, without counting a hit: for
    limits that count only failures (see :func:`allow`). Inside :func:`suspended` nothing is used up."""
    if _suspended.get():
        return False
    return int((cache or _cache()).get(f"rl:{scope}:{key}") or 0) >= limit
