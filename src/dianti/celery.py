"""Celery application for production background jobs (``DIANTI_REDIS_URL`` set).

Run a worker with ``celery -A dianti.celery worker`` and the daily sweeps (deadline reminders, rectification's
overdue marking and escalation, retention — :mod:`dianti.core.daily`) with ``celery -A dianti.celery beat``;
without Redis the web server runs them itself, once a day.
"""

import os

from celery import Celery
from celery.schedules import crontab
from django.conf import settings

from dianti.core.figures import WIDE_SECONDS
from dianti.core.queues import DEFAULT, URGENT

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dianti.settings")
app = Celery("dianti")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["dianti.core"])
# Queues (dianti.core.queues): a job goes where its kind's step declares; the daily sweeps are urgent.
app.conf.task_default_queue = DEFAULT
app.conf.task_routes = {"dianti.daily_sweeps": {"queue": URGENT}, "dianti.deliver_outbound": {"queue": URGENT},
                        "dianti.outbound_due": {"queue": URGENT}}


def daily_schedule(hour: int, every_seconds: int = 0) -> crontab | float:
    """Return when beat sends the daily sweeps: at ``hour``:00 local time, or every ``every_seconds`` when that is
    set (``DIANTI_DAILY_EVERY_SECONDS``, for a smoke test that cannot wait for the morning)."""
    return float(every_seconds) if every_seconds > 0 else crontab(hour=hour, minute=0)


app.conf.beat_schedule = {
    # One task for every sweep the registry declares; it claims the day, so a second beat does nothing.
    "daily-sweeps": {"task": "dianti.daily_sweeps",
                     "schedule": daily_schedule(settings.DAILY_HOUR, settings.DAILY_EVERY_SECONDS)},
    # The provinces' and cities' figures, counted ahead so no visitor waits for them (dianti.core.warm).
    "wide-counts": {"task": "dianti.wide_counts", "schedule": float(WIDE_SECONDS)},
    # Outbound messages whose task was lost (the broker away when their act committed), and retries come due.
    "outbound-due": {"task": "dianti.outbound_due", "schedule": 60.0},
}
