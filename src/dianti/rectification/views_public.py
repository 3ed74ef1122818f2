"""The public side of 整改: what became of the case behind an opinion, and a villager's observation of it (no
login; rate-limited; a honeypot for bots; no personal data shown)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from dianti.core.dbrouter import replica_reads
from dianti.core.devices import address_hash, device_identity, remember_device
from dianti.voices import selectors as voice_selectors

from . import selectors, services
from .forms import ObservationForm
from .models import State


@replica_reads
def observe(request: HttpRequest, code: str) -> HttpResponse:
    try:
        opinion = voice_selectors.tracked(code)
    except Http404:
        raise Http404(_("查询码不存在，请核对后重新输入")) from None
    case = selectors.case_for_opinion(opinion)
    if case is None:
        raise Http404(_("这条意见目前没有对应的整改"))
    raw, device_hash = device_identity(request)
    form = ObservationForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_bot():
            return redirect("voices_track", code=opinion.tracking_code)
        if form.is_valid():
            try:
                services.observation_add(case=case, opinion=opinion, text=form.cleaned_data["text"],
                                         ip_hash=address_hash(request), device_hash=device_hash)
            except services.RateLimited as exc:
                form.add_error(None, exc.messages[0])
                status = 429
            except ValidationError as exc:
                for m in exc.messages:
                    form.add_error("text" if "text" in getattr(exc, "message_dict", {}) else None, m)
                status = 400
            else:
                return remember_device(render(request, "rectification/public_thanks.html",
                                           {"opinion": opinion, "case": case}), raw)
        else:
            status = 400
    response = render(request, "rectification/public_observe.html", {
        "opinion": opinion, "case": case, "form": form, "percent": selectors.progress_percent(case),
        "measures": list(case.measures.all()), "open": case.state not in (State.CLOSED, State.CARRIED_OVER),
    }, status=status)
    return remember_device(response, raw)
