"""Exactly once under truly concurrent submissions: threads, each on its own database connection."""

from __future__ import annotations

import threading
import time
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.db import OperationalError, connection, connections, transaction

from dianti.core import components
from dianti.meetings import ballot_sql, ballots, services
from dianti.meetings.models import Ballot, EvaluatorCode, Meeting
from dianti.meetings.services import Mark

from .factories import held

pytestmark = pytest.mark.django_db(transaction=True)
THREADS = 8


def _race(fn, args_list):
    """Run ``fn(*args)`` for every args at the same moment; return (results, errors) of those that finished."""
    barrier = threading.Barrier(len(args_list))
    results, errors = [], []
    lock = threading.Lock()

    def run(args):
        try:
            barrier.wait()
            out = fn(*args)
            with lock:
                results.append((args, out))
        except (ValidationError, OperationalError) as exc:
            with lock:
                errors.append((args, exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(a,)) for a in args_list]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results, errors


def _submit(h, code, grade):
    marks = {item.pk: Mark(grade) for item in h.items}
    return services.ballot_submit(meeting=h.meeting, code=code, marks=marks)


@pytest.fixture
def h(tree):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("threads need a database file (see django_db_modify_db_settings in dianti/conftest.py)")
    return held(tree)


def test_the_same_ballot_sent_at_once_from_many_threads_is_stored_once(h):
    code = h.codes["党员代表"][0]
    results, errors = _race(lambda: _submit(h, code, "好"), [()] * THREADS)
    assert not errors and len(results) == THREADS
    per_item = Counter(Ballot.objects.values_list("item_id", flat=True))
    assert per_item == {item.pk: 1 for item in h.items}


def test_different_marks_racing_for_one_code_leave_one_row_each_and_the_last_acknowledged_one_is_not_lost(h):
    code = h.codes["党员代表"][0]
    grades = ["好", "较好", "一般", "差"] * 2
    results, errors = _race(lambda g: _submit(h, code, g), [(g,) for g in grades])
    assert not errors
    rows = list(Ballot.objects.values_list("item_id", "grade"))
    assert Counter(i for i, _ in rows) == {item.pk: 1 for item in h.items}
    assert {g for _, g in rows} <= set(grades)


def test_every_evaluator_at_once_each_counted_once(h):
    codes = h.all_codes()
    results, errors = _race(lambda c: _submit(h, c, "好"), [(c,) for c in codes] * 2)
    assert not errors and len(results) == 2 * len(codes)
    tokens = Counter(Ballot.objects.values_list("token", flat=True))
    assert len(tokens) == len(codes) * len(h.items) and set(tokens.values()) == {1}
    assert {services.ballot_token(c, item.pk) for c in codes for item in h.items} == set(tokens)
    assert EvaluatorCode.objects.filter(used=True).count() == len(codes)


def test_a_ballot_racing_the_close_is_counted_by_the_close_or_refused(h, monkeypatch):
    """Every ballot acknowledged is one the close (and the appraisal it triggers) counts: here through the writing
    transaction, paused after it read the meeting open (a revision on PostgreSQL writes by one statement instead:
    see the next test)."""
    monkeypatch.setattr(ballot_sql, "insert_while_open", lambda rows: False)
    seen_by_close: list[int] = []
    monkeypatch.setitem(components._REGISTRY, "test_listener", components.Component(
        label="test_listener", name="test", order=999, subscribes={"meeting_closed": lambda *, actor, meeting_id,
        org_path: seen_by_close.append(Meeting.objects.get(pk=meeting_id).ballots.count())}))
    status_read, release = threading.Event(), threading.Event()
    real = ballots._write_ballots

    def slow(rows, *, revise):  # the voter has read "open" in its transaction and pauses, as a busy server might
        status_read.set()
        release.wait(10)
        return real(rows, revise=revise)

    monkeypatch.setattr(ballots, "_write_ballots", slow)
    acknowledged = []

    def voter():
        try:
            acknowledged.append(_submit(h, h.codes["党员代表"][0], "好"))
        except ValidationError:
            pass
        finally:
            connections.close_all()

    thread = threading.Thread(target=voter)
    thread.start()
    assert status_read.wait(10)
    timer = threading.Timer(0.5, release.set)  # on SQLite the close waits for the voter's write lock meanwhile
    timer.start()
    services.meeting_close(actor=None, meeting=h.meeting)
    release.set()
    thread.join(20)
    assert seen_by_close == [sum(acknowledged)]


def _waiting_for_a_lock() -> bool:
    """Return whether another connection to this database waits for a row lock (always True on SQLite, which
    cannot say: there the voter's writing transaction waits for the close's, whenever it arrives)."""
    if connection.vendor != "postgresql":
        time.sleep(0.5)
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                       "AND wait_event_type = 'Lock'")
        return cursor.fetchone()[0] > 0


def test_a_revision_sent_while_the_close_holds_the_meeting_waits_and_is_refused(h, monkeypatch):
    """The close locks the meeting first; a revision arriving meanwhile (one statement on PostgreSQL) waits for it,
    then finds voting closed: refused, and the close counted the marks as they were."""
    code = h.codes["党员代表"][0]
    _submit(h, code, "好")
    seen_by_close: list[list[str]] = []
    monkeypatch.setitem(components._REGISTRY, "test_listener", components.Component(
        label="test_listener", name="test", order=999, subscribes={"meeting_closed": lambda *, actor, meeting_id,
        org_path: seen_by_close.append(sorted(Ballot.objects.filter(meeting_id=meeting_id)
                                              .values_list("grade", flat=True)))}))
    outcome = []

    def voter():
        try:
            _submit(h, code, "差")
            outcome.append("acknowledged")
        except ValidationError:
            outcome.append("refused")
        finally:
            connections.close_all()

    thread = threading.Thread(target=voter)
    with transaction.atomic():
        Meeting.objects.select_for_update().get(pk=h.meeting.pk)  # the close's first step
        thread.start()
        deadline = time.monotonic() + 10
        while not _waiting_for_a_lock() and time.monotonic() < deadline:
            time.sleep(0.05)
        services.meeting_close(actor=None, meeting=h.meeting)
    thread.join(20)
    assert outcome == ["refused"] and seen_by_close == [["好", "好"]]
    assert sorted(Ballot.objects.values_list("grade", flat=True)) == ["好", "好"]
