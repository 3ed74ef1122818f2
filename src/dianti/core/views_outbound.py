"""The outbound log for staff: what was sent to whom in their subtree, on which channel, and what the provider
answered; one message's recipients; a failed message sent again."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import selectors, services
from .models import OutboundMessage
from .pagination import paginate


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

