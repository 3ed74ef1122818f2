"""A person's outbound channels (:class:`~dianti.orgs.models.PersonChannel`): staff record and verify a contact,
the person (or staff on their word) opts out and back in; the kernel's notifications read them through
:func:`contacts` (provided as ``"contacts"``)."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from dianti.core import audit
from dianti.core.models import OutboundMessage

from .models import Person, PersonChannel
from .permissions import can_manage_org, ensure_can_manage
from .services import validate_phone

M = PersonChannel.Medium
_ID_RE = re.compile(r"^[A-Za-z0-9_\-@.]{2,128}$")
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def contacts(person_ids: list[int]) -> dict[int, dict[str, str]]:
    """Return, per person, each medium's address where verified and not opted out, else ``""`` (provider
    ``"contacts"`` for :mod:`dianti.core.notify`)."""
    found: dict[int, dict[str, str]] = {}
    for ch in PersonChannel.objects.filter(person_id__in=person_ids):
        found.setdefault(ch.person_id, {})[ch.medium] = ch.address if ch.usable else ""
    return found


def clean_address(medium: str, address: str) -> str:
    """Return the address tidied, or raise a ``ValidationError`` saying what a valid one looks like."""
    address = address.strip()
    if medium not in M.values:
        raise ValidationError({"medium": _("未知的通知渠道")})
    if medium == M.SMS:
        address = validate_phone(address)
        if not address:
            raise ValidationError({"address": _("请填写手机号")})
    elif medium == M.EMAIL and not _EMAIL_RE.match(address):
        raise ValidationError({"address": _("不是有效的电子邮件地址")})
    elif medium != M.EMAIL and not _ID_RE.match(address):
        raise ValidationError({"address": _("账号标识只能由字母、数字和 _-@. 组成（2 到 128 位）")})
    return address


@transaction.atomic
def person_channel_set(*, actor: Any, person: Person, medium: str, address: str,
                       verified: bool = False) -> PersonChannel:
    """Record (or change) how ``person`` is reached on ``medium``; a changed address must be verified again."""
    ensure_can_manage(actor, person.organization)
    address = clean_address(medium, address)
    channel, created = PersonChannel.objects.get_or_create(person=person, medium=medium,
                                                           defaults={"address": address})
    if not created and channel.address != address:
        channel.address, channel.verified_at, channel.verified_by = address, None, None
    if verified and channel.verified_at is None:
        channel.verified_at, channel.verified_by = timezone.now(), _user(actor)
    channel.save()
    audit.record(actor=actor, action="person.channel_set", target=person, org_path=person.org_path,
                 changes={"medium": [None, channel.get_medium_display()], "address": [None, channel.masked_address],
                          "verified": [None, channel.verified_at is not None]})
    return channel


@transaction.atomic
def person_channel_verify(*, actor: Any, channel: PersonChannel) -> PersonChannel:
    """Mark the contact verified (staff who checked it with the person, or the person confirming their own)."""
    person = channel.person
    if not _is_self(actor, person):
        ensure_can_manage(actor, person.organization)
    if channel.verified_at is None:
        channel.verified_at, channel.verified_by = timezone.now(), _user(actor)
        channel.save(update_fields=["verified_at", "verified_by"])
        audit.record(actor=actor, action="person.channel_verify", target=person, org_path=person.org_path,
                     changes={"medium": [None, channel.get_medium_display()]})
    return channel


@transaction.atomic
def person_channel_opt(*, actor: Any, channel: PersonChannel, opted_out: bool) -> PersonChannel:
    """Stop (``opted_out``) or resume messages on this channel: the person themself, or staff on their word."""
    person = channel.person
    if not (_is_self(actor, person) or can_manage_org(actor, person.organization)):
        raise PermissionDenied(_("只有本人或管理该组织的工作人员可以退订"))
    if (channel.opted_out_at is not None) != opted_out:
        channel.opted_out_at = timezone.now() if opted_out else None
        channel.save(update_fields=["opted_out_at"])
        audit.record(actor=actor, action="person.channel_opt_out" if opted_out else "person.channel_opt_in",
                     target=person, org_path=person.org_path, changes={"medium": [None, channel.get_medium_display()]})
    return channel


def channels_of(person: Person) -> list[PersonChannel]:
    """Return the person's channels in the order of :class:`PersonChannel.Medium` (the caller has checked scope)."""
    order = {m: i for i, m in enumerate(M.values)}
    return sorted(person.channels.all(), key=lambda c: order.get(c.medium, 99))


def deliveries_of(person: Person, limit: int = 20) -> QuerySet[OutboundMessage]:
    """Return the latest outbound messages to ``person`` (the caller has checked scope)."""
    return OutboundMessage.objects.filter(person_id=person.pk).order_by("-created_at", "-id")[:limit]


def _is_self(actor: Any, person: Person) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False) and person.user_id == actor.pk


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None
