"""Write the audit trail. Services call :func:`record` inside their transaction, so a rolled-back write leaves
no audit record and a committed one always has its record."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models
from django.utils.functional import Promise

from .models import AuditEvent


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model | Promise):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """Return the current values of ``fields`` on ``obj`` as JSON-ready data (foreign keys by their label)."""
    return {name: _plain(getattr(obj, name)) for name in fields}


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Return ``{field: [old, new]}`` for every field whose value changed."""
    return {k: [before.get(k), after.get(k)] for k in after if before.get(k) != after.get(k)}


def record(
    *,
    actor: Any,
    action: str,
    target: models.Model,
    org_path: str = "",
    changes: Mapping[str, Any] | None = None,
    note: str = "",
) -> AuditEvent:
    """Append one audit record for ``action`` on ``target`` by ``actor`` (a user, or None for the system)."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    name = ""
    if user is not None:
        name = user.get_full_name() or user.get_username()
    elif isinstance(actor, str):
        name = actor
    return AuditEvent.objects.create(
        actor=user,
        actor_name=name or "系统",
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        target_repr=str(target)[:200],
        org_path=org_path,
        changes={k: _plain(v) for k, v in (changes or {}).items()},
        note=note,
    )
