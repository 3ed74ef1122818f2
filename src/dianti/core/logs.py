"""Structured logs: one JSON object per line, for a log shipper (Loki, ELK, a county's syslog) to index.

Production (``DIANTI_DEBUG`` off) logs JSON by default; ``DIANTI_LOG_FORMAT=text`` asks for plain lines, and
``make run`` keeps plain lines. Each request gets an id (:class:`RequestIdMiddleware`): the proxy's ``X-Request-ID``
when it is a short token (so the proxy's lines and ours match), else one made here; it is echoed in the response
header and put on every line logged while the request runs, so one person's trouble can be followed across the
proxy's and the web workers' logs.

What is never logged: request bodies, form fields, ballot contents, evaluator codes, phone numbers, the delivery
receipts' secret token. The line carries the logger's message and the fields the code passed in ``extra``, nothing
read from the request except its method, path (no query string: a tracking code may be in it; the receipts' token
blanked, :func:`redact`) and id.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("dianti_request_id", default="")
request_path: contextvars.ContextVar[str] = contextvars.ContextVar("dianti_request_path", default="")

_TOKEN = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
# The delivery receipts' URL carries the secret that lets a provider in (settings.NOTIFY_RECEIPT_TOKEN).
_RECEIPT_SECRET = re.compile(r"(/outbound/receipts/[^/\s]*/)[^/\s]+")
# Attributes every LogRecord has; anything else on a record came from ``extra=`` and is logged as a field.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}


def redact(text: str) -> str:
    """Return ``text`` with the secret of any delivery receipts URL in it replaced by ``***``."""
    return _RECEIPT_SECRET.sub(r"\1***", text) if "/outbound/receipts/" in text else text


class TextFormatter(logging.Formatter):
    """Plain lines (``make run``, ``DIANTI_LOG_FORMAT=text``), the receipts' secret blanked like in JSON lines."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class JsonFormatter(logging.Formatter):
    """Format a record as one line of JSON: time (UTC, ISO 8601), level, logger, message, request id and path when
    in a request, the exception's traceback when there is one, and any ``extra`` fields."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        if rid := request_id.get():
            line["request_id"] = rid
            line["path"] = request_path.get()
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                line[key] = value if isinstance(value, (int, float, bool, type(None))) else redact(
                    value if isinstance(value, str) else repr(value))
        if record.exc_info:
            line["exc"] = redact(self.formatException(record.exc_info))
        return json.dumps(line, ensure_ascii=False)


class RequestIdMiddleware:
    """Give each request an id for the logs and echo it as ``X-Request-ID``."""

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        given = request.headers.get("X-Request-ID", "")
        rid = given if _TOKEN.match(given) else secrets.token_hex(8)
        id_token = request_id.set(rid)
        path_token = request_path.set(f"{request.method} {redact(request.path)}")
        try:
            response = self.get_response(request)
        finally:
            request_id.reset(id_token)
            request_path.reset(path_token)
        response["X-Request-ID"] = rid
        return response


def config(*, json_lines: bool, level: str) -> dict[str, Any]:
    """Return the LOGGING dict: one console handler, JSON or plain; Django's SQL logger quiet."""
    formatter = {"()": "dianti.core.logs.JsonFormatter" if json_lines else "dianti.core.logs.TextFormatter"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"main": formatter},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "main"}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {"django.db.backends": {"level": "WARNING"},
                    # Celery installs its own handlers unless told not to hijack the root logger (CELERY_WORKER_HIJACK_ROOT_LOGGER).
                    "celery": {"level": level}},
    }
