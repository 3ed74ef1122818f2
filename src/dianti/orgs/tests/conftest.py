"""Fixtures for the organizations tests: fast password hashing, uploads kept out of var/, and a runner for the
background jobs that a request queues (they start on commit, which a test transaction never reaches)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest


def pytest_configure(config: Any) -> None:
    config.addinivalue_line("markers", "slow: takes seconds (demo load, 10,000-row import)")


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings: Any, tmp_path: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def run_jobs(django_capture_on_commit_callbacks: Any) -> Callable[[], AbstractContextManager[Any]]:
    """Return a context manager that runs, at its end, the jobs queued inside it (as a commit would)."""

    def runner() -> AbstractContextManager[Any]:
        return django_capture_on_commit_callbacks(execute=True)

    return runner


@pytest.fixture
def login(client: Any) -> Callable[[Any], Any]:
    """Log ``client`` in as the given user and return it."""

    def do(user: Any) -> Any:
        client.force_login(user)
        return client

    return do
