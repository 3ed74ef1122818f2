"""The daily sweeps: what must happen once a day whoever is signed in — deadline reminders, rectification's overdue
marking and escalation, the retention sweep.

Each step declares its own (``daily`` in its component: a name → a function of no argument); the kernel adds its
retention sweep (:data:`KERNEL_DAILY`). :func:`run_due` is the one entry point: it claims today's
:class:`~dianti.core.models.DailyRun` (the day is unique, so of two processes racing one inserts the row and the
other finds it) and runs every sweep, recording what each returned. It is called

* by Celery beat in production (the ``dianti.daily_sweeps`` task, :mod:`dianti.celery`), at ``DAILY_HOUR``;
* on a single machine without Celery (``JOBS_BACKEND`` "process" or "thread": ``make run``, ``dianti serve``), by a
  thread of each web process (:func:`start_scheduler`, started from ``dianti/wsgi.py``), which checks at start and
  every :data:`CHECK_SECONDS` once ``DAILY_HOUR`` has come: a server started later in the day runs them at once;
* by ``dianti daily`` (by hand, or from cron).

A sweep that raises is logged and recorded, and the others still run. A claimed day is not run again, even if the
process died half-way: every sweep is idempotent (each reminder and escalation is sent once per deadline, the
retention cutoff only moves forward), so the next day's run catches up.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from . import components, retention
from .models import DailyRun

log = logging.getLogger(__name__)

Sweep = Callable[[], Any]

KERNEL_DAILY: dict[str, Sweep] = {"core.retention_sweep": retention.sweep}
CHECK_SECONDS = 600


def sweeps() -> dict[str, Sweep]:
    """Return every daily sweep named ``<label>.<name>``: the kernel's, then each step's in the order of the cycle."""
    found = dict(KERNEL_DAILY)
    for component in components.components():
        found.update({f"{component.label}.{name}": fn for name, fn in component.daily.items()})
    return found


def run_all() -> dict[str, Any]:
    """Run every daily sweep now, whatever ran before; return what each returned, or ``{"error": message}`` for one
    that raised (logged; the others still run)."""
    results: dict[str, Any] = {}
    for name, sweep in sweeps().items():
        try:
            results[name] = sweep()
        except Exception as exc:  # one broken sweep must not keep the reminders of the others from going out
            log.exception("daily sweep %s failed", name)
            results[name] = {"error": str(exc)}
    return results


def run_due(now: datetime | None = None) -> DailyRun | None:
    """Run the daily sweeps unless some process has already claimed today (local date of ``now``); return today's
    finished run, or None when it was not ours to run."""
    day = timezone.localtime(now).date()
    run, claimed = DailyRun.objects.get_or_create(day=day)
    if not claimed:
        return None
    results = json.loads(json.dumps(run_all(), default=str))
    DailyRun.objects.filter(pk=run.pk).update(finished_at=timezone.now(), results=results)
    run.refresh_from_db()
    log.info("daily sweeps for %s: %s", day, results)
    return run


def hour_has_come(now: datetime | None = None) -> bool:
    """Return whether it is ``DAILY_HOUR`` or later, local time: the sweeps' notifications wait for the morning."""
    return timezone.localtime(now).hour >= settings.DAILY_HOUR


def check() -> DailyRun | None:
    """One look of the scheduler: run today's sweeps if their hour has come and nobody ran them yet."""
    return run_due() if hour_has_come() else None


_started = threading.Event()


def start_scheduler(interval: float = CHECK_SECONDS) -> bool:
    """Start this process's scheduler thread (once; later calls do nothing) when settings say the web server runs
    the sweeps (``DAILY_IN_SERVER``); return whether it started."""
    if not settings.DAILY_IN_SERVER or _started.is_set():
        return False
    _started.set()
    threading.Thread(target=_loop, args=(interval,), daemon=True, name="dianti-daily").start()
    return True


def _loop(interval: float) -> None:
    while True:
        try:
            check()
        except Exception:  # a database away for a moment: try again at the next look
            log.exception("daily sweeps: the check failed")
        finally:
            connection.close()  # this thread's own connection; idle until the next look
        time.sleep(interval)
