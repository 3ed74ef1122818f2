"""`dianti backup` / `dianti restore`: a round trip gives back every table row for row and every upload, the file
is encrypted, and a wrong key, a changed byte or a cut-off file is refused before anything is touched."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection

from dianti.core import backup, backup_engines, backup_stream, crypto
from dianti.orgs import services
from dianti.voices.services import Submitter, opinion_submit

PHOTO = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    cache.clear()  # the public form's limits count per process


@pytest.fixture
def data(tree: Any, users: Any) -> dict[str, Any]:
    person = services.person_create(actor=None, name="备份测试人", organization=tree.village_a2, phone="13912340000")
    op = opinion_submit(organization=tree.village_a1, text="村口的路灯坏了好几个月", anonymous=False, name="王阿姨",
                        phone="13912340001", submitter=Submitter("ip", "dev"))
    op.photo.save("backup-test.png", ContentFile(PHOTO), save=True)
    return {"person": person, "opinion": op, "photo": op.photo.name}


def live_digests() -> dict[str, list[Any]]:
    if connection.vendor == "sqlite":
        conn = sqlite3.connect(connection.settings_dict["NAME"])
        try:
            return backup_engines.sqlite_digests(conn)
        finally:
            conn.close()
    with backup_engines.pg_connect(connection.settings_dict) as pg:
        return backup_engines.pg_digests(pg)


def make_backup(tmp_path: Path) -> Path:
    out = tmp_path / "dianti.backup"
    call_command("backup", out=out)
    return out


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite round trip")
def test_sqlite_round_trip_gives_back_every_table_and_upload(data: dict[str, Any], tmp_path: Path) -> None:
    before = live_digests()
    out = make_backup(tmp_path)
    assert b"\xe5\xa4\x87\xe4\xbb\xbd\xe6\xb5\x8b\xe8\xaf\x95" not in out.read_bytes()  # "备份测试" nowhere in clear
    assert PHOTO[:64] not in out.read_bytes()
    assert out.stat().st_mode & 0o077 == 0

    target = tmp_path / "restored.sqlite3"
    call_command("restore", str(out), database_url=f"sqlite:///{target}", media_root=tmp_path / "media2")
    restored = sqlite3.connect(target)
    after = backup_engines.sqlite_digests(restored)
    assert after == before
    assert after["orgs_person"][0] >= 1 and after["voices_opinion"][0] == 1 and after["core_auditevent"][0] > 0
    # Still encrypted in the restored database, and readable with the same data key.
    stored = restored.execute("SELECT phone FROM orgs_person WHERE name = '备份测试人'").fetchone()[0]
    assert "13912340000" not in stored and crypto.decrypt(stored) == "13912340000"
    restored.close()
    assert (tmp_path / "media2" / data["photo"]).read_bytes() == PHOTO


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs DIANTI_TEST_DATABASE_URL on PostgreSQL")
def test_postgresql_round_trip_gives_back_every_table_and_upload(data: dict[str, Any], tmp_path: Path) -> None:
    before = live_digests()
    out = make_backup(tmp_path)
    db = dict(connection.settings_dict)
    name = f"{db['NAME']}_restore"
    with backup_engines.pg_connect(db) as admin:
        admin.autocommit = True
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        user = db.get("USER") or "postgres"
        url = f"postgres://{user}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{name}"
        call_command("restore", str(out), database_url=url, media_root=tmp_path / "media2")
        with backup_engines.pg_connect({**db, "NAME": name}) as pg:
            assert backup_engines.pg_digests(pg) == before
        assert (tmp_path / "media2" / data["photo"]).read_bytes() == PHOTO
    finally:
        with backup_engines.pg_connect(db) as admin:
            admin.autocommit = True
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')


def restore_into(tmp_path: Path, out: Path, **kw: Any) -> Path:
    target = tmp_path / "restored.sqlite3"
    url = f"sqlite:///{target}" if connection.vendor == "sqlite" else "postgres://postgres@127.0.0.1:5432/none"
    call_command("restore", str(out), database_url=url, media_root=tmp_path / "media2", **kw)
    return target


def test_a_wrong_key_is_refused_and_nothing_is_touched(data: dict[str, Any], tmp_path: Path,
                                                       monkeypatch: Any) -> None:
    out = make_backup(tmp_path)
    monkeypatch.setenv(backup_stream.BACKUP_KEY_VAR, crypto.generate_key())
    with pytest.raises(CommandError, match="备份密钥不对"):
        restore_into(tmp_path, out)
    assert not (tmp_path / "restored.sqlite3").exists() and not (tmp_path / "media2").exists()


def test_a_changed_byte_is_refused_and_nothing_is_touched(data: dict[str, Any], tmp_path: Path) -> None:
    out = make_backup(tmp_path)
    raw = bytearray(out.read_bytes())
    raw[len(raw) // 2] ^= 0x01
    out.write_bytes(bytes(raw))
    with pytest.raises(CommandError, match="损坏或被篡改"):
        restore_into(tmp_path, out)
    assert not (tmp_path / "restored.sqlite3").exists() and not (tmp_path / "media2").exists()


def test_a_cut_off_file_is_refused(data: dict[str, Any], tmp_path: Path) -> None:
    out = make_backup(tmp_path)
    out.write_bytes(out.read_bytes()[:-100])
    with pytest.raises(CommandError, match="不完整"):
        restore_into(tmp_path, out)


def test_a_file_that_is_no_backup_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "x.backup"
    out.write_bytes(b"PK\x03\x04 not a backup" * 10)
    with pytest.raises(CommandError, match="不是点题述职的备份文件"):
        restore_into(tmp_path, out)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite target")
def test_restore_into_a_database_with_data_needs_replace(data: dict[str, Any], tmp_path: Path) -> None:
    out = make_backup(tmp_path)
    target = restore_into(tmp_path, out)
    with pytest.raises(CommandError, match="--replace"):
        restore_into(tmp_path, out)
    restore_into(tmp_path, out, replace=True)
    assert target.exists()


def test_backup_never_overwrites_a_file(tmp_path: Path) -> None:
    out = tmp_path / "dianti.backup"
    out.write_bytes(b"keep me")
    with pytest.raises(CommandError, match="已存在"):
        call_command("backup", out=out)
    assert out.read_bytes() == b"keep me"


def test_chunks_stream_and_the_last_one_is_flagged(tmp_path: Path) -> None:
    """Three chunks' worth of data: reordering two of them is refused, like a change inside one."""
    import io

    master = crypto.derive(b"test")
    sink = io.BytesIO()
    writer = backup_stream.EncryptingWriter(sink, master)
    payload = bytes(range(256)) * (backup_stream.CHUNK // 256 * 2 + 10)
    writer.write(payload)
    writer.close()
    raw = sink.getvalue()
    reader = backup_stream.DecryptingReader(io.BytesIO(raw), master)
    assert reader.read() == payload
    head = len(backup_stream.MAGIC) + 32
    size = 4 + backup_stream.CHUNK + 16
    first, second = raw[head:head + size], raw[head + size:head + 2 * size]
    swapped = raw[:head] + second + first + raw[head + 2 * size:]
    with pytest.raises(backup.BackupError, match="损坏或被篡改"):
        backup_stream.DecryptingReader(io.BytesIO(swapped), master).read()


def test_check_verifies_a_backup_without_restoring_it(data: dict[str, Any], tmp_path: Path, capsys: Any) -> None:
    out = make_backup(tmp_path)
    call_command("restore", str(out), check=True)
    assert "备份完好" in capsys.readouterr().out
    raw = bytearray(out.read_bytes())
    raw[-40] ^= 0x01
    out.write_bytes(bytes(raw))
    with pytest.raises(CommandError, match="损坏或被篡改"):
        call_command("restore", str(out), check=True)
