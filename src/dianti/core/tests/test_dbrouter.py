"""The read-replica router: who reads the replica, who is pinned to the primary, and what a lagging replica does.

The replica's lag is stubbed (``replica.measure``), so these run on any database; ``scripts/smoke-replica.sh`` runs the
same behaviour against a real streaming replica.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.core import signing
from django.db import DEFAULT_DB_ALIAS, OperationalError, transaction
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.test import RequestFactory, override_settings

from dianti.campaigns.models import Campaign
from dianti.core import dbrouter, replica
from dianti.core.dbrouter import PIN_COOKIE, Reads, ReplicaMiddleware, ReplicaRouter, replica_reads
from dianti.core.models import Job
from dianti.core.replica import REPLICA, Freshness, Sample

router = ReplicaRouter()
ROUTERS = ["dianti.core.dbrouter.ReplicaRouter"]  # as settings install it with DIANTI_REPLICA_URL
NOW = dt.datetime(2026, 11, 26, 1, 2, 3, tzinfo=dt.UTC)  # 09:02:03 in Asia/Shanghai


@pytest.fixture(autouse=True)
def fresh_measurement(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(replica, "RESAMPLE_SECONDS", 0)
    replica.forget()
    yield
    replica.forget()


def lagging(seconds: float) -> Any:
    """A replica busy replaying (it has received more than it replayed) whose last replayed commit is ``seconds`` old."""
    calls: list[float] = []

    def measure() -> Sample:
        calls.append(seconds)
        return Sample(NOW, NOW - dt.timedelta(seconds=seconds), received=2000, replayed=1000)

    measure.calls = calls  # type: ignore[attr-defined]
    return measure


def down() -> Sample:
    raise OperationalError("connection refused")


class Seen:
    """A view that records where its reads would go and what the page's freshness line would say."""

    def __init__(self, *, declared: bool = True, write: bool = False) -> None:
        self.alias = ""
        self.context: dict[str, Any] = {}
        self.write = write
        if declared:
            replica_reads(self)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self.write:
            Group.objects.create(name="写过")
        self.alias = router.db_for_read(Campaign)
        self.context = dbrouter.freshness(request)
        return HttpResponse("ok")


def serve(view: Seen, request: HttpRequest) -> HttpResponse:
    middleware = ReplicaMiddleware(lambda r: view(r))

    def get_response(r: HttpRequest) -> HttpResponse:
        middleware.process_view(r, view, (), {})
        return view(r)

    middleware.get_response = get_response
    return middleware(request)


# ── The router ─────────────────────────────────────────────────────────────────────────────────────────────────────

def test_reads_outside_a_request_or_job_go_to_the_primary() -> None:
    assert dbrouter.current() is None
    assert router.db_for_read(Campaign) == DEFAULT_DB_ALIAS


def test_a_write_pins_the_rest_of_the_request_to_the_primary() -> None:
    reads = Reads(alias=REPLICA, as_of=NOW)
    token = dbrouter._reads.set(reads)
    try:
        assert router.db_for_read(Campaign) == REPLICA
        assert router.db_for_write(Campaign) == DEFAULT_DB_ALIAS
        assert router.db_for_read(Campaign) == DEFAULT_DB_ALIAS
    finally:
        dbrouter._reads.reset(token)
    assert reads.header() == "replica; wrote"


def test_sessions_and_job_progress_stay_on_the_primary_and_pin_nothing() -> None:
    reads = Reads(alias=REPLICA, as_of=NOW)
    token = dbrouter._reads.set(reads)
    try:
        assert router.db_for_read(Session) == DEFAULT_DB_ALIAS
        router.db_for_write(Session)
        router.db_for_write(Job)
        assert not reads.wrote
        assert router.db_for_read(Campaign) == REPLICA
    finally:
        dbrouter._reads.reset(token)


@pytest.mark.django_db(transaction=True)  # not inside the test's own transaction
def test_reads_inside_a_transaction_stay_on_the_primary() -> None:
    token = dbrouter._reads.set(Reads(alias=REPLICA, as_of=NOW))
    try:
        with transaction.atomic():
            assert router.db_for_read(Campaign) == DEFAULT_DB_ALIAS
        assert router.db_for_read(Campaign) == REPLICA
    finally:
        dbrouter._reads.reset(token)


def test_migrations_run_on_the_primary_only_and_relations_cross_aliases() -> None:
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "campaigns")
    assert not router.allow_migrate(REPLICA, "campaigns")
    assert router.allow_relation(Campaign(), Group())


# ── How fresh the replica is ───────────────────────────────────────────────────────────────────────────────────────

def test_a_replica_behind_lags_by_its_last_replayed_commit() -> None:
    replayed_at = NOW - dt.timedelta(seconds=4)
    assert replica.lag_of(Sample(NOW, replayed_at, received=2000, replayed=1000)) == Freshness(4.0, replayed_at)


def test_a_replica_that_replayed_all_it_received_is_current_however_old_the_last_commit() -> None:
    hours_ago = NOW - dt.timedelta(hours=3)
    assert replica.lag_of(Sample(NOW, hours_ago, received=2000, replayed=2000)) == Freshness(0.0, NOW)


def test_a_replica_that_replayed_all_it_had_received_last_time_is_at_most_that_far_behind() -> None:
    minute_ago, before = NOW - dt.timedelta(minutes=1), NOW - dt.timedelta(seconds=2)
    busy = Sample(NOW, minute_ago, received=3000, replayed=2500)
    assert replica.lag_of(busy, Sample(before, minute_ago, received=2400, replayed=2000)) == Freshness(2.0, before)
    stuck = replica.lag_of(busy, Sample(before, minute_ago, received=2600, replayed=2500))
    assert stuck == Freshness(60.0, minute_ago)


def test_a_replica_that_has_replayed_nothing_yet_cannot_serve() -> None:
    assert replica.lag_of(Sample(NOW, None, received=2000, replayed=1000)) is None


def test_a_server_not_in_recovery_is_current() -> None:
    assert replica.lag_of(Sample(NOW, None, None, None, in_recovery=False)) == Freshness(0.0, NOW)


@override_settings(DIANTI_REPLICA_LAG_CACHE_SECONDS=60)
def test_the_lag_is_measured_once_per_period(monkeypatch: pytest.MonkeyPatch) -> None:
    measure = lagging(1)
    monkeypatch.setattr(replica, "sample", measure)
    for _ in range(5):
        assert replica.freshness() == Freshness(1, NOW - dt.timedelta(seconds=1))
    assert len(measure.calls) == 1


@override_settings(DIANTI_REPLICA_MAX_LAG_SECONDS=10)
def test_a_busy_replica_whose_last_commit_is_old_is_asked_twice_before_being_sent_away(
        monkeypatch: pytest.MonkeyPatch) -> None:
    minute_ago, first = NOW - dt.timedelta(minutes=1), NOW - dt.timedelta(seconds=0.2)
    answers = iter([Sample(first, minute_ago, received=3000, replayed=2900),
                    Sample(NOW, minute_ago, received=3100, replayed=3000)])
    monkeypatch.setattr(replica, "sample", lambda: next(answers))
    assert replica.freshness() == Freshness(0.2, first)


# ── Requests ───────────────────────────────────────────────────────────────────────────────────────────────────────

@override_settings(DIANTI_REPLICA_MAX_LAG_SECONDS=10)
def test_a_declared_page_reads_the_replica_and_says_how_fresh(rf: RequestFactory,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(replica, "sample", lagging(3))
    view = Seen()
    response = serve(view, rf.get("/p/"))
    assert view.alias == REPLICA
    assert view.context == {"replica_as_of": NOW - dt.timedelta(seconds=3)}
    assert response["X-Dianti-Db"] == "replica"
    assert PIN_COOKIE not in response.cookies


def test_an_undeclared_page_and_a_post_read_the_primary(rf: RequestFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(replica, "sample", lagging(0))
    undeclared = Seen(declared=False)
    assert serve(undeclared, rf.get("/campaigns/"))["X-Dianti-Db"] == "primary"
    posted = Seen()
    assert serve(posted, rf.post("/v/330424105201/"))["X-Dianti-Db"] == "primary"
    assert undeclared.alias == posted.alias == DEFAULT_DB_ALIAS
    assert undeclared.context == posted.context == {}


@override_settings(DIANTI_REPLICA_MAX_LAG_SECONDS=10)
def test_a_replica_lagging_past_the_limit_sends_reads_to_the_primary_and_says_so(
        rf: RequestFactory, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(replica, "sample", lagging(11))
    view = Seen()
    with caplog.at_level(logging.WARNING, logger="dianti.replica"):
        response = serve(view, rf.get("/p/"))
    assert (view.alias, view.context, response["X-Dianti-Db"]) == (DEFAULT_DB_ALIAS, {}, "primary; fallback")
    assert "replica lags 11.0 s" in caplog.text


def test_a_replica_that_is_down_sends_reads_to_the_primary_and_says_so(
        rf: RequestFactory, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(replica, "sample", down)
    view = Seen()
    with caplog.at_level(logging.WARNING, logger="dianti.replica"):
        response = serve(view, rf.get("/p/"))
    assert (view.alias, response["X-Dianti-Db"]) == (DEFAULT_DB_ALIAS, "primary; fallback")
    assert "replica unavailable (OperationalError" in caplog.text


@pytest.mark.django_db
@override_settings(DIANTI_REPLICA_PIN_SECONDS=15, DATABASE_ROUTERS=ROUTERS)
def test_a_browser_that_wrote_reads_the_primary_until_the_pin_expires(rf: RequestFactory,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(replica, "sample", lagging(0))
    wrote = serve(Seen(declared=False, write=True), rf.post("/campaigns/new/"))
    cookie = wrote.cookies[PIN_COOKIE]
    assert cookie["max-age"] == 15 and cookie["httponly"]

    after = rf.get("/p/")
    after.COOKIES[PIN_COOKIE] = cookie.value
    view = Seen()
    assert serve(view, after)["X-Dianti-Db"] == "primary; pinned"
    assert view.alias == DEFAULT_DB_ALIAS

    real = time.time
    monkeypatch.setattr(signing.time, "time", lambda: real() - 16)
    stale = signing.get_cookie_signer(salt=PIN_COOKIE + PIN_COOKIE).sign("1")
    monkeypatch.setattr(signing.time, "time", real)
    later = rf.get("/p/")
    later.COOKIES[PIN_COOKIE] = stale
    assert serve(Seen(), later)["X-Dianti-Db"] == "replica"


def test_a_forged_pin_cookie_pins_nothing(rf: RequestFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(replica, "sample", lagging(0))
    request = rf.get("/p/")
    request.COOKIES[PIN_COOKIE] = "1"
    assert serve(Seen(), request)["X-Dianti-Db"] == "replica"


@pytest.mark.django_db(transaction=True)  # not inside the test's own transaction
@override_settings(DATABASE_ROUTERS=ROUTERS)
def test_a_write_in_a_declared_request_pins_its_later_reads_and_the_browser(rf: RequestFactory,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(replica, "sample", lagging(0))
    view = Seen(write=True)
    response = serve(view, rf.get("/p/"))
    assert (view.alias, view.context, response["X-Dianti-Db"]) == (DEFAULT_DB_ALIAS, {}, "replica; wrote")
    assert PIN_COOKIE in response.cookies


@override_settings(DIANTI_REPLICA_HEADER=False)
def test_the_header_is_shown_only_when_asked_for(rf: RequestFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(replica, "sample", lagging(0))
    assert "X-Dianti-Db" not in serve(Seen(), rf.get("/p/"))


def test_the_freshness_line_shows_the_replicas_time_in_local_time() -> None:
    html = render_to_string("core/_replica_freshness.html", {"replica_as_of": NOW})
    assert "数据更新于 09:02:03" in html
    assert render_to_string("core/_replica_freshness.html", {}).strip() == ""


# ── Background jobs ────────────────────────────────────────────────────────────────────────────────────────────────

def test_a_job_declared_replica_safe_reads_the_replica_and_others_do_not(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(replica, "configured", lambda: True)
    monkeypatch.setattr(replica, "sample", lagging(2))

    def export(job: Any, progress: Any) -> dict[str, Any]:
        return {"read": router.db_for_read(Campaign)}

    def mine(job: Any, progress: Any) -> dict[str, Any]:
        return {"read": router.db_for_read(Campaign)}

    with dbrouter.job_reads(replica_reads(export)):
        assert export(None, None) == {"read": REPLICA}
    with dbrouter.job_reads(mine):
        assert mine(None, None) == {"read": DEFAULT_DB_ALIAS}
    assert dbrouter.current() is None


# ── API operations ─────────────────────────────────────────────────────────────────────────────────────────────────

def test_an_api_operation_declared_replica_safe_reads_the_replica_and_an_undeclared_one_does_not(
        client: Any, tree: Any, settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # django-ninja serves a path through one view of its own: the operation itself must decide (replica_reads_api).
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "dianti.core.dbrouter.ReplicaMiddleware"]
    settings.DIANTI_REPLICA_HEADER = True
    monkeypatch.setattr(replica, "sample", lagging(2))
    stats = client.get("/api/v1/stats", {"org": tree.county.code})
    assert stats.status_code == 200
    assert stats["X-Dianti-Db"] == "replica"
    rules = client.get("/api/v1/rules")
    assert rules.status_code == 200
    assert rules["X-Dianti-Db"] == "primary"


def test_an_api_operation_after_a_write_in_its_request_stays_on_the_primary(rf: RequestFactory,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(replica, "sample", lagging(1))
    seen: list[str] = []

    def operation(request: HttpRequest) -> None:
        seen.append(router.db_for_read(Campaign))

    declared = dbrouter.replica_reads_api(operation)
    token = dbrouter._reads.set(Reads(wrote=True))
    try:
        declared(rf.get("/api/v1/x"))
    finally:
        dbrouter._reads.reset(token)
    assert seen == [DEFAULT_DB_ALIAS]
    assert getattr(declared, "replica_reads", False)
