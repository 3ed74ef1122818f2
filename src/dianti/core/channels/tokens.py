"""Access tokens of the IM providers (WeChat, DingTalk, 企业微信): fetched from the app's id and secret, shared by
every worker through the cache until shortly before they expire, and stored encrypted (:mod:`dianti.core.crypto`)
— the cache may be a database table, and a token is a credential."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.core.cache import cache

from .. import crypto

MARGIN_SECONDS = 300  # refresh this long before the provider's expiry


def _key(channel: str, app: str) -> str:
    return f"notify:token:{channel}:{hashlib.sha256(app.encode()).hexdigest()[:16]}"


def access_token(channel: str, app: str, fetch: Callable[[], tuple[str, int]]) -> str:
    """Return the cached token of ``app`` on ``channel``, or ``fetch()`` one (token, expires_in seconds)."""
    stored = cache.get(_key(channel, app))
    if stored:
        try:
            return crypto.decrypt(stored)
        except Exception:  # noqa: BLE001 — a key rotated since: fetch a new token
            pass
    token, expires_in = fetch()
    cache.set(_key(channel, app), crypto.encrypt(token), timeout=max(60, expires_in - MARGIN_SECONDS))
    return token


def forget(channel: str, app: str) -> None:
    """Drop the cached token (the provider said it is invalid or expired)."""
    cache.delete(_key(channel, app))
