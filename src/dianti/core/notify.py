"""Notifications: an in-app notification centre for every user, and pluggable outbound channels.

Services call :func:`notify` inside their transaction; the messages are written and sent only when that
transaction commits, so a rolled-back action never tells anyone anything. Outbound channels implement
:class:`Channel` and are listed in ``settings.NOTIFY_CHANNELS``; the defaults are a log channel (every message in
the outbound log, for the single-machine setup) and e-mail (for recipients with an address). SMS or WeChat adapters
are one more class each.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils.module_loading import import_string

from .models import Notification, OutboundMessage

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recipient:
    """Whom to tell: a user account (in-app) and/or contact details for outbound channels."""

    user_id: int | None
    name: str
    email: str = ""
    phone: str = ""


@dataclass(frozen=True)
class Message:
    kind: str
    title: str
    body: str = ""
    url: str = ""


class Channel(Protocol):
    name: str

    def send(self, message: Message, recipient: Recipient) -> None: ...


class LogChannel:
    """Record every message in the outbound log (and the application log)."""

    name = "log"

    def send(self, message: Message, recipient: Recipient) -> None:
        OutboundMessage.objects.create(channel=self.name, kind=message.kind, to_name=recipient.name,
                                       to_address=recipient.phone or recipient.email, title=message.title,
                                       body=message.body)
        log.debug("notify %s → %s: %s", message.kind, recipient.name, message.title)


class EmailChannel:
    """Send by e-mail to recipients who have an address."""

    name = "email"

    def send(self, message: Message, recipient: Recipient) -> None:
        if not recipient.email:
            return
        try:
            send_mail(f"【点题述职】{message.title}", f"{message.body}\n\n{message.url}", None, [recipient.email])
        except Exception as exc:  # a mail outage must not lose the in-app notification or the action
            OutboundMessage.objects.create(channel=self.name, kind=message.kind, to_name=recipient.name,
                                           to_address=recipient.email, title=message.title, status="failed",
                                           error=str(exc))
            return
        OutboundMessage.objects.create(channel=self.name, kind=message.kind, to_name=recipient.name,
                                       to_address=recipient.email, title=message.title, body=message.body)


def channels() -> list[Channel]:
    return [import_string(path)() for path in getattr(settings, "NOTIFY_CHANNELS", [])]


def recipient_for_user(user: Any) -> Recipient:
    person = getattr(user, "person", None) if user is not None else None
    return Recipient(user_id=user.pk, name=user.get_full_name() or user.get_username(), email=user.email or "",
                     phone=getattr(person, "phone", "") or "")


def admins_at(path: str) -> list[Recipient]:
    """Whom to tell at an organization: the admins holding a role on the one at ``path`` (not those above it)."""
    from .directory import directory

    d = directory()
    return [recipient_for_user(u) for u in d.holders(roles=d.admin_roles, paths=[path])] if path else []


def recipient_for_person(person: Any) -> Recipient:
    return Recipient(user_id=person.user_id, name=person.name, phone=person.phone or "")


def notify(recipients: Iterable[Recipient], message: Message) -> None:
    """Tell each recipient about ``message`` once the current transaction commits."""
    unique = {(r.user_id, r.name, r.phone, r.email): r for r in recipients}
    if unique:
        transaction.on_commit(lambda: _deliver(list(unique.values()), message))


def _deliver(recipients: list[Recipient], message: Message) -> None:
    Notification.objects.bulk_create([
        Notification(recipient_id=r.user_id, kind=message.kind, title=message.title, body=message.body,
                     url=message.url)
        for r in recipients if r.user_id is not None
    ])
    for channel in channels():
        for r in recipients:
            try:
                channel.send(message, r)
            except Exception:
                log.exception("outbound channel %s failed for %s", channel.name, r.name)
