"""Celery application for production background jobs (``DIANTI_REDIS_URL`` set).

Run a worker with ``celery -A dianti.celery worker``; without Redis the jobs run in-process instead.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dianti.settings")
app = Celery("dianti")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["dianti.core"])
