"""Small helpers shared by the thin views: error messages and their flash, file downloads, and the client's
address behind trusted proxies."""

from __future__ import annotations

import ipaddress
from typing import Any, Literal
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse


def error_messages(exc: ValidationError) -> list[str]:
    """Return the human messages of a ValidationError, whatever its shape (field dict, list or single)."""
    if hasattr(exc, "message_dict"):
        return [m for msgs in exc.message_dict.values() for m in msgs]
    return list(exc.messages)


def flash_errors(request: HttpRequest, problem: ValidationError | PermissionDenied | Any) -> None:
    """Flash every message of ``problem`` as an error on the next page.

    ``problem`` is a service's ``ValidationError`` (each message), a ``PermissionDenied`` (its sentence, which
    names who may), or a bound form (each of its errors).
    """
    if isinstance(problem, ValidationError):
        texts = error_messages(problem)
    elif isinstance(problem, PermissionDenied):
        texts = [str(problem)]
    else:
        texts = [str(m) for msgs in problem.errors.values() for m in msgs]
    for text in texts:
        messages.error(request, text)


FILE_TYPES: dict[str, str] = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """Return a ``Content-Disposition`` value naming ``filename``: an ASCII ``filename`` for old clients and the
    exact name as RFC 5987's ``filename*`` (UTF-8, percent-encoded), which every current browser prefers."""
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in filename)
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def file_response(content: bytes, filename: str, kind: Literal["pdf", "docx", "xlsx"], *,
                  inline: bool = False) -> HttpResponse:
    """Return ``content`` as a download of type ``kind`` named ``filename`` (shown in the browser when ``inline``)."""
    response = HttpResponse(content, content_type=FILE_TYPES[kind])
    response["Content-Disposition"] = content_disposition(filename, inline=inline)
    return response


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
