"""The county's page for proving villagers' phones by SMS code (voices/verify.py), off unless turned on here."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from dianti.core import rules
from dianti.core.http import error_messages
from dianti.orgs import selectors as org_selectors

from . import verify


@login_required
def phone_codes_edit(request: HttpRequest, code: str) -> HttpResponse:
    org = org_selectors.org_get(request.user, code)
    refusal = rules.refusal(request.user, "voices.phone_codes_set", rules.Context(body_path=org.path))
    error = ""
    if request.method == "POST":
        on = request.POST.get("phone_codes") == "on"
        try:
            verify.setting_set(actor=request.user, county=org, on=on)
        except ValidationError as exc:
            error = "；".join(error_messages(exc))
        else:
            messages.success(request, _("已开启手机短信验证") if on else _("已关闭手机短信验证"))
            return redirect("voices_phone_codes_edit", code=org.code)
    return render(request, "voices/phone_codes.html", {
        "org": org, "on": verify.setting_of(org), "refusal": refusal, "error": error}, status=400 if error else 200)
