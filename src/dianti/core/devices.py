"""Who is on the other end of a public page, as far as the platform may know: a random device id kept in the
phone's own cookie, and a keyed hash of the client's address. Both are hashed before they are stored or counted
(:func:`dianti.core.ratelimit.digest`), so neither names anyone; they serve "+1 once per phone", the rate limits and
the hall's sign-in.

The evaluator's phone secret (``meetings/views_public.py``, cookie ``dt_evdev``) is deliberately *not* this device
id: a cast code bound to it must not be matchable with a name signed in from the same phone.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from . import ratelimit
from .http import client_address

DEVICE_COOKIE = "dt_dev"
DEVICE_COOKIE_AGE = 3 * 365 * 86400


def device_identity(request: HttpRequest) -> tuple[str, str]:
    """Return the device id from its cookie (a new one if absent) and its keyed hash."""
    raw = request.COOKIES.get(DEVICE_COOKIE) or secrets.token_urlsafe(16)
    return raw, ratelimit.digest(f"dev:{raw}")


def remember_device(response: HttpResponse, raw: str) -> HttpResponse:
    """Set (or renew) the device cookie on ``response`` and return it."""
    response.set_cookie(DEVICE_COOKIE, raw, max_age=DEVICE_COOKIE_AGE, httponly=True, samesite="Lax",
                        secure=settings.DIANTI_COOKIE_SECURE)
    return response


def address_hash(request: HttpRequest) -> str:
    """Return the keyed hash of the client's address (behind trusted proxies only; see ``client_address``)."""
    return ratelimit.digest("ip:" + client_address(request))
