"""Write and check the audit trail. Services call :func:`record` inside their transaction, so a rolled-back write
leaves no audit record and a committed one always has its record.

The trail is a hash chain (see ``AuditEvent.canonical``): :func:`verify` walks it and names the first record whose
content or link no longer matches, and each appended record's hash line can also go to an external sink
(``DIANTI_AUDIT_SINK``: a file path, or ``syslog`` / ``syslog://host:port``) out of reach of whoever holds the
database, to catch a rewrite of the whole chain from some record on.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import models
from django.utils.functional import Promise

from .models import GENESIS, AuditChainHead, AuditEvent


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


def event(
    *,
    actor: Any,
    action: str,
    target: models.Model | None,
    org_path: str = "",
    changes: Mapping[str, Any] | None = None,
    note: str = "",
    target_type: str = "",
    target_repr: str = "",
) -> AuditEvent:
    """Return the (unsaved) audit record of ``action`` on ``target`` by ``actor`` (a user, or None for the system):
    what :func:`record` appends, or one of many for :func:`record_all`.

    Without a model ``target`` (a failed login for an unknown name, a file download), ``target_type`` and
    ``target_repr`` say what was acted on."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    name = ""
    if user is not None:
        name = user.get_full_name() or user.get_username()
    elif isinstance(actor, str):
        name = actor
    return AuditEvent(
        actor=user,
        actor_name=(name or "系统")[:150],
        action=action,
        target_type=target._meta.label_lower if target is not None else target_type,
        target_id=str(target.pk) if target is not None else "",
        target_repr=(target_repr or str(target or ""))[:200],
        org_path=org_path,
        changes={k: _plain(v) for k, v in (changes or {}).items()},
        note=note,
    )


def record(
    *,
    actor: Any,
    action: str,
    target: models.Model | None,
    org_path: str = "",
    changes: Mapping[str, Any] | None = None,
    note: str = "",
    target_type: str = "",
    target_repr: str = "",
) -> AuditEvent:
    """Append one audit record (see :func:`event`) and return it."""
    made = event(actor=actor, action=action, target=target, org_path=org_path, changes=changes, note=note,
                 target_type=target_type, target_repr=target_repr)
    made.save()
    return made


def record_all(events: Sequence[AuditEvent]) -> None:
    """Append ``events`` (from :func:`event`) to the chain in their order, with one insert: a service that writes
    many rows at once records them at once."""
    AuditEvent.objects.bulk_create(list(events))


@dataclass(frozen=True)
class Break:
    """The first place the chain does not hold: the record it was found at and what no longer matches."""

    event_id: int | None
    message: str

    def __str__(self) -> str:
        return self.message


def _walk(batch: int = 2000) -> Iterator[AuditEvent]:
    last = 0
    while True:
        rows = list(AuditEvent.objects.filter(id__gt=last).order_by("id")[:batch])
        if not rows:
            return
        yield from rows
        last = rows[-1].pk


def verify() -> tuple[int, Break | None]:
    """Walk the chain oldest first; return how many records hold and the first break, or None when all hold.

    A record whose stored hash differs from its content was edited in place; a record whose ``prev_hash`` differs
    from the hash of the record before it follows a deleted record, or a predecessor that was rewritten with its hash
    recomputed. The head row must name the newest record, or records were cut off the end."""
    previous_hash, previous_id, count = GENESIS, None, 0
    for event in _walk():
        if event.prev_hash != previous_hash:
            after = f"#{previous_id}" if previous_id is not None else "链首"
            gap = range((previous_id or 0) + 1, event.pk)
            if len(gap) == 1:
                what = f"编号 #{gap[0]} 的记录已被删除"
            elif gap:
                what = f"{after} 与 #{event.pk} 之间的记录（#{gap[0]}–#{gap[-1]}）有的已被删除"
            else:
                what = f"{after} 被改写后重算了哈希，或其后的记录被删除"
            return count, Break(event.pk, f"记录 #{event.pk} 与前一条（{after}）的链接断开：{what}")
        if event.compute_hash() != event.hash:
            return count, Break(event.pk, f"记录 #{event.pk} 的内容与其哈希不符：写入后被修改"
                                          f"（{event.at:%Y-%m-%d %H:%M} {event.action} {event.target_repr}）")
        previous_hash, previous_id, count = event.hash, event.pk, count + 1
    head = AuditChainHead.objects.filter(pk=1).first()
    head_hash = head.hash if head else GENESIS
    if head_hash != previous_hash:
        if head is not None and head.last_id == previous_id:
            return count, Break(previous_id, f"最后一条记录 #{previous_id} 被改写后重算了哈希（与链头不符）")
        last = f"#{head.last_id}" if head and head.last_id else "更多记录"
        return count, Break(head.last_id if head else None,
                            f"链头指向 {last}，但最后一条记录是 #{previous_id}：末尾的记录已被删除或链头被改写")
    return count, None


def verify_sink(path: str | Path) -> Break | None:
    """Compare the database with an external sink file: every hash it kept must still be in the log unchanged."""
    stored = dict(AuditEvent.objects.values_list("id", "hash"))
    with Path(path).open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            parts = line.split()
            if len(parts) != 4 or not parts[0].isdigit():
                continue
            event_id, digest = int(parts[0]), parts[3]
            if event_id not in stored:
                return Break(event_id, f"外部副本第 {number} 行记有记录 #{event_id}，数据库中已没有这条记录")
            if stored[event_id] != digest:
                return Break(event_id, f"外部副本第 {number} 行记录 #{event_id} 的哈希与数据库不同：该记录被改写")
    return None
