"""API tokens: make one (shown once), and find the user behind a presented token."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.utils import timezone

from . import audit
from .models import ApiToken


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def token_create(*, actor: Any, user: Any, name: str = "") -> str:
    """Make a token for ``user`` and return it; only its hash is kept."""
    key = "dt_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, key_hash=_hash(key))
    audit.record(actor=actor, action="token.create", target=token, note=name)
    return key


def user_for_token(key: str) -> Any | None:
    token = ApiToken.objects.select_related("user").filter(key_hash=_hash(key)).first()
    if token is None or not token.user.is_active:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user
