"""The audit log is a hash chain: a direct SQL edit or delete of any record is found by `dianti audit verify`."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from dianti.core import audit
from dianti.core.models import GENESIS, AuditChainHead, AuditEvent


@pytest.fixture
def chain(tree: Any, users: Any) -> list[AuditEvent]:
    """The records the tree and the users wrote, oldest first (a dozen or more)."""
    events = list(AuditEvent.objects.order_by("id"))
    assert len(events) >= 10
    return events


def sql(statement: str, *params: Any) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def verify_output() -> str:
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    return out.getvalue()


def test_each_record_carries_the_hash_of_the_one_before(chain: list[AuditEvent]) -> None:
    assert chain[0].prev_hash == GENESIS
    for before, after in zip(chain, chain[1:], strict=False):
        assert after.prev_hash == before.hash
        assert after.hash == after.compute_hash() and len(after.hash) == 64
    head = AuditChainHead.objects.get(pk=1)
    assert (head.hash, head.last_id) == (chain[-1].hash, chain[-1].pk)


def test_verify_reports_ok_on_an_untouched_log(chain: list[AuditEvent]) -> None:
    assert audit.verify() == (len(chain), None)
    assert verify_output().startswith(f"OK：审计链完整，共 {len(chain)} 条记录")


def test_sql_update_of_one_record_is_named_by_verify(chain: list[AuditEvent]) -> None:
    victim = chain[4]
    sql("UPDATE core_auditevent SET actor_name = %s WHERE id = %s", "别人", victim.pk)

    count, broken = audit.verify()
    assert count == 4
    assert broken is not None and broken.event_id == victim.pk
    assert f"记录 #{victim.pk} 的内容与其哈希不符" in broken.message
    with pytest.raises(CommandError, match=f"#{victim.pk} 的内容与其哈希不符"):
        call_command("audit", "verify")


def test_sql_update_of_changes_json_is_detected(chain: list[AuditEvent]) -> None:
    victim = chain[2]
    sql("UPDATE core_auditevent SET changes = %s WHERE id = %s", '{"role": [null, "县级管理员"]}', victim.pk)
    assert audit.verify()[1].event_id == victim.pk


def test_sql_delete_of_one_record_is_named_by_verify(chain: list[AuditEvent]) -> None:
    victim = chain[5]
    sql("DELETE FROM core_auditevent WHERE id = %s", victim.pk)

    count, broken = audit.verify()
    assert count == 5
    assert broken is not None and broken.event_id == chain[6].pk
    assert f"编号 #{victim.pk} 的记录已被删除" in broken.message


def test_rewriting_a_record_and_its_hash_breaks_the_next_link(chain: list[AuditEvent]) -> None:
    victim = chain[3]
    victim.note = "事后补写"
    sql("UPDATE core_auditevent SET note = %s, hash = %s WHERE id = %s", victim.note, victim.compute_hash(), victim.pk)

    broken = audit.verify()[1]
    assert broken is not None and broken.event_id == chain[4].pk
    assert f"#{victim.pk} 被改写后重算了哈希" in broken.message


def test_cutting_off_the_newest_record_is_detected_by_the_head(chain: list[AuditEvent]) -> None:
    sql("DELETE FROM core_auditevent WHERE id = %s", chain[-1].pk)
    broken = audit.verify()[1]
    assert broken is not None and broken.event_id == chain[-1].pk
    assert "末尾的记录已被删除" in broken.message


def test_bulk_created_records_join_the_chain_in_order(chain: list[AuditEvent]) -> None:
    made = AuditEvent.objects.bulk_create([
        AuditEvent(actor_name="导入", action="person.import", target_type="orgs.person", target_id=str(i),
                   target_repr=f"人员{i}", changes={"n": (i, None)}) for i in range(3)
    ])
    assert made[0].prev_hash == chain[-1].hash
    assert [m.prev_hash for m in made[1:]] == [m.hash for m in made[:-1]]
    assert audit.verify() == (len(chain) + 3, None)


def test_record_without_a_model_target(chain: list[AuditEvent]) -> None:
    event = audit.record(actor=None, action="export.download", target=None, target_type="download",
                         target_repr="审计日志.xlsx")
    assert (event.target_type, event.target_id, event.target_repr) == ("download", "", "审计日志.xlsx")
    assert audit.verify()[1] is None


class TestExternalSink:
    def test_each_committed_record_appends_its_hash_line(self, settings: Any, tmp_path: Path, db: Any,
                                                         django_capture_on_commit_callbacks: Any) -> None:
        settings.DIANTI_AUDIT_SINK = str(tmp_path / "audit.log")
        with django_capture_on_commit_callbacks(execute=True):
            event = audit.record(actor="系统", action="demo.load", target=None, target_type="demo")
        line = (tmp_path / "audit.log").read_text().strip()
        assert line.startswith(f"{event.pk} ") and line.endswith(f" demo.load {event.hash}")
        assert audit.verify_sink(tmp_path / "audit.log") is None

    def test_a_rewritten_chain_still_differs_from_the_sink(self, settings: Any, tmp_path: Path, db: Any,
                                                           django_capture_on_commit_callbacks: Any) -> None:
        settings.DIANTI_AUDIT_SINK = str(tmp_path / "audit.log")
        with django_capture_on_commit_callbacks(execute=True):
            first = audit.record(actor="系统", action="a", target=None, target_type="t")
            second = audit.record(actor="系统", action="b", target=None, target_type="t")
        # Whoever holds the database rewrites the first record and recomputes every hash after it.
        first.note = "改写"
        first.hash = first.compute_hash()
        second.prev_hash = first.hash
        second.hash = second.compute_hash()
        for event in (first, second):
            sql("UPDATE core_auditevent SET note = %s, prev_hash = %s, hash = %s WHERE id = %s",
                event.note, event.prev_hash, event.hash, event.pk)
        sql("UPDATE core_auditchainhead SET hash = %s WHERE id = 1", second.hash)
        assert audit.verify() == (2, None)

        broken = audit.verify_sink(tmp_path / "audit.log")
        assert broken is not None and broken.event_id == first.pk
        with pytest.raises(CommandError, match="外部副本"):
            call_command("audit", "verify", "--sink", str(tmp_path / "audit.log"))

    def test_a_remote_syslog_receives_the_line(self, settings: Any, db: Any,
                                               django_capture_on_commit_callbacks: Any) -> None:
        import socket

        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as listener:
            listener.bind(("127.0.0.1", 0))
            listener.settimeout(5)
            settings.DIANTI_AUDIT_SINK = f"syslog://127.0.0.1:{listener.getsockname()[1]}"
            with django_capture_on_commit_callbacks(execute=True):
                event = audit.record(actor="系统", action="demo.load", target=None, target_type="demo")
            message = listener.recv(4096).decode()
        assert f"dianti-audit {event.pk} " in message and message.rstrip("\x00").endswith(event.hash)

    def test_a_rolled_back_write_leaves_no_line(self, settings: Any, tmp_path: Path, db: Any,
                                                django_capture_on_commit_callbacks: Any) -> None:
        from django.db import transaction

        settings.DIANTI_AUDIT_SINK = str(tmp_path / "audit.log")
        with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
            audit.record(actor="系统", action="a", target=None, target_type="t")
            raise RuntimeError
        assert not (tmp_path / "audit.log").exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_never_fork_the_chain() -> None:
    """Threads on their own connections append at the same moment; the chain stays one line, every record in it."""
    import threading

    from django.db import connections, transaction

    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("threads need a database file (see django_db_modify_db_settings in dianti/conftest.py)")
    threads, per_thread = 6, 8
    barrier, errors = threading.Barrier(threads), []

    def write(n: int) -> None:
        try:
            barrier.wait()
            for i in range(per_thread):
                with transaction.atomic():
                    audit.record(actor=f"线程{n}", action="race", target=None, target_type="t", note=str(i))
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=write, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert not errors
    assert audit.verify() == (threads * per_thread, None)
    assert AuditChainHead.objects.get(pk=1).length == threads * per_thread
