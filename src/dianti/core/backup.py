"""Backups: one encrypted file holding a consistent snapshot of the database and every uploaded file.

``dianti backup --out FILE`` and ``dianti restore FILE`` call :func:`backup` and :func:`restore`.

The snapshot is taken with each engine's own tool, so it is consistent without stopping the site:

* SQLite: the online backup API (``sqlite3.Connection.backup``) copies the live database page by page and starts
  over if another connection writes meanwhile, so the copy is one moment of the database;
* PostgreSQL: a ``REPEATABLE READ`` transaction exports its snapshot, ``pg_dump --format=custom --snapshot=…``
  dumps exactly that snapshot, and the row digests of the manifest are read in the same transaction.

The archive (a tar stream: the dump, ``media/…`` and ``manifest.json`` with every table's row count and digest and
every file's SHA-256) is encrypted as it is written, 1 MiB at a time, so neither side holds it whole in memory.
Encryption is AES-256-GCM in the STREAM construction (Hoang, Reyhanitabar, Rogaway, Vizár 2015): each chunk's nonce
is its counter plus a last-chunk flag, so a chunk altered, dropped, reordered or cut off at the end fails to
authenticate. The key is ``DIANTI_BACKUP_KEY`` if set (keep it apart from the servers, with the backups' owner), else
one derived from ``DIANTI_DATA_KEY``; each file gets its own key from that and a random file id in the header, plus a
key check value, so a wrong key is told apart from a damaged file. (Fernet, named in the issue, authenticates only a
whole message held in memory; this is the same primitive family from the same library, in chunks.)

A restore decrypts and unpacks into a private temporary directory first; nothing is touched unless the whole file
authenticates. It then loads the database (into an empty one unless ``replace`` is given), copies the files, and
checks every table against the manifest.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections
from django.utils import timezone

from .backup_engines import (
    engine_kind,
    pg_args,
    pg_connect,
    pg_digests,
    pg_env,
    run_tool,
    settings_dict,
    snapshot_postgresql,
    snapshot_sqlite,
    sqlite_digests,
    tool_path,
)
from .backup_stream import CHUNK, FORMAT, BackupError, DecryptingReader, EncryptingWriter, master_key

# Backup -----------------------------------------------------------------------------------------------------------

@dataclass
class Summary:
    tables: int = 0
    rows: int = 0
    files: int = 0
    bytes: int = 0
    engine: str = ""
    notes: list[str] = field(default_factory=list)


def _media_files(root: Path) -> Iterator[tuple[Path, str]]:
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            yield path, path.relative_to(root).as_posix()


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(CHUNK):
            h.update(block)
    return h.hexdigest()


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(timezone.now().timestamp()), 0o600
    tar.addfile(info, io.BytesIO(data))


def backup(out: Path, *, media_root: Path | None = None) -> Summary:
    """Write an encrypted backup of the default database and the uploads to ``out`` (which must not exist)."""
    db = settings_dict(None)
    kind = engine_kind(db)
    media = Path(media_root or settings.MEDIA_ROOT)
    master = master_key()
    summary = Summary(engine=kind)
    try:
        target = os.fdopen(os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")
    except FileExistsError:
        raise BackupError(f"{out} 已存在：请换一个文件名（备份不会覆盖已有文件）。") from None
    try:
        with target, tempfile.TemporaryDirectory(prefix="dianti-backup-") as tmp:
            dump = Path(tmp) / ("database.sqlite3" if kind == "sqlite" else "database.pgdump")
            digests = snapshot_sqlite(db, dump) if kind == "sqlite" else snapshot_postgresql(db, dump)
            files: dict[str, dict[str, Any]] = {}
            with EncryptingWriter(target, master) as sink, tarfile.open(fileobj=sink, mode="w|") as tar:
                tar.add(dump, arcname=dump.name)
                dump.unlink()
                for path, rel in _media_files(media):
                    files[rel] = {"sha256": _sha256(path), "size": path.stat().st_size}
                    tar.add(path, arcname=f"media/{rel}")
                manifest = {"format": FORMAT, "engine": kind, "created_at": timezone.now().isoformat(),
                            "database": dump.name, "tables": digests, "media": files}
                _add_bytes(tar, "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1).encode())
    except BaseException:
        out.unlink(missing_ok=True)
        raise
    summary.tables, summary.rows = len(digests), sum(n for n, _h in digests.values())
    summary.files, summary.bytes = len(files), out.stat().st_size
    return summary


# Restore ----------------------------------------------------------------------------------------------------------

def _unpack(src: Path, into: Path) -> dict[str, Any]:
    """Decrypt and unpack the whole backup into ``into``; return its manifest. Raise before anything is used."""
    try:
        f = src.open("rb")
    except FileNotFoundError:
        raise BackupError(f"找不到备份文件 {src}。") from None
    with f:
        reader = DecryptingReader(f, master_key())
        try:
            with tarfile.open(fileobj=io.BufferedReader(reader, CHUNK), mode="r|") as tar:
                tar.extractall(into, filter="data")
        except tarfile.TarError as exc:
            raise BackupError(f"备份文件内容无法解包：{exc}") from None
        reader.drain()
    manifest_path = into / "manifest.json"
    if not manifest_path.exists():
        raise BackupError("备份文件缺少清单（manifest.json）。")
    manifest: dict[str, Any] = json.loads(manifest_path.read_text())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"备份格式版本 {manifest.get('format')} 不受支持。")
    for rel, meta in manifest["media"].items():
        path = into / "media" / rel
        if not path.is_file() or _sha256(path) != meta["sha256"]:
            raise BackupError(f"备份中的文件 {rel} 与清单不符。")
    return manifest


def _sqlite_path(db: dict[str, Any]) -> str:
    return str(db["NAME"])


def _restore_sqlite(db: dict[str, Any], dump: Path, replace: bool) -> dict[str, list[Any]]:
    name = _sqlite_path(db)
    for alias in connections:
        if connections[alias].settings_dict.get("NAME") == name:
            connections[alias].close()
    target = sqlite3.connect(name, uri=name.startswith("file:"))
    try:
        has_tables = target.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").fetchone()[0]
        if has_tables and not replace:
            raise BackupError(f"目标数据库 {name} 不是空的：确认要用备份覆盖它时，请加 --replace。")
        source = sqlite3.connect(dump)
        try:
            source.backup(target)
        finally:
            source.close()
        return sqlite_digests(target)
    finally:
        target.close()


def _restore_postgresql(db: dict[str, Any], dump: Path, replace: bool) -> dict[str, list[Any]]:
    with pg_connect(db) as pg:
        pg.autocommit = True
        tables = pg.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[0]
        if tables and not replace:
            raise BackupError(f"目标数据库 {db['NAME']} 不是空的：确认要用备份覆盖它时，请加 --replace。")
        if tables:
            pg.execute("DROP SCHEMA public CASCADE")
            pg.execute("CREATE SCHEMA public")
    for alias in connections:
        if connections[alias].settings_dict.get("NAME") == db["NAME"]:
            connections[alias].close()
    run_tool([tool_path("pg_restore"), *pg_args(db), "--no-owner", "--no-privileges", "--exit-on-error",
          "--single-transaction", str(dump)], pg_env(db))
    with pg_connect(db) as pg:
        return pg_digests(pg)


def check(src: Path) -> Summary:
    """Decrypt and verify a backup without restoring it: the key, every chunk, every file against the manifest."""
    with tempfile.TemporaryDirectory(prefix="dianti-check-") as tmp:
        manifest = _unpack(src, Path(tmp))
    summary = Summary(engine=manifest["engine"], tables=len(manifest["tables"]), files=len(manifest["media"]),
                      rows=sum(n for n, _h in manifest["tables"].values()), bytes=src.stat().st_size)
    summary.notes.append(f"备份时间 {manifest['created_at']}")
    return summary


def restore(src: Path, *, database_url: str | None = None, media_root: Path | None = None,
            replace: bool = False) -> Summary:
    """Restore a backup made by :func:`backup` into the default database (or ``database_url``) and MEDIA_ROOT."""
    db = settings_dict(database_url)
    kind = engine_kind(db)
    media = Path(media_root or settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix="dianti-restore-") as tmp:
        manifest = _unpack(src, Path(tmp))
        if manifest["engine"] != kind:
            raise BackupError(f"这是 {manifest['engine']} 的备份，不能恢复到 {kind} 数据库。")
        dump = Path(tmp) / manifest["database"]
        restored = (_restore_sqlite if kind == "sqlite" else _restore_postgresql)(db, dump, replace)
        for rel in manifest["media"]:
            dest = media / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            with contextlib.suppress(FileNotFoundError):
                dest.unlink()
            shutil.copyfile(Path(tmp) / "media" / rel, dest)
    differing = sorted(t for t in set(manifest["tables"]) | set(restored)
                       if manifest["tables"].get(t) != restored.get(t))
    if differing:
        raise BackupError(f"恢复后的数据与备份清单不一致：{'、'.join(differing[:10])}。")
    summary = Summary(engine=kind, tables=len(restored), rows=sum(n for n, _h in restored.values()),
                      files=len(manifest["media"]), bytes=src.stat().st_size)
    summary.notes.append(f"备份时间 {manifest['created_at']}")
    return summary
