"""Write many draft results and pending proposals at once: on PostgreSQL one COPY into a temporary table and one
INSERT … ON CONFLICT DO UPDATE from it; elsewhere Django's ``bulk_create(update_conflicts=True)``. Either way an
existing row (a subject's result, a subject's proposal of one action) is updated in place — its id, and so a
result's publications, kept — and a new one inserted.

:mod:`.recompute` writes a province's results through here; the fields are :func:`.services.result_fields`'s and
:func:`.services.proposal_fields`'s, the same the per-meeting path saves with ``update_or_create``. No model is
made per row on PostgreSQL: for a province's 100,000 proposals, building and preparing them was a fifth of the
recompute's CPU.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models

from .models import ActionProposal, SubjectResult

# The detail holds no cycles; not checking for them, and no spaces, make encoding a province's details faster.
ENCODER = json.JSONEncoder(check_circular=False, separators=(",", ":"), ensure_ascii=False)
# A result's stored fields (:func:`.services.result_fields`), in the order its rows are copied.
RESULT_FIELDS = ("scheme", "meeting", "score", "ballots", "invalid", "satisfaction", "satisfaction_low",
                 "satisfaction_high", "dissatisfaction", "alpha", "detail", "explanation", "status", "computed_at",
                 "submitted_at", "submitted_by")
PROPOSAL_KEY = ("subject", "action")
# The result fields stored as they are (the others: relations by their key, the detail as JSON, the time computed).
_AS_IS = frozenset({"score", "ballots", "invalid", "satisfaction", "satisfaction_low", "satisfaction_high",
                    "dissatisfaction", "alpha", "explanation", "status"})


def _columns(model: type[models.Model], fields: Sequence[str]) -> list[str]:
    return [model._meta.get_field(f).column for f in fields]


def _copy_upsert(model: type[models.Model], key: Sequence[str], columns: Sequence[str], update: Sequence[str],
                 rows: Iterable[Sequence[Any]], wide: Sequence[str] = ()) -> None:
    """COPY ``rows`` (database values of ``columns``) into a temporary table shaped like ``model``'s, then insert
    them into the table, updating the ``update`` columns of a row whose ``key`` columns exist already.

    The ``wide`` columns are kept uncompressed in the temporary table: compressed on the way in (pglz, the default,
    whatever the table's own setting) and again on the way out, a province's 150,000 details of 3.5 kB cost the
    server about ten seconds more."""
    table = model._meta.db_table
    temp = f"dianti_upsert_{table}"
    listed = ", ".join(columns)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {temp} ON COMMIT DROP AS SELECT {listed} FROM {table} "
                       f"WITH NO DATA")
        for column in wide:
            cursor.execute(f"ALTER TABLE {temp} ALTER COLUMN {column} SET STORAGE EXTERNAL")
        with cursor.copy(f"COPY {temp} ({listed}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in update)
        cursor.execute(f"INSERT INTO {table} ({listed}) SELECT {listed} FROM {temp} "
                       f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {updates}")
        cursor.execute(f"TRUNCATE {temp}")


def stored(subject_id: int, values: dict[str, Any], fields: Sequence[str], now: Any) -> Any:
    """Return a subject's result as :func:`results_upsert` takes it: on PostgreSQL the row's database values
    (``computed_at`` now, as ``auto_now`` would set it) — made where the result is scored, a worker process
    included, so the writer only copies them — elsewhere the subject and its fields."""
    if connection.vendor != "postgresql":
        if isinstance(values.get("detail"), str):  # written as text already (:mod:`.stored_rows`)
            values = {**values, "detail": json.loads(values["detail"])}
        return subject_id, values
    row = [subject_id]
    for field in fields:
        value = values.get(field)
        if field in _AS_IS:
            row.append(value)
        elif field == "computed_at":
            row.append(now)
        elif field == "detail":
            row.append(value if isinstance(value, str) else ENCODER.encode(value))
        else:  # a relation: its key
            row.append(None if value is None else value.pk)
    return row


def results_upsert(rows: Sequence[Any], fields: Sequence[str], batch_size: int) -> None:
    """Store results (:func:`stored`): ``fields`` are updated on a subject that has a result already."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        objs = [SubjectResult(subject_id=sid, **values) for sid, values in rows]
        SubjectResult.objects.bulk_create(objs, update_conflicts=True, unique_fields=["subject"],
                                          update_fields=list(fields), batch_size=batch_size)
        return
    columns = _columns(SubjectResult, ["subject", *fields])
    _copy_upsert(SubjectResult, columns[:1], columns, columns[1:], rows, wide=_columns(SubjectResult, ["detail"]))


def proposals_upsert(rows: Sequence[tuple[int, str, dict[str, Any]]], fields: Sequence[str], batch_size: int
                     ) -> None:
    """Store (subject id, action, :func:`.services.proposal_fields`) rows: ``fields`` are updated on a subject's
    proposal of that action when it has one already."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        objs = [ActionProposal(subject_id=sid, action=action, **values) for sid, action, values in rows]
        ActionProposal.objects.bulk_create(objs, update_conflicts=True, unique_fields=list(PROPOSAL_KEY),
                                           update_fields=list(fields), batch_size=batch_size)
        return
    names = [*PROPOSAL_KEY, *fields, "note"]  # a new proposal's note is empty; who decided it and when, NULL
    columns = _columns(ActionProposal, names)
    _copy_upsert(ActionProposal, columns[:2], columns, _columns(ActionProposal, fields),
                 ([sid, action, *(getattr(values[f], "pk", values[f]) for f in fields), ""]
                  for sid, action, values in rows))
