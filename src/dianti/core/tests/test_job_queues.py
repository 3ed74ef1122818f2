"""Celery queues per kind of job: heavy mining never waits in the same line as imports or the morning's reminders."""

from __future__ import annotations

from typing import Any

import pytest

from dianti.celery import app
from dianti.core import components, jobs
from dianti.core.queues import DEFAULT, HEAVY, QUEUES, URGENT


@pytest.fixture
def sent(monkeypatch) -> list[dict[str, Any]]:
    """Record what the web process hands to Celery instead of sending it."""
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(app, "send_task", lambda name, args=(), **kw: calls.append({"name": name, "args": args, **kw}))
    return calls


def test_every_declared_queue_is_one_the_workers_listen_on():
    declared = {queue for c in components.components() for queue in c.job_queues.values()}
    assert declared <= set(QUEUES)
    assert {kind for c in components.components() for kind in c.job_queues} <= set(jobs.handlers())


def test_mining_and_training_go_to_the_heavy_queue_imports_to_default():
    assert jobs.queue_for("voices.mine") == HEAVY
    assert jobs.queue_for("voices.train") == HEAVY
    assert jobs.queue_for("import.orgs") == DEFAULT
    assert jobs.queue_for("import.opinions") == DEFAULT


def test_a_job_is_sent_to_its_kinds_queue(db, settings, sent, django_capture_on_commit_callbacks, users):
    settings.JOBS_BACKEND = "celery"
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.submit(kind="voices.train", title="重新训练", actor=users.county_admin)
    assert sent == [{"name": "dianti.run_job", "args": (job.pk,), "queue": HEAVY}]


def test_the_daily_sweeps_are_routed_to_the_urgent_queue():
    route = app.amqp.router.route({}, "dianti.daily_sweeps")
    assert route["queue"].name == URGENT
    assert app.amqp.router.route({}, "dianti.run_job")["queue"].name == DEFAULT


def test_every_queue_has_exactly_one_production_worker():
    from dianti.core.queues import WORKERS

    consumed = [queue for queues in WORKERS.values() for queue in queues]
    assert sorted(consumed) == sorted(QUEUES)
    assert HEAVY not in WORKERS["main"] and WORKERS["heavy"] == (HEAVY,)
