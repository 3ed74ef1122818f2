import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dianti.settings")
application = get_wsgi_application()

# On a single machine (no Celery beat) the server that serves the pages also runs the daily sweeps: a thread per
# process, of which one claims each day (see dianti.core.daily). Off with Celery, and in tests and benchmarks.
from dianti.core import daily, outbound  # noqa: E402

daily.start_scheduler()
outbound.start_worker()  # sends the outbound messages (SMS …) that a restart left queued
