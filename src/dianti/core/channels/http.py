"""One HTTP exchange with a provider: JSON back, small timeouts, and errors said without secrets.

A URL may carry an ``access_token``: nothing here puts the URL (or a request body, which holds phone numbers and
names) into an exception or a log line.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from django.conf import settings

from .base import ProviderError

MAX_ANSWER = 1 << 20


def call(method: str, url: str, *, body: bytes | None = None, headers: dict[str, str] | None = None) -> Any:
    """Send one request and return its JSON answer (also an error status's JSON body, which the providers use to
    say why); raise :class:`ProviderError` — to retry on a 5xx or 429, or a garbled answer — otherwise."""
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=settings.NOTIFY_HTTP_TIMEOUT) as resp:  # noqa: S310 — configured
            raw, status = resp.read(MAX_ANSWER), resp.status
    except urllib.error.HTTPError as exc:
        raw, status = exc.read(MAX_ANSWER), exc.code
    try:
        answer = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ProviderError(f"HTTP{status}", "服务商返回的内容无法解析", retry=True) from None
    if status >= 500 or status == 429:
        raise ProviderError(f"HTTP{status}", "服务商暂时不可用", retry=True)
    return answer


def post_json(url: str, payload: Any, headers: dict[str, str] | None = None) -> Any:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    return call("POST", url, body=body, headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})})
