"""Celery application for production background jobs (``DIANTI_REDIS_URL`` set).

Run a worker with ``celery -A dianti.celery worker`` and the daily sweeps (deadline reminders, rectification's
overdue marking and escalation, retention — :mod:`dianti.core.daily`) with ``celery -A dianti.celery beat``;
without Redis the web server runs them itself, once a day.
"""

import os

from celery import Celery
from celery.schedules import crontab
from django.conf import settings

from dianti.core.queues import DEFAULT, URGENT

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dianti.settings")
app = Celery("dianti")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["dianti.core"])
# Queues (dianti.core.queues): a job goes where its kind's step declares; the daily sweeps are urgent.
app.conf.task_default_queue = DEFAULT
app.conf.task_routes = {"dianti.daily_sweeps": {"queue": URGENT}}
app.conf.beat_schedule = {
    # One task for every sweep the registry declares; it claims the day, so a second beat does nothing.
    "daily-sweeps": {"task": "dianti.daily_sweeps", "schedule": crontab(hour=settings.DAILY_HOUR, minute=0)},
}
