"""Readiness: whether this installation can do its work now, for a load balancer or an orchestrator (``/readyz``).

``/healthz`` says the process is alive; ``/readyz`` says it is ready: the database answers, and when
``DIANTI_REDIS_URL`` is set Redis answers and — with Celery jobs — some worker answers a ping within
:data:`TIMEOUT` seconds. The answer names each check with ``ok`` or the kind of failure only (an exception's class,
never its message: the page is public and a message would name internal hosts; the message goes to the log).

The answer is kept for :data:`KEEP_SECONDS` in the process, so a burst of probes (or of strangers) costs one round of
checks, not one per request: a missing worker makes a check wait the whole timeout.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.db import connection

log = logging.getLogger(__name__)

TIMEOUT = 2.0
KEEP_SECONDS = 5.0
OK = "ok"

Check = Callable[[], None]  # raises when the thing checked does not answer


def database() -> None:
    """The database answers a query."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def redis() -> None:
    """Redis (broker and shared cache) answers a PING."""
    import redis as redis_client

    client = redis_client.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=TIMEOUT, socket_timeout=TIMEOUT)
    try:
        client.ping()
    finally:
        client.close()


class NoWorker(Exception):
    """No Celery worker answered the ping in time."""


def worker() -> None:
    """Some Celery worker answers a ping (the first reply is enough)."""
    from dianti.celery import app

    if not app.control.ping(timeout=TIMEOUT, limit=1):
        raise NoWorker


def checks() -> dict[str, Check]:
    """Return the checks this configuration owes: the database always; Redis when configured; a worker when jobs go
    to Celery."""
    found: dict[str, Check] = {"database": database}
    if settings.REDIS_URL:
        found["redis"] = redis
        if settings.JOBS_BACKEND == "celery":
            found["worker"] = worker
    return found


def run_checks() -> dict[str, str]:
    """Run every owed check; return each one's name with ``ok`` or ``failed: <kind>``. A worker is not pinged once
    Redis, its broker, has failed (it could not answer, and the ping would hang on reconnecting)."""
    results: dict[str, str] = {}
    for name, check in checks().items():
        if name == "worker" and results.get("redis", OK) != OK:
            results[name] = "failed: broker unavailable"
            continue
        try:
            check()
        except Exception as exc:  # any failure means not ready; which one is for the log
            log.warning("readiness check %s failed: %s", name, exc)
            results[name] = f"failed: {type(exc).__name__}"
        else:
            results[name] = OK
    return results


_kept: dict[tuple[str, str], tuple[float, dict[str, str]]] = {}
_lock = threading.Lock()


def report() -> tuple[bool, dict[str, str]]:
    """Return whether every check passed, and each check's result (kept for :data:`KEEP_SECONDS`)."""
    key = (settings.REDIS_URL, settings.JOBS_BACKEND)
    with _lock:
        at, results = _kept.get(key, (0.0, {}))
        if time.monotonic() - at > KEEP_SECONDS:
            results = run_checks()
            _kept[key] = (time.monotonic(), results)
    return all(r == OK for r in results.values()), results
