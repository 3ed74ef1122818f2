"""The account page's personal API tokens: make one (shown once, on the answer to the form, never stored in the
session or a message), see one's tokens, revoke one. Thin: the rules live in ``tokens``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from . import tokens
from .http import error_messages


def _days(n: int) -> str:
    return _("%(n)d 天") % {"n": n}


class TokenForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("用途"), max_length=100,
                           help_text=gettext_lazy("写明谁用它做什么，如“组织部季度报表脚本”"))
    days = forms.TypedChoiceField(label=gettext_lazy("有效期"), coerce=int, initial=tokens.DEFAULT_DAYS,
                                  choices=[(d, lazy(_days, str)(d)) for d in tokens.LIFETIMES])


def _page(request: HttpRequest, form: TokenForm, key: str = "", status: int = 200) -> HttpResponse:
    response = render(request, "core/api_tokens.html", {
        "form": form, "key": key, "tokens": [(t, token_state(t)) for t in tokens.tokens_of(request.user)[:50]],
        "may_hold": tokens.may_hold_tokens(request.user)}, status=status)
    response["Cache-Control"] = "no-store"  # the page may show a new token once; no cache keeps it
    return response


@login_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    """List one's tokens; on POST make one and show it this once."""
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        verified = bool(getattr(request.user, "is_verified", lambda: False)())
        try:
            key = tokens.token_create(actor=request.user, user=request.user, name=form.cleaned_data["name"],
                                      days=form.cleaned_data["days"], second_factor=verified)
        except (ValidationError, PermissionDenied) as exc:
            for message in error_messages(exc) if isinstance(exc, ValidationError) else [str(exc)]:
                form.add_error(None, message)
            return _page(request, form, status=400)
        return _page(request, TokenForm(), key=key)
    return _page(request, form, status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def api_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = tokens.tokens_of(request.user).filter(pk=pk).first()
    if token is None:
        raise Http404(_("找不到该令牌"))
    tokens.token_revoke(actor=request.user, token=token)
    messages.success(request, _("已撤销令牌“%(name)s”，使用它的脚本将无法再访问") % {"name": token.name})
    return redirect("api_tokens")


def token_state(token: Any) -> str:
    """Say whether a token still works, for the page."""
    from django.utils import timezone

    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and token.expires_at <= timezone.now():
        return "expired"
    return "live"
