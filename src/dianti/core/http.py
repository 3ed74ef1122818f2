"""Small helpers shared by the thin views: error messages, and the client's address behind trusted proxies."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest


def error_messages(exc: ValidationError) -> list[str]:
    """Return the human messages of a ValidationError, whatever its shape (field dict, list or single)."""
    if hasattr(exc, "message_dict"):
        return [m for msgs in exc.message_dict.values() for m in msgs]
    return list(exc.messages)


def _networks(entries: list[str]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(e.strip(), strict=False) for e in entries if e.strip()]


def _trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in _networks(list(getattr(settings, "DIANTI_TRUSTED_PROXIES", []))))


def client_address(request: HttpRequest) -> str:
    """Return the address the request came from, as far as it can be trusted.

    ``X-Forwarded-For`` is anyone's to write, so it counts only when the peer (``REMOTE_ADDR``) is one of
    ``DIANTI_TRUSTED_PROXIES``; then take the right-most address of the header that is not itself a trusted proxy —
    everything left of it was written by the client and proves nothing. Otherwise the peer is the client.
    """
    peer = request.META.get("REMOTE_ADDR", "")
    if not _trusted(peer):
        return peer
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop):
            return hop
    return hops[0] if hops else peer
