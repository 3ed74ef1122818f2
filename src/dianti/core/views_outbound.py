"""The outbound log for staff: what was sent to whom in their subtree, on which channel, and what the provider
answered; one message's recipients; a failed message sent again; and the providers' delivery receipts."""

from __future__ import annotations

import hmac
import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from . import outbound, ratelimit, selectors, services
from .channels import receipts
from .devices import address_hash
from .models import OutboundMessage
from .pagination import paginate

GUESSES = 20  # wrong receipt URLs from one address in ten minutes before it is refused (a provider never errs)


@login_required
def outbound_list(request: HttpRequest) -> HttpResponse:
    status, channel = request.GET.get("status", ""), request.GET.get("channel", "")
    page = paginate(request, selectors.outbound_for(request.user, status=status, channel=channel))
    return render(request, "core/outbound_list.html", {
        "page": page, "status": status, "channel": channel, "statuses": OutboundMessage.Status.choices})


@login_required
def outbound_batch(request: HttpRequest, batch: str) -> HttpResponse:
    rows = list(selectors.outbound_for(request.user, batch=batch).order_by("to_name", "channel", "id"))
    if not rows:
        raise Http404(_("找不到该消息，或您无权查看"))
    return render(request, "core/outbound_batch.html", {"rows": rows, "first": rows[0]})


@login_required
@require_POST
def outbound_resend(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_object_or_404(selectors.outbound_for(request.user), pk=pk)
    try:
        services.outbound_resend(actor=request.user, message=message)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("已重新排队发送"))
    return redirect("outbound_batch", batch=message.batch) if message.batch else redirect("outbound_list")



@csrf_exempt
@require_POST
def outbound_receipt(request: HttpRequest, channel: str, token: str) -> HttpResponse:
    """The providers' delivery receipts (``core/channels/receipts.py``), at a URL carrying the configured secret
    ``DIANTI_NOTIFY_RECEIPT_TOKEN`` (none set: no receipts are taken); an address that keeps guessing it is refused
    for a while. A receipt only moves a message still ``sent``: a replayed or reversed one changes nothing."""
    expected, address = settings.NOTIFY_RECEIPT_TOKEN, address_hash(request)
    if ratelimit.exceeded("receipt-guess", address, GUESSES):
        return JsonResponse({"error": _("请求过于频繁，请稍后再试")}, status=429)
    if not expected or not hmac.compare_digest(token, expected) or channel not in receipts.RECEIVERS:
        ratelimit.allow("receipt-guess", address, GUESSES, 600)
        raise Http404(_("找不到该地址"))
    parse, answer = receipts.RECEIVERS[channel]
    try:
        found = parse(json.loads(request.body.decode("utf-8")))
    except (ValueError, KeyError, UnicodeDecodeError):
        return JsonResponse({"error": _("回执格式不正确，应为服务商文档所列的 JSON 数组")}, status=400)
    for r in found:
        outbound.mark_receipt(channel=channel, provider_id=r.provider_id, delivered=r.delivered, code=r.code,
                              reason=r.reason)
    return JsonResponse(answer, json_dumps_params={"ensure_ascii": False})
