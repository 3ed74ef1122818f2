"""The daily sweeps: every step's declared sweep and the kernel's retention run from one entry point, once a day
whoever asks (a web process's scheduler, Celery beat, `dianti daily`), and not before the morning."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from dianti.core import components, daily
from dianti.core.models import DailyRun
from dianti.testing.components import plugged
from dianti.testing.probe import REDIS, setting_with_and_without_redis

pytestmark = pytest.mark.django_db


def local(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=timezone.get_current_timezone())


@pytest.fixture
def counted() -> list[str]:
    """A throwaway step whose daily sweep records each run."""
    runs: list[str] = []
    with plugged(components.Component(label="test_daily", name="test_daily", order=998,
                                      daily={"ping": lambda: runs.append("ping") or len(runs)})):
        yield runs


def test_the_registry_names_each_steps_sweep_and_the_kernels_retention() -> None:
    assert {"core.retention_sweep", "campaigns.deadline_reminders", "rectification.deadline_sweep"} <= set(
        daily.sweeps())


def test_one_entry_point_runs_every_declared_sweep_and_records_what_each_returned(counted: list[str]) -> None:
    run = daily.run_due()
    assert run is not None and run.finished_at is not None
    assert set(run.results) == set(daily.sweeps())
    assert counted == ["ping"] and run.results["test_daily.ping"] == 1
    assert run.results["rectification.deadline_sweep"] == {"reminded": 0, "overdue": 0, "escalated": 0}


def test_a_second_run_on_the_same_day_does_nothing_and_the_next_day_runs_again(counted: list[str]) -> None:
    today = timezone.localdate()
    assert daily.run_due(local(today, 8)) is not None
    assert daily.run_due(local(today, 23)) is None
    assert counted == ["ping"]
    assert daily.run_due(local(today + dt.timedelta(days=1), 8)) is not None
    assert counted == ["ping", "ping"] and DailyRun.objects.count() == 2


def test_a_day_another_process_claimed_is_left_to_it(counted: list[str]) -> None:
    DailyRun.objects.create(day=timezone.localdate())  # another gunicorn worker, or beat, got there first
    assert daily.run_due() is None and counted == []


def test_a_broken_sweep_is_recorded_and_the_others_still_run(counted: list[str]) -> None:
    def broken() -> None:
        raise RuntimeError("通知渠道不可用")

    with plugged(components.Component(label="test_broken", name="test_broken", order=997, daily={"x": broken})):
        run = daily.run_due()
    assert run is not None and run.results["test_broken.x"] == {"error": "通知渠道不可用"}
    assert counted == ["ping"]


def test_the_scheduler_waits_for_the_morning(settings: Any, counted: list[str]) -> None:
    settings.DAILY_HOUR = 7
    today = timezone.localdate()
    assert not daily.hour_has_come(local(today, 6)) and daily.hour_has_come(local(today, 7))


def test_the_scheduler_starts_once_per_process_and_only_where_the_server_runs_the_sweeps(
        settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[float] = []
    monkeypatch.setattr(daily, "_loop", started.append)
    monkeypatch.setattr(daily, "_started", type(daily._started)())
    settings.DAILY_IN_SERVER = False
    assert not daily.start_scheduler(1)
    settings.DAILY_IN_SERVER = True
    assert daily.start_scheduler(1) and not daily.start_scheduler(1)
    assert started == [1]


def test_single_machine_servers_run_the_sweeps_and_celery_setups_leave_them_to_beat(tmp_path: Path) -> None:
    out = setting_with_and_without_redis("s.DAILY_IN_SERVER", tmp_path)
    assert out == {"": "True", REDIS: "False"}


def test_beat_schedules_the_one_daily_task_and_it_claims_the_day(counted: list[str]) -> None:
    from dianti.celery import app
    from dianti.core.tasks import daily_sweeps_task

    # The sweeps are one task; beside it only the minute's counting ahead of the wide subtrees (core/warm.py).
    assert [e["task"] for e in app.conf.beat_schedule.values()] == ["dianti.daily_sweeps", "dianti.wide_counts",
                                                                   "dianti.outbound_due"]
    assert daily_sweeps_task()["test_daily.ping"] == 1
    assert daily_sweeps_task() is None and counted == ["ping"]


def test_the_command_runs_the_day_once_unless_forced(counted: list[str]) -> None:
    out = io.StringIO()
    call_command("daily", stdout=out)
    call_command("daily", stdout=out)
    assert "已运行过" in out.getvalue() and counted == ["ping"]
    call_command("daily", "--force", stdout=out)
    assert counted == ["ping", "ping"]


def test_beat_sends_the_sweeps_at_the_hour_unless_a_smoke_asks_for_an_interval() -> None:
    from celery.schedules import crontab

    from dianti.celery import daily_schedule

    assert daily_schedule(7) == crontab(hour=7, minute=0)
    assert daily_schedule(7, every_seconds=15) == 15.0
