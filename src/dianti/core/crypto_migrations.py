"""Migration helpers: turn a plaintext column into an :class:`~dianti.core.crypto.EncryptedCharField` in place.

The column is read and written with raw SQL, because the historical model already decrypts on read. Rows go in
batches, so a county's hundreds of thousands of people need neither one statement per row nor all of them in memory.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import crypto

BATCH = 2000


def _convert(apps: Any, schema_editor: Any, label: str, column: str, hashes: dict[str, Callable[[str], str]],
             change: Callable[[str], str]) -> None:
    model = apps.get_model(label)
    table = schema_editor.quote_name(model._meta.db_table)
    col = schema_editor.quote_name(column)
    conn = schema_editor.connection
    with conn.cursor() as cursor:
        cursor.execute(f"SELECT id, {col} FROM {table} WHERE {col} <> '' ORDER BY id")  # noqa: S608
        while rows := cursor.fetchmany(BATCH):
            sets = ", ".join([f"{col} = %s", *(f"{schema_editor.quote_name(h)} = %s" for h in hashes)])
            params = []
            for pk, value in rows:
                new = change(value)
                plain = value if change is crypto.encrypt else new
                params.append([new, *(fn(plain) for fn in hashes.values()), pk])
            with conn.cursor() as write:
                write.executemany(f"UPDATE {table} SET {sets} WHERE id = %s", params)  # noqa: S608


def encrypt_column(label: str, column: str, hashes: dict[str, Callable[[str], str]] | None = None) -> Any:
    """Return RunPython functions (forward, backward) that encrypt ``column`` of ``label`` and fill its hashes."""
    hashes = hashes or {}

    def forward(apps: Any, schema_editor: Any) -> None:
        _convert(apps, schema_editor, label, column, hashes, crypto.encrypt)

    def backward(apps: Any, schema_editor: Any) -> None:
        _convert(apps, schema_editor, label, column, {}, crypto.decrypt)

    return forward, backward
