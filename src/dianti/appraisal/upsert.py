"""Write many draft results at once: on PostgreSQL one COPY into a temporary table and one INSERT … ON CONFLICT DO
UPDATE from it; elsewhere Django's ``bulk_create(update_conflicts=True)``. Either way a subject's existing row is
updated in place (its id, and so its publications, kept) and a new one inserted.

:mod:`.recompute` writes a province's results through here; the fields are :func:`.services.result_fields`'s, the
same the per-meeting path saves with ``update_or_create``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.utils import timezone

from .models import SubjectResult

TEMP = "dianti_recompute_results"
# The detail holds no cycles; not checking for them, and no spaces, make encoding a province's details faster.
ENCODER = json.JSONEncoder(check_circular=False, separators=(",", ":"))


def _columns(fields: Sequence[str]) -> list[str]:
    return [SubjectResult._meta.get_field(f).column for f in fields]


def results_upsert(rows: Sequence[tuple[int, dict[str, Any]]], fields: Sequence[str], batch_size: int) -> None:
    """Store (subject id, stored fields) rows: ``fields`` are updated on a subject that has a result already.

    ``computed_at`` is now, as ``auto_now`` would set it."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        objs = [SubjectResult(subject_id=sid, **values) for sid, values in rows]
        SubjectResult.objects.bulk_create(objs, update_conflicts=True, unique_fields=["subject"],
                                          update_fields=list(fields), batch_size=batch_size)
        return
    now = timezone.now()
    names = ["subject", *fields]
    columns = _columns(names)
    listed = ", ".join(columns)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {TEMP} ON COMMIT DROP AS "
                       f"SELECT {listed} FROM {SubjectResult._meta.db_table} WITH NO DATA")
        with cursor.copy(f"COPY {TEMP} ({listed}) FROM STDIN") as copy:
            for sid, values in rows:
                copy.write_row([sid, *(_value(f, values, now) for f in fields)])
        updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns[1:])
        cursor.execute(f"INSERT INTO {SubjectResult._meta.db_table} ({listed}) SELECT {listed} FROM {TEMP} "
                       f"ON CONFLICT ({columns[0]}) DO UPDATE SET {updates}")
        cursor.execute(f"TRUNCATE {TEMP}")


def _value(field: str, values: dict[str, Any], now: Any) -> Any:
    if field == "computed_at":
        return now
    value = values[field]
    if field == "detail":
        return ENCODER.encode(value)
    return getattr(value, "pk", value)
