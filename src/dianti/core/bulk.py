"""Insert many rows fast, for the scale demo only: COPY on PostgreSQL, one prepared INSERT run many times on SQLite.

The values go in as given, bypassing the models (no ``save``, no signals): the caller passes database values —
ints, strings, JSON already dumped to text (:func:`jsonb`), datetimes from :func:`stamp` — for the columns named,
and the fields' defaults for the others if it asks (:func:`defaults`). Rows that refer to each other get their ids
first (:func:`reserve_ids`); a load of many counties indexes its big tables once at the end
(:func:`deferred_indexes`). Nothing the product writes goes through here; the services write one record at a time,
audited.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone


def jsonb(value: Any) -> str:
    """Return ``value`` as JSON text the way a JSONField stores it."""
    return json.dumps(value, ensure_ascii=False)


def stamp(value: dt.datetime) -> Any:
    """Return an aware datetime as the database stores it (naive UTC text on SQLite)."""
    if connection.vendor == "sqlite":
        return timezone.make_naive(value, dt.UTC).isoformat(" ")
    return value


def reserve_ids(model: type[models.Model], n: int) -> list[int]:
    """Return ``n`` new primary keys of ``model``, ascending, for rows the caller then inserts with them: rows that
    refer to each other (an organization's secretary, a person's organization) are wired before anything is
    written, and COPY needs no ids back.

    On PostgreSQL they come from the table's own sequence, so concurrent inserts never collide with them; SQLite's
    writer holds the database for the whole transaction, so the ids after the largest ever issued are free.
    """
    if n <= 0:
        return []
    table, pk = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                           [connection.ops.quote_name(table), pk, n])
            return sorted(row[0] for row in cursor.fetchall())
        cursor.execute(f"SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "
                       f"COALESCE((SELECT MAX({connection.ops.quote_name(pk)}) FROM {connection.ops.quote_name(table)}), 0))",
                       [table])
        start = int(cursor.fetchone()[0]) + 1
    return list(range(start, start + n))


def defaults(model: type[models.Model], given: Sequence[str]) -> dict[str, Any]:
    """Return {column: database value} for every column of ``model`` but its primary key and the ``given`` ones:
    each field's default, and now for ``auto_now``/``auto_now_add`` — what a save would write for the fields its
    caller did not set. Pass them to :func:`insert_rows` so a loader names only the columns it fills."""
    now = stamp(timezone.now())
    out = {}
    for f in model._meta.concrete_fields:
        if f.primary_key or f.column in given:
            continue
        auto = getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        out[f.column] = now if auto else f.get_db_prep_save(f.get_default(), connection)
    return out


def insert_rows(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]],
                others: dict[str, Any] | None = None) -> int:
    """Insert ``rows`` (values for ``columns``, database column names) into ``model``'s table, with the constant
    values of ``others`` (:func:`defaults`) in their columns; return how many."""
    if others:
        columns = [*columns, *others]
        constant = tuple(others.values())
        rows = (tuple(row) + constant for row in rows)
    table = connection.ops.quote_name(model._meta.db_table)
    cols = ", ".join(connection.ops.quote_name(c) for c in columns)
    n = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # psycopg's own cursor: Django's wrapper has no copy()
            with raw.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    n += 1
            return n
        marks = ", ".join(["%s"] * len(columns))
        batch: list[Sequence[Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= 5000:
                cursor.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", batch)
                n += len(batch)
                batch = []
        if batch:
            cursor.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", batch)
            n += len(batch)
    return n


@contextlib.contextmanager
def deferred_indexes(*tables: type[models.Model], defer: bool = True) -> Iterator[None]:
    """Within the caller's transaction, drop the plain indexes and the foreign keys of ``tables`` and make them
    again on leaving, each from its own stored definition (PostgreSQL only; elsewhere, or with ``defer`` false,
    nothing changes).

    Building an index once over the loaded rows is a sort; keeping it current row by row is a tree descent per row
    and per index, and each deferred foreign key queues a check per row for the commit. For a province's million
    people the second way cost the server more than three times the first (docs/scaling.md). Primary keys and unique indexes
    stay, so a duplicate still fails at once; a foreign key made again checks every row in one join. The tables
    are locked against other writers until the transaction ends; on an error nothing is made again, and the
    rollback restores what was dropped.
    """
    if not defer or connection.vendor != "postgresql":
        yield
        return
    if not connection.in_atomic_block:
        raise RuntimeError("deferred_indexes needs a transaction: its drops must roll back with the load")
    made_again: list[str] = []
    with connection.cursor() as cursor:
        # A table with foreign-key checks still queued for the commit (rows inserted earlier in this transaction)
        # cannot be altered: run those checks now, then let the constraints defer again as declared.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for model in tables:
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute("SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
                           "JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = %s::regclass "
                           "AND NOT i.indisunique AND NOT i.indisprimary", [table])
            for name, definition in cursor.fetchall():
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
                made_again.append(definition)
            cursor.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                           "WHERE conrelid = %s::regclass AND contype = 'f'", [table])
            for name, definition in cursor.fetchall():
                quoted = connection.ops.quote_name(name)
                cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quoted}")
                made_again.append(f"ALTER TABLE {table} ADD CONSTRAINT {quoted} {definition}")
    yield
    with connection.cursor() as cursor:
        for statement in made_again:
            cursor.execute(statement)
