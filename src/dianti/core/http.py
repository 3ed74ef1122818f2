"""Small helpers shared by the thin views."""

from __future__ import annotations

from django.core.exceptions import ValidationError


def error_messages(exc: ValidationError) -> list[str]:
    """Return the human messages of a ValidationError, whatever its shape (field dict, list or single)."""
    if hasattr(exc, "message_dict"):
        return [m for msgs in exc.message_dict.values() for m in msgs]
    return list(exc.messages)
