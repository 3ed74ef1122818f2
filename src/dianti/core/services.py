"""Writes of the shared kernel that belong to no step of the cycle."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from .models import Notification


def notifications_mark_read(*, user: Any, ids: list[int]) -> int:
    """Mark the user's notifications read (all unread ones when ``ids`` is empty); return how many changed."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())


def outbound_resend(*, actor: Any, message: Any) -> Any:
    """Queue a failed outbound message again (after its cause was fixed: a number corrected, a template approved);
    it goes out by the same road as a new one, with its attempts counted afresh, to the person's contact as it is
    now — refused when they have since opted out of the channel (or the contact awaits verification)."""
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.db import transaction
    from django.utils.translation import gettext as _

    from . import audit, outbound
    from .models import OutboundMessage
    from .scope import scope_for

    S = OutboundMessage.Status
    if actor is not None and not scope_for(actor).can_manage_path(message.org_path):
        raise PermissionDenied(_("只有管理收件人所在组织的工作人员可以重新发送"))
    address = _address_now(message)
    if address == "":
        raise ValidationError(_("收件人已退订该渠道，或其联系方式尚未核实：不能重新发送"))
    with transaction.atomic():
        if not OutboundMessage.objects.filter(pk=message.pk, status=S.FAILED).update(
                status=S.QUEUED, attempts=0, next_attempt_at=None, finished_at=None,
                to_address=address or message.to_address):
            raise ValidationError(_("只有发送失败的消息可以重新发送"))
        audit.record(actor=actor, action="outbound.resend", target=message, org_path=message.org_path,
                     changes={"status": [S.FAILED.label, S.QUEUED.label]}, note=message.provider_code)
        transaction.on_commit(lambda: outbound.dispatch([message.pk]))
    message.refresh_from_db()
    return message


def _address_now(message: Any) -> str | None:
    """Return the address a person's message reaches on its medium now (``""``: opted out or not verified), or
    None where the row's own address stands (no person behind it, no contact recorded for the medium)."""
    from .channels.base import channel_named
    from .notify import _contacts

    channel = channel_named(message.channel)
    if message.person_id is None or channel is None or channel.medium == "log":
        return None
    return _contacts([message.person_id]).get(message.person_id, {}).get(channel.medium)
