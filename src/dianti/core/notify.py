"""Notifications: an in-app notification centre for every user, and pluggable outbound channels.

Services call :func:`notify` inside their transaction. It writes, in that transaction, one
:class:`~dianti.core.models.OutboundMessage` row, ``queued``, per recipient and outbound channel that can reach them
(and, once it commits, the in-app notification of each recipient with an account); after the commit a background
task sends each row (:mod:`dianti.core.outbound`: retries with backoff, a rate limit per provider, the provider's
answer kept). A rolled-back action therefore tells nobody anything, and a provider that is down delays a message, never an action.

Outbound channels implement :class:`Channel` and are listed in ``settings.NOTIFY_CHANNELS``: the log channel (the
single-machine default: every message in the outbound log), e-mail, and the providers' adapters in
:mod:`dianti.core.channels` (Alibaba Cloud and Tencent Cloud SMS, WeChat Official Account, DingTalk, 企业微信).
Each channel reaches one *medium* (``sms``, ``wechat`` …); whom it reaches there is the person's verified, not
opted-out contact for that medium (the organizations step provides them as ``"contacts"``), or, for someone with
no record as a person (a villager who left a phone with an opinion), the phone they gave.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.mail import send_mail
from django.db import transaction

from .channels.base import (
    Outgoing,
    Sent,
    channels,
)
from .models import Notification, OutboundMessage

log = logging.getLogger(__name__)

MEDIA = ("sms", "wechat", "dingtalk", "wecom", "email")


@dataclass(frozen=True)
class Recipient:
    """Whom to tell: a user account (in-app), a person (their channels), and/or contact details given directly."""

    user_id: int | None
    name: str
    email: str = ""
    phone: str = ""
    person_id: int | None = None
    org_path: str = ""


@dataclass(frozen=True)
class Message:
    kind: str
    title: str
    body: str = ""
    url: str = ""
    # Values for the providers' templates (a template's parameter names pick from these, see ``template_for``).
    params: Mapping[str, str] = field(default_factory=dict)
    org_path: str = ""  # whose business it is: staff of that subtree see its deliveries


class LogChannel:
    """Record every message in the outbound log and nowhere else: the single-machine stand-in for SMS and the
    rest (``make run`` has no provider keys), so the person's page shows what would have gone out."""

    name = "log"
    medium = "log"

    def accepts(self, kind: str) -> bool:
        return True

    def send(self, out: Outgoing) -> Sent:
        log.debug("notify %s: %s", out.kind, out.title)
        return Sent(code="LOGGED", delivered=True)


class EmailChannel:
    """Send by e-mail to recipients who have an address."""

    name = "email"
    medium = "email"

    def accepts(self, kind: str) -> bool:
        return True

    def send(self, out: Outgoing) -> Sent:
        send_mail(f"【点题述职】{out.title}", f"{out.body}\n\n{out.url}", None, [out.to_address])
        return Sent(code="OK")


def recipient_for_user(user: Any) -> Recipient:
    person = getattr(user, "person", None) if user is not None else None
    return Recipient(user_id=user.pk, name=user.get_full_name() or user.get_username(), email=user.email or "",
                     phone=getattr(person, "phone", "") or "", person_id=getattr(person, "pk", None),
                     org_path=getattr(person, "org_path", "") or "")


def admins_at(path: str) -> list[Recipient]:
    """Whom to tell at an organization: the admins holding a role on the one at ``path`` (not those above it)."""
    from .directory import directory

    d = directory()
    return [recipient_for_user(u) for u in d.holders(roles=d.admin_roles, paths=[path])] if path else []


def recipient_for_person(person: Any) -> Recipient:
    return Recipient(user_id=person.user_id, name=person.name, phone=person.phone or "", person_id=person.pk,
                     org_path=person.org_path)


def notify(recipients: Iterable[Recipient], message: Message) -> None:
    """Tell each recipient about ``message``: in-app and on every channel that reaches them, written now (in the
    caller's transaction) and sent once it commits."""
    unique = list({(r.user_id, r.name, r.phone, r.email, r.person_id): r for r in recipients}.values())
    if not unique:
        return
    in_app = [Notification(recipient_id=r.user_id, kind=message.kind, title=message.title, body=message.body,
                           url=message.url) for r in unique if r.user_id is not None]
    if in_app:  # the notification centre shows what happened once it has (on commit), as it always has
        transaction.on_commit(lambda: Notification.objects.bulk_create(in_app))
    rows = _outbound_rows(unique, message)
    if rows:
        from . import outbound

        outbound.enqueue(rows)


def _outbound_rows(recipients: list[Recipient], message: Message) -> list[OutboundMessage]:
    batch, rows = uuid.uuid4().hex, []
    contacts = _contacts([r.person_id for r in recipients if r.person_id is not None])
    for channel in channels():
        if not channel.accepts(message.kind):
            continue
        for r in recipients:
            address = _address(channel.medium, r, contacts)
            if address is None:
                continue
            rows.append(OutboundMessage(
                channel=channel.name, kind=message.kind, to_name=r.name, to_address=address, title=message.title,
                body=message.body, url=message.url, params=dict(message.params), person_id=r.person_id, user_id_to=r.user_id,
                org_path=r.org_path or message.org_path, batch=batch, status=OutboundMessage.Status.QUEUED))
    return rows


def _contacts(person_ids: list[int]) -> dict[int, dict[str, str]]:
    """Return each person's contacts by medium: the address where it is verified and not opted out, else ``""``."""
    if not person_ids:
        return {}
    from . import components

    return components.provider("contacts")(person_ids)  # type: ignore[no-any-return]


def _address(medium: str, r: Recipient, contacts: dict[int, dict[str, str]]) -> str | None:
    """Return where ``medium`` reaches ``r`` (None: it does not)."""
    if medium == "log":
        return r.phone or r.email
    if r.person_id is not None:
        mine = contacts.get(r.person_id, {})
        if medium in mine:
            return mine[medium] or None  # "" : not verified yet, or opted out
        return r.email if medium == "email" and r.email else None  # an account's e-mail is its own
    if medium == "sms" and r.phone:
        return r.phone  # left by the villager themself, with the opinion, to hear back
    if medium == "email" and r.email:
        return r.email
    return None
