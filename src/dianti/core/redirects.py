"""Where a form may send the user back to: a ``next`` that is a path on this site, never another site."""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, fallback: str, *args: object) -> str:
    """Return the posted (or queried) ``next`` when it stays on this site, else the URL of ``fallback``.

    ``//evil.example``, ``/\\evil.example``, ``https://evil.example`` and ``javascript:`` are all refused (Django's
    own check, the one its login view uses).
    """
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return wanted
    return resolve_url(fallback, *args)
