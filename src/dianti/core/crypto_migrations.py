"""Rewrite encrypted columns in place: encrypt a plaintext column (the issue-11 data migrations), decrypt it back,
or re-encrypt under a new key (``dianti rekey``), refreshing the search hashes beside it.

Columns are read and written with raw SQL, because the model field decrypts on read. Rows go in batches, so a
county's hundreds of thousands of people need neither one statement per row nor all of them in memory.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import crypto

BATCH = 2000

# Given the stored value, return (the value to store, its plaintext).
Change = Callable[[str], tuple[str, str]]


def rewrite(connection: Any, table: str, column: str, hashes: dict[str, Callable[[str], str]],
            change: Change) -> int:
    """Apply ``change`` to every non-empty ``column`` of ``table`` and refresh ``hashes``; return the rows."""
    q = connection.ops.quote_name
    sets = ", ".join([f"{q(column)} = %s", *(f"{q(h)} = %s" for h in hashes)])
    n = 0
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, {q(column)} FROM {q(table)} WHERE {q(column)} <> '' ORDER BY id")  # noqa: S608
        while rows := cursor.fetchmany(BATCH):
            params = []
            for pk, value in rows:
                new, plain = change(value)
                params.append([new, *(fn(plain) for fn in hashes.values()), pk])
            with connection.cursor() as write:
                write.executemany(f"UPDATE {q(table)} SET {sets} WHERE id = %s", params)  # noqa: S608
            n += len(rows)
    return n


def _encrypting(value: str) -> tuple[str, str]:
    return crypto.encrypt(value), value


def _decrypting(value: str) -> tuple[str, str]:
    plain = crypto.decrypt(value)
    return plain, plain


def reencrypting(value: str) -> tuple[str, str]:
    plain = crypto.decrypt(value)  # under the current key or one of DIANTI_DATA_KEY_OLD
    return crypto.encrypt(plain), plain


def encrypt_column(label: str, column: str, hashes: dict[str, Callable[[str], str]] | None = None) -> Any:
    """Return RunPython functions (forward, backward) that encrypt ``column`` of ``label`` and fill its hashes."""
    hashes = hashes or {}

    def forward(apps: Any, schema_editor: Any) -> None:
        table = apps.get_model(label)._meta.db_table
        rewrite(schema_editor.connection, table, column, hashes, _encrypting)

    def backward(apps: Any, schema_editor: Any) -> None:
        table = apps.get_model(label)._meta.db_table
        rewrite(schema_editor.connection, table, column, {}, _decrypting)

    return forward, backward
