"""The second step of signing in (a one-time code from an authenticator app), enrolling that app, and changing the
password. Thin: the rules live in ``accounts`` (who owes a code) and django-otp (the TOTP arithmetic, throttling)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import audit
from .accounts import SESSION_SECOND_FACTOR, address_note, home_path


class CodeForm(forms.Form):
    token = forms.CharField(label=gettext_lazy("6 位动态验证码"), min_length=6, max_length=6,
                            widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code",
                                                          "pattern": "[0-9]{6}", "autofocus": True}))

    def clean_token(self) -> str:
        token = self.cleaned_data["token"].strip()
        if not token.isdigit():
            raise ValidationError(_("验证码是 6 位数字。"))
        return token


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return target
    return str(reverse_lazy("home"))


def _verified(request: HttpRequest, device: TOTPDevice) -> HttpResponse:
    otp_login(request, device)
    request.session.pop(SESSION_SECOND_FACTOR, None)
    return redirect(_next(request))


@login_required
def otp_verify(request: HttpRequest) -> HttpResponse:
    """Ask a user with an enrolled authenticator for the current code; django-otp slows repeated wrong codes."""
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    if device is None:
        return redirect(f"{reverse_lazy('otp_enrol')}?{urlencode({'next': _next(request)})}")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _info = device.verify_is_allowed()
        if allowed and device.verify_token(form.cleaned_data["token"]):
            audit.record(actor=request.user, action="login.2fa", target=request.user,
                         org_path=home_path(request.user), note=address_note(request))
            return _verified(request, device)
        audit.record(actor=request.user, action="login.2fa_failed", target=request.user,
                     org_path=home_path(request.user), note=address_note(request))
        form.add_error("token", _("验证码不正确或已过期，请看手机上最新的验证码。") if allowed
                       else _("错误次数过多，请稍后再试。"))
    return render(request, "core/otp_verify.html", {"form": form, "next": _next(request)})


@login_required
def otp_enrol(request: HttpRequest) -> HttpResponse:
    """Show a new authenticator secret as a QR code and confirm it with a first code.

    A user who already has a confirmed device must prove it first (the verification step), so a stolen password
    alone cannot replace the second factor."""
    if user_has_device(request.user) and not request.user.is_verified():  # type: ignore[union-attr]
        return redirect(f"{reverse_lazy('otp_verify')}?{urlencode({'next': _next(request)})}")
    with transaction.atomic():
        device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
        if device is None:
            device = TOTPDevice.objects.create(user=request.user, name=_("手机验证器"), confirmed=False)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            with transaction.atomic():
                TOTPDevice.objects.filter(user=request.user).exclude(pk=device.pk).delete()
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                audit.record(actor=request.user, action="2fa.enrol", target=request.user,
                             org_path=home_path(request.user), note=address_note(request))
            messages.success(request, _("已绑定手机验证器，今后登录时需输入验证码。"))
            return _verified(request, device)
        form.add_error("token", _("验证码不正确，请确认手机时间准确后输入最新的验证码。"))
    return render(request, "core/otp_enrol.html", _enrol_context(request, device, form))


def _enrol_context(request: HttpRequest, device: TOTPDevice, form: CodeForm) -> dict[str, Any]:
    import base64

    secret = base64.b32encode(device.bin_key).decode()
    # An inline SVG drawn on the server: no script, no image from elsewhere, nothing the CSP has to allow.
    qr = segno.make(device.config_url, error="m").svg_inline(scale=5, border=2, title=_("验证器二维码"))
    return {"form": form, "qr": mark_safe(qr), "secret": " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
            "next": _next(request), "owed": request.session.get(SESSION_SECOND_FACTOR) == "enrol"}


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change one's own password under the password rules (AUTH_PASSWORD_VALIDATORS), recorded in the audit log."""

    template_name = "core/password_change.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        audit.record(actor=self.request.user, action="password.change", target=self.request.user,
                     org_path=home_path(self.request.user), note=address_note(self.request))
        messages.success(self.request, _("密码已修改。"))
        return response
