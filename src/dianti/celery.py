"""Celery application for production background jobs (``DIANTI_REDIS_URL`` set).

Run a worker with ``celery -A dianti.celery worker`` and the daily reminders with ``celery -A dianti.celery beat``;
without Redis the jobs run in-process and ``dianti remind`` can be run from cron instead.
"""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dianti.settings")
app = Celery("dianti")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["dianti.core", "dianti.campaigns", "dianti.rectification"])
app.conf.beat_schedule = {
    "deadline-reminders": {"task": "dianti.deadline_reminders", "schedule": crontab(hour=8, minute=0)},
    "rectification-deadlines": {"task": "dianti.rectification_deadlines", "schedule": crontab(hour=8, minute=10)},
    "retention-sweep": {"task": "dianti.retention_sweep", "schedule": crontab(hour=3, minute=30)},
}
