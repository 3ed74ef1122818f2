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
import hmac
import io
import json
import os
import secrets
import shutil
import sqlite3
import struct
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import connections
from django.utils import timezone

from . import crypto

MAGIC = b"DIANTI-BACKUP\x00v1\n"
CHUNK = 1 << 20
BACKUP_KEY_VAR = "DIANTI_BACKUP_KEY"
FORMAT = 1


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do, in the user's language."""


# Keys ------------------------------------------------------------------------------------------------------------

def _master() -> bytes:
    raw = os.environ.get(BACKUP_KEY_VAR, "")
    if raw.strip():
        return crypto.parse_key(raw, BACKUP_KEY_VAR)
    return crypto.derive(b"dianti backup v1")


def _file_key(master: bytes, file_id: bytes) -> tuple[AESGCM, bytes]:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=file_id, info=b"dianti backup file v1").derive(master)
    return AESGCM(key), hmac.new(key, b"dianti backup key check", hashlib.sha256).digest()[:16]


def _nonce(counter: int, last: bool) -> bytes:
    return struct.pack(">QI", counter, 1 if last else 0)


# The encrypted stream ---------------------------------------------------------------------------------------------

class EncryptingWriter(io.RawIOBase):
    """A write-only file that encrypts what it is given into ``out`` in authenticated chunks."""

    def __init__(self, out: IO[bytes], master: bytes) -> None:
        self.out, self.buffer, self.counter = out, bytearray(), 0
        file_id = secrets.token_bytes(16)
        self.aead, check = _file_key(master, file_id)
        self.aad = MAGIC + file_id
        out.write(MAGIC + file_id + check)

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.buffer += data
        while len(self.buffer) > CHUNK:  # keep one chunk back: the last one must carry the flag
            self._emit(bytes(self.buffer[:CHUNK]), last=False)
            del self.buffer[:CHUNK]
        return len(data)

    def _emit(self, plain: bytes, *, last: bool) -> None:
        sealed = self.aead.encrypt(_nonce(self.counter, last), plain, self.aad)
        self.out.write(struct.pack(">I", len(sealed)) + sealed)
        self.counter += 1

    def close(self) -> None:
        if not self.closed:
            self._emit(bytes(self.buffer), last=True)
            self.buffer.clear()
        super().close()


class DecryptingReader(io.RawIOBase):
    """A read-only file over an encrypted backup; refuses a wrong key, a damaged chunk or a cut-off end."""

    def __init__(self, src: IO[bytes], master: bytes) -> None:
        header = src.read(len(MAGIC) + 32)
        if not header.startswith(MAGIC) or len(header) < len(MAGIC) + 32:
            raise BackupError("这不是点题述职的备份文件（文件头不对）。")
        file_id, check = header[len(MAGIC):len(MAGIC) + 16], header[len(MAGIC) + 16:]
        self.aead, expected = _file_key(master, file_id)
        if not hmac.compare_digest(check, expected):
            raise BackupError(f"备份密钥不对：请用做备份时的 {BACKUP_KEY_VAR}（未设置时为 DIANTI_DATA_KEY）。")
        self.src, self.aad, self.counter = src, MAGIC + file_id, 0
        self.pending, self.finished = b"", False

    def readable(self) -> bool:
        return True

    def _next(self) -> bytes:
        size = self.src.read(4)
        if len(size) < 4:
            raise BackupError("备份文件不完整（结尾缺失），可能复制时被截断。")
        expected = struct.unpack(">I", size)[0]
        sealed = self.src.read(expected)
        if len(sealed) < expected:
            raise BackupError("备份文件不完整（结尾缺失），可能复制时被截断。")
        for last in (False, True):
            try:
                plain = self.aead.decrypt(_nonce(self.counter, last), sealed, self.aad)
            except InvalidTag:
                continue
            self.counter += 1
            if last:
                self.finished = True
                if self.src.read(1):
                    raise BackupError("备份文件已损坏或被篡改（结尾之后还有多余数据）。")
            return plain
        raise BackupError(f"备份文件已损坏或被篡改（第 {self.counter + 1} 段校验失败）。")

    def readinto(self, target: Any) -> int:
        while not self.pending and not self.finished:
            self.pending = self._next()
        n = min(len(target), len(self.pending))
        target[:n] = self.pending[:n]
        self.pending = self.pending[n:]
        return n

    def drain(self) -> None:
        """Read to the end, so a file cut short after the part already used is still refused."""
        while self.read(CHUNK):
            pass


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

def _settings_dict(database_url: str | None) -> dict[str, Any]:
    if database_url:
        import dj_database_url

        return dict(dj_database_url.parse(database_url))
    return dict(connections["default"].settings_dict)


def _kind(db: dict[str, Any]) -> str:
    engine = db["ENGINE"]
    if engine.endswith("sqlite3"):
        return "sqlite"
    if "postgresql" in engine:
        return "postgresql"
    raise BackupError(f"不支持的数据库类型：{engine}（支持 SQLite 与 PostgreSQL）。")


def _pg_env(db: dict[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


def _pg_args(db: dict[str, Any]) -> list[str]:
    args = ["--dbname", str(db["NAME"])]
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            args += [flag, str(db[key])]
    return args


def _pg_connect(db: dict[str, Any]) -> Any:
    import psycopg

    params = {"dbname": db["NAME"], "user": db.get("USER") or None, "password": db.get("PASSWORD") or None,
              "host": db.get("HOST") or None, "port": db.get("PORT") or None}
    return psycopg.connect(**{k: v for k, v in params.items() if v})


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    for candidate in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True):
        return str(candidate)
    raise BackupError(f"找不到 PostgreSQL 工具 {name}：请安装 postgresql-client（版本不低于数据库服务器）。")


def _run(argv: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{Path(argv[0]).name} 失败：{done.stderr.strip()[-2000:]}")


def _snapshot_sqlite(db: dict[str, Any], into: Path) -> dict[str, list[Any]]:
    conn = connections["default"]
    conn.ensure_connection()
    dst = sqlite3.connect(into)
    try:
        conn.connection.backup(dst)
        return sqlite_digests(dst)
    finally:
        dst.close()


def _snapshot_postgresql(db: dict[str, Any], into: Path) -> dict[str, list[Any]]:
    import psycopg

    with _pg_connect(db) as pg:
        pg.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        pg.read_only = True
        with pg.cursor() as cur:
            cur.execute("SELECT pg_export_snapshot()")
            snapshot = cur.fetchone()[0]
        _run([_tool("pg_dump"), *_pg_args(db), "--format=custom", f"--snapshot={snapshot}", "--file", str(into)],
             _pg_env(db))
        digests = pg_digests(pg)
        pg.rollback()
    return digests


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
    db = _settings_dict(None)
    kind = _kind(db)
    media = Path(media_root or settings.MEDIA_ROOT)
    master = _master()
    summary = Summary(engine=kind)
    try:
        target = os.fdopen(os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")
    except FileExistsError:
        raise BackupError(f"{out} 已存在：请换一个文件名（备份不会覆盖已有文件）。") from None
    try:
        with target, tempfile.TemporaryDirectory(prefix="dianti-backup-") as tmp:
            dump = Path(tmp) / ("database.sqlite3" if kind == "sqlite" else "database.pgdump")
            digests = _snapshot_sqlite(db, dump) if kind == "sqlite" else _snapshot_postgresql(db, dump)
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
        reader = DecryptingReader(f, _master())
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
    with _pg_connect(db) as pg:
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
    _run([_tool("pg_restore"), *_pg_args(db), "--no-owner", "--no-privileges", "--exit-on-error",
          "--single-transaction", str(dump)], _pg_env(db))
    with _pg_connect(db) as pg:
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
    db = _settings_dict(database_url)
    kind = _kind(db)
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
