"""Public phone pages: the QR-code opinion page, +1, and the tracking page. No login; rate-limited; no personal
data shown."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dianti.core import ratelimit
from dianti.core.dbrouter import replica_reads
from dianti.core.devices import address_hash, device_identity, remember_device
from dianti.core.http import error_messages

from . import selectors, services, tracking, verify
from .forms import PublicOpinionForm
from .models import Opinion, Topic


class _AskCode(Exception):
    """The phone must be proved first: the page shows the code field with this message."""


@replica_reads
def org_page(request: HttpRequest, code: str) -> HttpResponse:
    org = selectors.public_org(code)
    raw, device_hash = device_identity(request)
    form = PublicOpinionForm(request.POST or None, request.FILES or None)
    status, ask_code = 200, ""
    if request.method == "POST":
        if form.is_bot():
            return redirect("voices_public", code=org.code)
        if form.is_valid():
            d = form.cleaned_data
            try:
                verified, told = verify.check(request.session, org, d, address_hash(request))
                if told:
                    raise _AskCode(told)
                opinion = services.opinion_submit(
                    organization=org, text=d["text"], title=d["title"], anonymous=d["anonymous"], name=d["name"],
                    phone=d["phone"], photo=d["photo"], submitter=services.Submitter(address_hash(request), device_hash),
                    phone_verified=verified)
            except _AskCode as ask:
                ask_code = str(ask)
            except services.RateLimited as exc:
                form.add_error(None, exc.messages[0])
                status = 429
            except ValidationError as exc:
                for field, msgs in getattr(exc, "message_dict", {"__all__": exc.messages}).items():
                    for m in msgs:
                        form.add_error(field if field in form.fields else None, m)
                status = 400
            else:
                return remember_device(redirect("voices_track", code=opinion.tracking_code), raw)
        else:
            status = 400
    campaign = services.open_campaign_for(org)
    response = render(request, "voices/public_org.html", {
        "org": org, "form": form, "campaign": campaign, "topics": selectors.public_topics(org, campaign),
        "recent": selectors.public_recent(org, campaign), "earlier": selectors.public_earlier(org, campaign),
        "ask_code": ask_code, "verifying": verify.required_for(org),
    }, status=status)
    return remember_device(response, raw)


@require_POST
def support(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    raw, device_hash = device_identity(request)
    ip_hash = address_hash(request)
    if not ratelimit.allow("support", ip_hash, 120, 3600):
        return HttpResponse(_("操作太频繁了，请稍后再试"), status=429)
    if kind == "topic":
        target = Topic.objects.filter(pk=pk).select_related("organization").first()
        kwargs = {"topic": target}
    else:
        target = Opinion.objects.filter(pk=pk, status=Opinion.Status.VISIBLE).select_related("organization").first()
        kwargs = {"opinion": target}
    if target is None:
        return HttpResponse(_("找不到该内容"), status=404)
    context = {"kind": kind, "target": target, "verifying": verify.required_for(target.organization)}
    try:
        phone_hash, told = verify.support_phone(request.session, target.organization, request.POST, ip_hash)
        if told:  # the code is on its way: the button asks for it, nothing is recorded yet
            return _support_button(request, raw, context, ask_code=told, code_field=True,
                                   phone=request.POST.get("phone", ""))
        added = services.support_add(device_hash=device_hash, ip_hash=ip_hash, phone_hash=phone_hash, **kwargs)
    except services.RateLimited as exc:
        if not request.POST.get("phone"):
            return HttpResponse("；".join(error_messages(exc)), status=429)
        # Too many codes asked for: said beside the phone field, which keeps what was typed.
        return _support_button(request, raw, context, error="；".join(error_messages(exc)),
                               phone=request.POST.get("phone", ""))
    except ValidationError as exc:
        if not context["verifying"]:
            return HttpResponse("；".join(error_messages(exc)), status=400)
        # A wrong phone or code: the button says so and keeps what was typed (shown, so status 200 for htmx).
        return _support_button(request, raw, context, error="；".join(error_messages(exc)),
                               phone=request.POST.get("phone", ""), code_field=bool(request.POST.get("code")))
    target.refresh_from_db(fields=["supports"])
    return _support_button(request, raw, context, done=True, added=added, verified=bool(phone_hash))


def _support_button(request: HttpRequest, raw: str, context: dict, **more: object) -> HttpResponse:
    return remember_device(render(request, "voices/_support_button.html", {**context, **more}), raw)


@replica_reads
def track(request: HttpRequest, code: str = "") -> HttpResponse:
    code = code or request.GET.get("code", "").strip()
    if not code:
        return render(request, "voices/track_lookup.html")
    if not ratelimit.allow("track", address_hash(request), 60, 600):
        return render(request, "voices/track_lookup.html", {"error": _("查询太频繁了，请稍后再试")}, status=429)
    try:
        opinion = selectors.tracked(code)
    except Http404:
        return render(request, "voices/track_lookup.html", {"error": _("查询码不存在，请核对后重新输入"), "code": code},
                      status=404)
    panels = [render_to_string(template, context, request) for template, context in tracking.panels(opinion)]
    return render(request, "voices/track.html", {"opinion": opinion, "steps": tracking.timeline(opinion),
                                                 "panels": panels})
