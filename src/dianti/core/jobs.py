"""Background jobs with visible progress.

A job kind is a function ``handler(job, progress)`` declared by a step (``jobs`` in its component); :func:`submit` records a
:class:`Job` and runs it after the surrounding transaction commits — in a Celery worker when
``JOBS_BACKEND == "celery"`` (production, Redis), in a process of its own on a single machine (``"process"``:
``dianti run_job <id>``), in a thread of this process (``"thread"``), or inline (``"sync"``, tests).

Only ``"celery"`` and ``"process"`` keep a job out of the web worker that took the request: an import or a mining
run in a thread shares the worker's interpreter lock and memory, and a heavy one (a spreadsheet bomb once took 59
CPU-seconds and 1 GB) stalls or kills the requests beside it. The handler calls ``progress(done, total)``; whatever it returns is stored as the
job's result, and an exception it raises marks the job failed with the exception's message.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils import timezone

from .dbrouter import job_reads
from .models import Job
from .queues import DEFAULT, HEAVY

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
Handler = Callable[[Job, Progress], dict[str, Any]]


class JobFailed(Exception):
    """Raise from a handler to fail the job with a message for the user (and optional details in ``result``)."""

    def __init__(self, message: str, result: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.result = result or {}


def queue_for(kind: str) -> str:
    """Return the Celery queue a job kind runs on: what its step declares (``job_queues``), else ``heavy`` for a
    large export (``export.*``, :mod:`.exports`) and ``default`` for the rest."""
    from . import components

    for component in components.components():
        if kind in component.job_queues:
            return component.job_queues[kind]
    return HEAVY if kind.startswith("export.") else DEFAULT


def handlers() -> dict[str, Handler]:
    """Return every job kind some step declares (``jobs`` in its component) with its handler."""
    from . import components
    return {**_KERNEL_KINDS, **{kind: fn for c in components.components() for kind, fn in c.jobs.items()}}


_KERNEL_KINDS: dict[str, Handler] = {}


def kernel_kind(kind: str) -> Callable[[Handler], Handler]:
    """Declare a job kind of the kernel itself (the audit log's export); steps declare theirs in their component."""

    def declare(handler: Handler) -> Handler:
        _KERNEL_KINDS[kind] = handler
        return handler

    return declare


def submit(*, kind: str, title: str, actor: Any, params: dict[str, Any] | None = None,
           input_file: Any = None) -> Job:
    """Record a job and start it once the current transaction commits."""
    if kind not in handlers():
        raise ValueError(f"unknown job kind {kind}")
    job = Job(kind=kind, title=title, params=params or {},
              created_by=actor if getattr(actor, "is_authenticated", False) else None)
    if input_file is not None:
        job.input_file.save(getattr(input_file, "name", "upload"), input_file, save=False)
    job.save()
    transaction.on_commit(lambda: _dispatch(job.pk, job.kind))
    return job


_here = threading.local()


@contextmanager
def run_here() -> Iterator[None]:
    """Run the jobs submitted inside the block here, in this process, as each commits, whatever ``JOBS_BACKEND``
    says. For a loader that writes for minutes (``dianti demo``): on SQLite it holds the write lock most of that time,
    so a job process it started would give up waiting ("database is locked") and the job would show as failed."""
    before, _here.on = getattr(_here, "on", False), True
    try:
        yield
    finally:
        _here.on = before


def _dispatch(job_id: int, kind: str) -> None:
    backend = "sync" if getattr(_here, "on", False) else settings.JOBS_BACKEND
    if backend == "celery":
        # Send through the project's app: in a web process nothing else imports dianti.celery, and a bare
        # shared_task.delay() would go to Celery's default broker (amqp://localhost), leaving the job queued.
        from dianti.celery import app

        app.send_task("dianti.run_job", args=(job_id,), queue=queue_for(kind))
    elif backend == "process":
        _spawn(job_id)
    elif backend == "thread":
        threading.Thread(target=_run_in_thread, args=(job_id,), daemon=True, name=f"job-{job_id}").start()
    else:
        run(job_id)


def _spawn(job_id: int) -> None:
    """Run the job in a new ``dianti run_job`` process; a process that dies without finishing fails the job."""
    env = dict(os.environ, DJANGO_SETTINGS_MODULE=os.environ.get("DJANGO_SETTINGS_MODULE", "dianti.settings"))
    proc = subprocess.Popen([sys.executable, "-m", "dianti", "run_job", str(job_id)], env=env,
                            stdin=subprocess.DEVNULL, start_new_session=True)
    # A thread that only waits (no CPU): it reaps the process and records a death the job could not record itself.
    threading.Thread(target=_watch, args=(proc, job_id), daemon=True, name=f"job-{job_id}-watch").start()


def _watch(proc: Any, job_id: int) -> None:
    try:
        code = proc.wait()
        if code != 0:
            Job.objects.filter(pk=job_id, status__in=[Job.Status.QUEUED, Job.Status.RUNNING]).update(
                status=Job.Status.FAILED, message=f"任务进程意外退出（代码 {code}），请稍后重试或联系管理员",
                finished_at=timezone.now())
    finally:
        close_old_connections()


def _run_in_thread(job_id: int) -> None:
    try:
        run(job_id)
    finally:
        close_old_connections()


def run(job_id: int) -> Job:
    """Run one job to the end, recording progress, result and failure."""
    job = Job.objects.get(pk=job_id)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING)

    def progress(done: int, total: int) -> None:
        Job.objects.filter(pk=job.pk).update(progress=done, total=total)

    handler = handlers()[job.kind]
    try:
        with job_reads(handler):  # a handler declared replica_reads reads the replica (core/dbrouter.py)
            result = handler(job, progress)
    except JobFailed as exc:
        _finish(job, Job.Status.FAILED, str(exc), exc.result)
    except Exception as exc:  # a bug must still end the job visibly, not leave it "running" forever
        log.exception("job %s failed", job.pk)
        _finish(job, Job.Status.FAILED, f"任务出错：{exc}", {})
    else:
        _finish(job, Job.Status.DONE, str(result.pop("message", "")), result)
    job.refresh_from_db()
    return job


def _finish(job: Job, status: str, message: str, result: dict[str, Any]) -> None:
    Job.objects.filter(pk=job.pk).update(status=status, message=message, result=result,
                                         finished_at=timezone.now())
