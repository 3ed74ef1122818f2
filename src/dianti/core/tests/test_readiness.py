"""/readyz: ready when the database answers and, with Redis configured, Redis and a Celery worker do; a failing
check is named (by kind only) and the answer is 503."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest

from dianti.core import readiness

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_answers() -> Iterator[None]:
    readiness._kept.clear()
    yield
    readiness._kept.clear()


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_ready_on_sqlite_without_redis(client: Any, settings: Any) -> None:
    settings.REDIS_URL = ""
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": {"database": "ok"}}
    assert response["Cache-Control"] == "no-store"


def test_unreachable_redis_is_named_and_not_ready(client: Any, settings: Any) -> None:
    settings.REDIS_URL = f"redis://127.0.0.1:{closed_port()}/0"
    settings.JOBS_BACKEND = "celery"
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not ready"
    assert body["checks"] == {"database": "ok", "redis": "failed: ConnectionError",
                              "worker": "failed: broker unavailable"}
    assert "127.0.0.1" not in response.content.decode()  # public: the kind of failure, never internal addresses


def test_a_missing_worker_is_named(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.REDIS_URL = "redis://redis.internal:6379/0"
    settings.JOBS_BACKEND = "celery"
    monkeypatch.setattr(readiness, "checks", lambda: {"database": readiness.database, "redis": lambda: None,
                                                      "worker": readiness.worker})
    monkeypatch.setattr("dianti.celery.app.control.ping", lambda **kwargs: [])
    ready, checks = readiness.report()
    assert not ready and checks["worker"] == "failed: NoWorker"


def test_without_celery_jobs_no_worker_is_owed(settings: Any) -> None:
    settings.REDIS_URL = "redis://redis.internal:6379/0"
    settings.JOBS_BACKEND = "process"
    assert set(readiness.checks()) == {"database", "redis"}


def test_a_burst_of_probes_runs_the_checks_once(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.REDIS_URL = ""
    calls: list[str] = []
    monkeypatch.setattr(readiness, "checks", lambda: {"database": lambda: calls.append("db")})
    for _ in range(5):
        assert readiness.report() == (True, {"database": "ok"})
    assert calls == ["db"]
