"""Insert many rows fast, for the scale demo only: COPY on PostgreSQL, one prepared INSERT run many times on SQLite.

The values go in as given, bypassing the models (no ``save``, no signals, no defaults): the caller passes database
values — ints, strings, JSON already dumped to text (:func:`jsonb`), datetimes from :func:`stamp` — for exactly the
columns named. Nothing the product writes goes through here; the services write one record at a time, audited.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
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


def insert_rows(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert ``rows`` (values for ``columns``, database column names) into ``model``'s table; return how many."""
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
