"""Sign-in controls for 等保 2.0 level 3: lockout after repeated failures, idle and absolute session timeouts, the
second-factor gate for staff, and the audit records of signing in and out and of every file downloaded.

- Lockout is django-axes (database handler, so every worker counts the same failures): ``LockoutBackend`` refuses a
  locked account or address before the password is checked (``LockoutHandler`` gives an address its own, higher
  limit), ``lockout_response`` shows the login page again with "登录失败次数过多，请 N 分钟后再试". A successful
  sign-in clears the failures.
- ``SessionTimeoutMiddleware`` signs out a session idle longer than ``DIANTI_SESSION_IDLE_MINUTES`` (sliding) or older
  than ``DIANTI_SESSION_ABSOLUTE_HOURS`` (however busy).
- ``SecondFactorMiddleware`` keeps a signed-in user who still owes a one-time code (see ``needs_second_factor``) on
  the verification or enrolment page. What they owe is decided once at sign-in and kept in the session, so a normal
  page costs no query.
- ``DownloadAuditMiddleware`` writes one ``export.download`` record for every attachment a signed-in user receives
  (every Excel export, document and file download), since no export helper knows who asked. It also names the user
  making the request to the receivers below, which record changes of an account's privileges (active, staff,
  superuser, groups, permissions) made outside the services — in the admin, or a shell — as ``user.privilege``.
  Role grants, the platform's own permissions, are recorded by ``orgs.services.role_grant`` / ``role_revoke``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any
from urllib.parse import unquote

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.contrib.auth.views import redirect_to_login
from django.core.checks import Tags, register
from django.core.checks import Warning as CheckWarning
from django.db.models import Sum
from django.db.models.signals import m2m_changed, post_save, pre_save
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from . import audit, ratelimit

SESSION_STARTED = "_dianti_signed_in_at"
SESSION_SEEN = "_dianti_seen_at"
# "verify" (has a confirmed device: enter a code) or "enrol" (must set one up first); absent when nothing is owed.
SESSION_SECOND_FACTOR = "_dianti_second_factor"
# Refresh the idle clock at most once a minute, so an ordinary page does not rewrite the session every time.
SEEN_RESOLUTION_SECONDS = 60
# Roles whose holders must use a second factor when DIANTI_REQUIRE_2FA is on (superusers too): those who manage the
# whole county and those who approve what decides careers.
SECOND_FACTOR_ROLES = frozenset({"county_admin", "approver"})


def client_address(request: HttpRequest) -> str:
    """Return the address a request came from, as :func:`dianti.core.http.client_address` trusts it: the socket's
    peer, or behind a configured proxy (DIANTI_TRUSTED_PROXIES) the address that proxy saw — never a header an
    untrusted client wrote."""
    from .http import client_address as trusted

    return trusted(request)


class LockoutHandler(AxesDatabaseHandler):
    """Axes' database handler, with a higher limit for an address than for an account.

    A town office's staff sign in from one address, so a few typos between them must not lock the whole office out;
    an address trying name after name is still stopped, at ``DIANTI_LOGIN_ADDRESS_FAILURE_LIMIT``.
    """

    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        by_account, by_address = (
            attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        # Axes compares one count with one limit (AXES_FAILURE_LIMIT, the account's): put the address's count on
        # that scale, so reaching either limit locks.
        scaled = by_address * settings.AXES_FAILURE_LIMIT // settings.DIANTI_LOGIN_ADDRESS_FAILURE_LIMIT
        return max(by_account, scaled)


class LockoutBackend(AxesStandaloneBackend):
    """Axes' lockout check; a call without a request (management commands, code) has no address to count."""

    def authenticate(self, request: HttpRequest | None, username: str | None = None, password: str | None = None,
                     **kwargs: Any) -> Any:
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)


def cool_off_minutes() -> int:
    cool_off = settings.AXES_COOLOFF_TIME
    return max(1, math.ceil(cool_off.total_seconds() / 60)) if cool_off else 0


def lockout_message() -> str:
    minutes = cool_off_minutes()
    if not minutes:
        return _("登录失败次数过多，账号已锁定，请联系上级组织部门解锁。")
    return _("登录失败次数过多，请 %(minutes)d 分钟后再试。") % {"minutes": minutes}


def lockout_response(request: HttpRequest, original_response: HttpResponse | None = None,
                     credentials: dict[str, Any] | None = None) -> HttpResponse:
    """Show the login page again, with the lockout message instead of "wrong password", as 429."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = AuthenticationForm(request, initial={"username": username})
    context = {"form": form, "locked_message": lockout_message(), "next": request.POST.get("next", "")}
    return render(request, "core/login.html", context, status=429)


def home_path(user: Any) -> str:
    """Return the path of the highest organization the user holds a role on, so its admins see their records."""
    from .directory import directory

    paths = [p for _, p in directory().grants(user)]
    return min(paths, key=lambda p: (len(p), p), default="")


# What the audit records say is stored data, written once in Chinese like the rest of the log, so not translated.
def address_note(request: HttpRequest | None) -> str:
    return f"地址 {client_address(request) or '—'}" if request is not None else ""


def needs_second_factor(user: Any) -> str | None:
    """Return what the user owes after the password: "verify" when they have a confirmed TOTP device, "enrol" when
    ``DIANTI_REQUIRE_2FA`` is on and they are a superuser or hold a role in ``SECOND_FACTOR_ROLES``, else None."""
    from django_otp import user_has_device

    if user_has_device(user):
        return "verify"
    if getattr(settings, "DIANTI_REQUIRE_2FA", False) and (user.is_superuser or _holds_second_factor_role(user)):
        return "enrol"
    return None


def _holds_second_factor_role(user: Any) -> bool:
    from .directory import directory

    return any(role in SECOND_FACTOR_ROLES for role, _ in directory().grants(user))


@receiver(user_logged_in, dispatch_uid="dianti.accounts.logged_in")
def _on_logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[SESSION_STARTED] = request.session[SESSION_SEEN] = now
        owed = None if getattr(user, "otp_device", None) else needs_second_factor(user)
        if owed:
            request.session[SESSION_SECOND_FACTOR] = owed
        else:
            request.session.pop(SESSION_SECOND_FACTOR, None)
    audit.record(actor=user, action="login", target=user, org_path=home_path(user), note=address_note(request))


@receiver(user_login_failed, dispatch_uid="dianti.accounts.login_failed")
def _on_login_failed(sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None,
                     **kwargs: Any) -> None:
    # Only the name typed is kept, never the password. A name that is no account may be a password typed in the
    # wrong box, so it is kept only as a keyed digest: repeated tries still line up, the text is not stored.
    from django.contrib.auth import get_user_model

    username = str(credentials.get("username") or "")[:150]
    user = get_user_model().objects.filter(username=username).first() if username else None
    if user is not None:
        audit.record(actor=None, action="login.failed", target=user, org_path=home_path(user),
                     note=address_note(request))
    else:
        label = f"不存在的账号（摘要 {ratelimit.digest('login:' + username)[:12]}）"
        audit.record(actor=None, action="login.failed", target=None, target_type="auth.user", target_repr=label,
                     note=address_note(request))


@receiver(user_locked_out, dispatch_uid="dianti.accounts.locked_out")
def _on_locked_out(sender: Any, request: HttpRequest | None = None, username: str | None = None,
                   ip_address: str | None = None, **kwargs: Any) -> None:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=username).first() if username else None
    note = (f"失败次数达到上限（每个账号 {settings.AXES_FAILURE_LIMIT} 次、每个地址 "
            f"{settings.DIANTI_LOGIN_ADDRESS_FAILURE_LIMIT} 次），锁定 {cool_off_minutes()} 分钟；地址 {ip_address or '—'}")
    audit.record(actor=None, action="login.locked", target=user, target_type="auth.user",
                 target_repr="" if user else "不存在的账号", org_path=home_path(user) if user else "", note=note)


@receiver(user_logged_out, dispatch_uid="dianti.accounts.logged_out")
def _on_logged_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is None:
        return
    reason = getattr(request, "_dianti_logout_reason", "")
    audit.record(actor=user, action="logout", target=user, org_path=home_path(user),
                 note="；".join(filter(None, [reason, address_note(request)])))


Middleware = Callable[[HttpRequest], HttpResponse]


class SessionTimeoutMiddleware:
    """Sign out a session idle too long (sliding) or signed in too long (absolute), then ask for the login again."""

    def __init__(self, get_response: Middleware) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            session, now = request.session, time.time()
            started = session.setdefault(SESSION_STARTED, now)
            seen = session.get(SESSION_SEEN, now)
            reason = ""
            if now - started > settings.DIANTI_SESSION_ABSOLUTE_HOURS * 3600:
                reason = _("登录已超过 %(hours)d 小时，请重新登录。") % {"hours": settings.DIANTI_SESSION_ABSOLUTE_HOURS}
            elif now - seen > settings.DIANTI_SESSION_IDLE_MINUTES * 60:
                reason = _("您已 %(minutes)d 分钟未操作，为保护数据安全已自动退出，请重新登录。") % {
                    "minutes": settings.DIANTI_SESSION_IDLE_MINUTES}
            if reason:
                request._dianti_logout_reason = reason  # type: ignore[attr-defined]
                logout(request)
                messages.warning(request, reason)
                return _away(request, redirect_to_login(request.get_full_path()))
            if now - seen >= SEEN_RESOLUTION_SECONDS:
                session[SESSION_SEEN] = now
        return self.get_response(request)


def _away(request: HttpRequest, redirect: HttpResponse) -> HttpResponse:
    """Send the browser to ``redirect``'s page. A fragment HTMX asked for (the bar's 待办 counts, a search) would
    otherwise follow the redirect itself and draw the whole sign-in page inside the fragment; it is told to load
    the page instead (``HX-Redirect``)."""
    if request.headers.get("HX-Request") != "true":
        return redirect
    return HttpResponse(status=204, headers={"HX-Redirect": redirect["Location"]})


class SecondFactorMiddleware:
    """Keep a user who owes a one-time code on the verification (or enrolment) page until they give one."""

    def __init__(self, get_response: Middleware) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        owed = request.session.get(SESSION_SECOND_FACTOR) if hasattr(request, "session") else None
        if owed and request.user.is_authenticated and not self._exempt(request.path_info):
            target = reverse("otp_verify" if owed == "verify" else "otp_enrol")
            return _away(request, redirect_to_login(request.get_full_path(), target))
        return self.get_response(request)

    @staticmethod
    def _exempt(path: str) -> bool:
        open_paths = (reverse("otp_verify"), reverse("otp_enrol"), reverse("logout"), "/i18n/",
                      settings.STATIC_URL, "/healthz", "/readyz", "/favicon.ico")
        return path.startswith(open_paths)


class DownloadAuditMiddleware:
    """Record every file a signed-in user downloads (``Content-Disposition: attachment``): who, what, from where."""

    def __init__(self, get_response: Middleware) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _acting.set(request)
        try:
            response = self.get_response(request)
        finally:
            _acting.reset(token)
        disposition = response.get("Content-Disposition", "")
        user = getattr(request, "user", None)
        if (disposition.startswith("attachment") and 200 <= response.status_code < 300
                and user is not None and user.is_authenticated):
            query = request.META.get("QUERY_STRING", "")
            audit.record(actor=user, action="export.download", target=None, target_type="download",
                         target_repr=_filename(disposition), org_path=home_path(user),
                         note=f"{request.path}{'?' + query if query else ''}；{address_note(request)}"[:1000])
        return response


def _filename(disposition: str) -> str:
    """Return the file name a Content-Disposition header gives (RFC 5987 ``filename*`` first)."""
    for part in disposition.split(";"):
        key, _sep, value = part.strip().partition("=")
        if key.lower() == "filename*":
            return unquote(value.split("''", 1)[-1])
    for part in disposition.split(";"):
        key, _sep, value = part.strip().partition("=")
        if key.lower() == "filename":
            return value.strip('"')
    return ""


# The request being served, so that model signals (which get no request) can name who changed an account.
_acting: ContextVar[HttpRequest | None] = ContextVar("dianti_acting_request", default=None)
PRIVILEGE_FIELDS = ("is_active", "is_staff", "is_superuser")


def _actor() -> Any:
    request = _acting.get()
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


@receiver(pre_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="dianti.accounts.privilege_before")
def _privileges_before(sender: Any, instance: Any, update_fields: Any = None, **kwargs: Any) -> None:
    if instance.pk is None:
        return
    if update_fields is not None and not set(update_fields) & set(PRIVILEGE_FIELDS):
        return  # e.g. the last_login stamp of every sign-in: no query
    before = type(instance).objects.filter(pk=instance.pk).values(*PRIVILEGE_FIELDS).first()
    instance._dianti_privileges_before = before


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="dianti.accounts.privilege_after")
def _privileges_after(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    before = getattr(instance, "_dianti_privileges_before", None)
    instance._dianti_privileges_before = None
    after = {name: getattr(instance, name) for name in PRIVILEGE_FIELDS}
    if created:
        changes = {name: [None, value] for name, value in after.items() if value}
        if not (after["is_staff"] or after["is_superuser"]):
            return  # an ordinary account; its roles are recorded when granted
        action = "user.create"
    elif before is None:
        return
    else:
        changes = audit.diff(before, after)
        action = "user.privilege"
    if changes:
        audit.record(actor=_actor(), action=action, target=instance, org_path=home_path(instance), changes=changes)


@receiver(m2m_changed, dispatch_uid="dianti.accounts.privilege_groups")
def _groups_or_permissions_changed(sender: Any, instance: Any, action: str, pk_set: Any, **kwargs: Any) -> None:
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    through = {user_model.groups.through: "groups", user_model.user_permissions.through: "user_permissions"}
    field = through.get(sender)
    if field is None or not isinstance(instance, user_model) or action not in ("post_add", "post_remove",
                                                                                   "post_clear"):
        return
    model = kwargs.get("model")
    names = sorted(str(o) for o in model.objects.filter(pk__in=pk_set or ())) if model is not None else []
    change = [None, names] if action == "post_add" else [names or "全部", None]
    audit.record(actor=_actor(), action="user.privilege", target=instance, org_path=home_path(instance),
                 changes={field: change})


@register(Tags.security, deploy=True)
def second_factor_is_required_in_production(app_configs: Any, **kwargs: Any) -> list[CheckWarning]:
    """Warn when production runs without the second factor for county admins and approvers (等保 level 3 asks
    for two kinds of proof for privileged accounts)."""
    if settings.DEBUG or getattr(settings, "DIANTI_REQUIRE_2FA", False):
        return []
    return [CheckWarning("县级管理员、审批人和超级用户登录未要求手机验证码（DIANTI_REQUIRE_2FA 已关闭）。",
                         hint="生产环境请去掉 DIANTI_REQUIRE_2FA=0。", id="dianti.W201")]
