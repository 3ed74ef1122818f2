"""Jobs out of the web worker: on a single machine each job runs in a ``dianti run_job`` process of its own.

The issue's bomb held a web worker for 59 CPU-seconds because jobs ran in a thread of the very process serving
pages. Without Redis the default is now a process per job.
"""

from __future__ import annotations

import io
import sys
from typing import Any

from django.core.management import call_command

from dianti.core import jobs
from dianti.core.models import Job

from .test_jobs import _test_kinds  # noqa: F401  (an autouse fixture: the test.count kind, declared as a step would)
from .test_settings import dianti


class _FakeProcess:
    started: list[list[str]] = []

    def __init__(self, argv: list[str], **kwargs: Any) -> None:
        self.argv, self.kwargs = argv, kwargs
        _FakeProcess.started.append(argv)

    def wait(self) -> int:
        return 137  # killed (out of memory, say) before it could record anything


def test_without_redis_jobs_default_to_a_process_of_their_own(tmp_path):
    shown = dianti(["shell", "-c", "from django.conf import settings; print(settings.JOBS_BACKEND)"], tmp_path,
                   DIANTI_DEBUG="1")
    assert shown.stdout.strip().splitlines()[-1] == "process", shown.stderr


def test_a_job_is_handed_to_its_own_process_not_run_in_the_web_worker(db, settings, monkeypatch,
                                                                        django_capture_on_commit_callbacks):
    settings.JOBS_BACKEND = "process"
    monkeypatch.setattr(jobs.subprocess, "Popen", _FakeProcess)
    watched = []
    monkeypatch.setattr(jobs.threading, "Thread", lambda target, args, **kw: type(
        "T", (), {"start": lambda self: watched.append((target, args))})())
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.submit(kind="test.count", title="数数", actor=None, params={"n": 30})
    assert _FakeProcess.started[-1] == [sys.executable, "-m", "dianti", "run_job", str(job.pk)]
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED  # nothing ran in this process
    target, args = watched[-1]
    monkeypatch.setattr(jobs, "close_old_connections", lambda: None)  # the watcher's thread is this test's here
    target(*args)  # the watcher sees the process die
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "任务进程意外退出（代码 137）" in job.message


def test_run_job_runs_the_job_to_its_end(db):
    job = Job.objects.create(kind="test.count", title="数数", params={"n": 20})
    out = io.StringIO()
    call_command("run_job", str(job.pk), stdout=out)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.result["counted"] == 20 and "done" in out.getvalue()


def test_the_demo_runs_its_own_jobs_as_it_loads_so_none_is_left_failed(db, tree, users, settings, monkeypatch,
                                                                         django_capture_on_commit_callbacks):
    # `make run` on SQLite: the loader holds the write lock for most of a minute, and the job process started for
    # the county's heat knobs gave up waiting ("database is locked"), so the county's heat page opened on
    # 话题热度未能按新权重重算. The demo's jobs now run in its own process as each commits.
    from types import SimpleNamespace

    from dianti.campaigns import heat
    from dianti.core import demo

    settings.JOBS_BACKEND = "process"
    spawned: list[int] = []
    monkeypatch.setattr(jobs, "_spawn", spawned.append)

    def loader(**_: Any) -> dict[str, Any]:  # a step's demo loader, whose transaction commits inside it
        with django_capture_on_commit_callbacks(execute=True):
            heat.heat_scheme_set(actor=users.county_admin, organization=tree.county, weights={"channel_visit": 1.8})
        return {}

    monkeypatch.setattr(demo, "components", SimpleNamespace(components=lambda: [SimpleNamespace(demo=loader)]))
    demo.load_all()
    [job] = Job.objects.filter(kind=heat.REHEAT_JOB)
    assert job.status == Job.Status.DONE and spawned == []
    with django_capture_on_commit_callbacks(execute=True):  # outside the demo, jobs go to their process again
        again = jobs.submit(kind="test.count", title="数数", actor=None, params={"n": 3})
    assert spawned == [again.pk]
