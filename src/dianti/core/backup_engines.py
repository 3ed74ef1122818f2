"""The database side of a backup (see :mod:`.backup`): each engine's consistent snapshot and restore tools, and the
per-table row digests the manifest records and a restore checks.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.db import connections

from .backup_stream import BackupError

# Table digests ----------------------------------------------------------------------------------------------------

def _sha_rows(rows: Iterator[Any]) -> tuple[int, str]:
    h, n = hashlib.sha256(), 0
    for row in rows:
        h.update(repr(tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)).encode())
        h.update(b"\n")
        n += 1
    return n, h.hexdigest()


def sqlite_digests(conn: sqlite3.Connection) -> dict[str, list[Any]]:
    """Return ``{table: [rows, sha256]}`` for every table of an SQLite database, rows in a fixed order."""
    tables = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    out: dict[str, list[Any]] = {}
    for table in tables:
        q = table.replace('"', '""')
        width = len(conn.execute(f'SELECT * FROM "{q}" LIMIT 0').description)  # noqa: S608
        order = ", ".join(str(i) for i in range(1, width + 1))
        out[table] = list(_sha_rows(conn.execute(f'SELECT * FROM "{q}" ORDER BY {order}')))  # noqa: S608
    return out


def pg_digests(conn: Any) -> dict[str, list[Any]]:
    """Return ``{table: [rows, sha256]}`` for every table of the public schema, each row by its text form."""
    with conn.cursor() as cur:
        cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
        tables = [r[0] for r in cur.fetchall()]
    out: dict[str, list[Any]] = {}
    for table in tables:
        q = table.replace('"', '""')
        with conn.cursor(name=f"digest_{secrets.token_hex(4)}") as cur:  # server-side: streamed, not loaded
            cur.execute(f'SELECT t::text FROM public."{q}" t ORDER BY 1')  # noqa: S608
            out[table] = list(_sha_rows(iter(cur)))
    return out


# Database engines -------------------------------------------------------------------------------------------------

def settings_dict(database_url: str | None) -> dict[str, Any]:
    if database_url:
        import dj_database_url

        return dict(dj_database_url.parse(database_url))
    return dict(connections["default"].settings_dict)


def engine_kind(db: dict[str, Any]) -> str:
    engine = db["ENGINE"]
    if engine.endswith("sqlite3"):
        return "sqlite"
    if "postgresql" in engine:
        return "postgresql"
    raise BackupError(f"不支持的数据库类型：{engine}（支持 SQLite 与 PostgreSQL）。")


def pg_env(db: dict[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


def pg_args(db: dict[str, Any]) -> list[str]:
    args = ["--dbname", str(db["NAME"])]
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            args += [flag, str(db[key])]
    return args


def pg_connect(db: dict[str, Any]) -> Any:
    import psycopg

    params = {"dbname": db["NAME"], "user": db.get("USER") or None, "password": db.get("PASSWORD") or None,
              "host": db.get("HOST") or None, "port": db.get("PORT") or None}
    return psycopg.connect(**{k: v for k, v in params.items() if v})


def tool_path(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    for candidate in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True):
        return str(candidate)
    raise BackupError(f"找不到 PostgreSQL 工具 {name}：请安装 postgresql-client（版本不低于数据库服务器）。")


def run_tool(argv: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{Path(argv[0]).name} 失败：{done.stderr.strip()[-2000:]}")


def snapshot_sqlite(db: dict[str, Any], into: Path) -> dict[str, list[Any]]:
    conn = connections["default"]
    conn.ensure_connection()
    dst = sqlite3.connect(into)
    try:
        conn.connection.backup(dst)
        return sqlite_digests(dst)
    finally:
        dst.close()


def snapshot_postgresql(db: dict[str, Any], into: Path) -> dict[str, list[Any]]:
    import psycopg

    with pg_connect(db) as pg:
        pg.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        pg.read_only = True
        with pg.cursor() as cur:
            cur.execute("SELECT pg_export_snapshot()")
            snapshot = cur.fetchone()[0]
        run_tool([tool_path("pg_dump"), *pg_args(db), "--format=custom", f"--snapshot={snapshot}", "--file", str(into)],
             pg_env(db))
        digests = pg_digests(pg)
        pg.rollback()
    return digests
