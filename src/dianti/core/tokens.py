"""Personal API tokens: made by a staff member on their account page (shown once), revoked there, and checked for
every API call that presents one.

The rules a token is held to are the session's: the token speaks for its user with the user's roles *of the
moment* (each operation then passes core/reads.py and the services' core/rules.py, so a role taken away is a power
taken away from every token at once); an inactive user's tokens answer nothing; and a user who owes the one-time
code at sign-in (``accounts.needs_second_factor``: a confirmed authenticator, or a county admin, approver or
superuser when ``DIANTI_REQUIRE_2FA`` is on) is refused with any token that was not made in a session that passed
the code. Tokens expire (at most :data:`MAX_DAYS` days); only the SHA-256 of a token is stored, so a copy of the
database gives no usable token. Making and revoking are recorded in the audit log.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from . import audit
from .models import ApiToken

#: How long a token may live, in days (the page offers these).
LIFETIMES = (30, 90, 180, 365)
DEFAULT_DAYS = 90
MAX_DAYS = max(LIFETIMES)
#: Live tokens one person may hold at once.
MAX_LIVE = 10
#: ``last_used_at`` is written at most this often, so a busy script does not write on every call.
TOUCH_SECONDS = 60
PREFIX = "dt_"


class TokenRefused(Exception):
    """A presented token speaks for no one: the reason, in the user's language, for the 401."""


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _home(user: Any) -> str:
    from .accounts import home_path

    return home_path(user)


def may_hold_tokens(user: Any) -> bool:
    """Return whether ``user`` may make API tokens: an active superuser or holder of any role (a script reads what
    its person's roles read; someone with no role has nothing to read)."""
    from .scope import scope_for

    return bool(user.is_active and (user.is_superuser or scope_for(user).roles))


def live_tokens(user: Any) -> QuerySet[ApiToken]:
    """Return the user's tokens that still work (not revoked, not expired), newest first."""
    now = timezone.now()
    return (ApiToken.objects.filter(user=user, revoked_at__isnull=True)
            .exclude(expires_at__lte=now).order_by("-created_at", "-id"))


def tokens_of(user: Any) -> QuerySet[ApiToken]:
    """Return every token the user has made, revoked and expired ones included, newest first."""
    return ApiToken.objects.filter(user=user).select_related("revoked_by").order_by("-created_at", "-id")


@transaction.atomic
def token_create(*, actor: Any, user: Any, name: str = "", days: int = DEFAULT_DAYS,
                 second_factor: bool = False) -> str:
    """Make a token for ``user`` valid for ``days`` days and return it; only its hash is kept.

    ``second_factor`` records that the session making it had passed the one-time code (the account page passes
    ``request.user.is_verified()``). ``actor`` is the user themself on the account page (or a superuser helping
    them); None for fixtures and the shell."""
    if actor is not None and getattr(actor, "pk", None) != user.pk and not getattr(actor, "is_superuser", False):
        raise PermissionDenied(_("只能为自己的账号创建令牌"))
    if actor is not None and not may_hold_tokens(user):
        raise PermissionDenied(_("您的账号还没有任何角色，无需 API 令牌"))
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("请写明令牌的用途，如“季度报表脚本”")})
    if len(name) > 100:
        raise ValidationError({"name": _("用途最多 100 个字")})
    if days not in LIFETIMES:
        raise ValidationError({"days": _("有效期应为 %(choices)s 天之一") % {"choices": "、".join(map(str, LIFETIMES))}})
    if live_tokens(user).count() >= MAX_LIVE:
        raise ValidationError(_("有效令牌已有 %(n)d 个，请先撤销不用的令牌") % {"n": MAX_LIVE})
    key = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, key_hash=_hash(key), prefix=key[:10],
                                    expires_at=timezone.now() + dt.timedelta(days=days), second_factor=second_factor)
    audit.record(actor=actor, action="token.create", target=token, org_path=_home(user), note=name,
                 changes={"expires_at": [None, token.expires_at.isoformat()],
                          "second_factor": [None, second_factor]})
    return key


@transaction.atomic
def token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    """Revoke ``token`` (its owner, or a superuser); a revoked token answers 401 from then on."""
    if actor.pk != token.user_id and not actor.is_superuser:
        raise PermissionDenied(_("只能撤销自己的令牌"))
    if token.revoked_at is not None:
        return token
    token.revoked_at, token.revoked_by = timezone.now(), actor
    token.save(update_fields=["revoked_at", "revoked_by"])
    audit.record(actor=actor, action="token.revoke", target=token, org_path=_home(token.user), note=token.name)
    return token


def user_for_token(key: str) -> Any:
    """Return the user a presented token speaks for; raise :class:`TokenRefused` with the reason otherwise."""
    from .accounts import needs_second_factor

    token = ApiToken.objects.select_related("user").filter(key_hash=_hash(key)).first() if key else None
    if token is None:
        raise TokenRefused(_("API 令牌无效，请在“账号安全 → API 令牌”页面重新创建"))
    now = timezone.now()
    if token.revoked_at is not None:
        raise TokenRefused(_("该 API 令牌已被撤销"))
    if token.expires_at is not None and token.expires_at <= now:
        raise TokenRefused(_("该 API 令牌已过期，请重新创建"))
    if not token.user.is_active:
        raise TokenRefused(_("该账号已停用"))
    if not token.second_factor and needs_second_factor(token.user):
        raise TokenRefused(_("您的账号登录需要手机验证码，该令牌创建时未经验证：请登录并通过验证后重新创建令牌"))
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() >= TOUCH_SECONDS:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
