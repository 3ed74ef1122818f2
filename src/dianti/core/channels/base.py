"""What every outbound channel shares: the :class:`Channel` protocol, what it is handed and answers, the
providers' templates (``settings.NOTIFY_TEMPLATES``) and the configured channels (``settings.NOTIFY_CHANNELS``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Outgoing:
    """What a channel is handed: one message for one address."""

    kind: str
    title: str
    body: str
    url: str
    to_name: str
    to_address: str
    params: Mapping[str, str]


@dataclass(frozen=True)
class Sent:
    """A provider's acceptance: its message id (for receipts) and whether it already counts as delivered."""

    provider_id: str = ""
    code: str = "OK"
    delivered: bool = False


class ProviderError(Exception):
    """A provider refused or could not take a message. ``retry`` says whether trying later may succeed (a
    transport error, the provider busy) or not (a wrong number, a daily limit, a missing template)."""

    def __init__(self, code: str, reason: str, *, retry: bool = False) -> None:
        super().__init__(f"{code}: {reason}")
        self.code, self.reason, self.retry = code, reason, retry


class Channel(Protocol):
    name: str  # the row's channel: "log", "email", "sms_aliyun" …
    medium: str  # which contact it needs: one of MEDIA, or "log" (every recipient)

    def accepts(self, kind: str) -> bool:
        """Return whether this channel can carry messages of ``kind`` (an SMS needs an approved template)."""
        ...

    def send(self, out: Outgoing) -> Sent:
        """Hand ``out`` to the provider; raise :class:`ProviderError` (or any transport error) when it fails."""
        ...


def channels() -> list[Channel]:
    return [import_string(path)() for path in getattr(settings, "NOTIFY_CHANNELS", [])]


def channel_named(name: str) -> Channel | None:
    return next((c for c in channels() if c.name == name), None)


def template_for(channel: str, kind: str) -> tuple[str, list[str]] | None:
    """Return the provider template (its code and parameter names, in order) that carries ``kind`` on ``channel``,
    from ``settings.NOTIFY_TEMPLATES`` (``{channel: {kind: [code, [names…]]}}``), or None."""
    entry = getattr(settings, "NOTIFY_TEMPLATES", {}).get(channel, {}).get(kind)
    if not entry:
        return None
    code, names = entry[0], list(entry[1]) if len(entry) > 1 else []
    return str(code), [str(n) for n in names]


def template_params(out: Outgoing, names: Iterable[str]) -> dict[str, str]:
    """Return the value of each template parameter: the message's own ``params``, else its title, body, link or
    recipient's name under those names, else ``""``."""
    fallback = {"title": out.title, "body": out.body, "url": out.url, "name": out.to_name}
    return {n: str(out.params.get(n, fallback.get(n, ""))) for n in names}


