"""Rate limits that a script cannot walk around: forged X-Forwarded-For, cleared cookies, many workers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.cache.backends.db import DatabaseCache
from django.test import RequestFactory
from django.urls import reverse

import dianti
from dianti.core import ratelimit
from dianti.core.http import client_address
from dianti.testing.probe import REDIS, setting_with_and_without_redis
from dianti.voices import services
from dianti.voices.tests.factories import opinion

PROXY = "10.0.0.5"


def request(remote: str, forwarded: str = "") -> Any:
    meta = {"REMOTE_ADDR": remote}
    if forwarded:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


def test_forwarded_for_from_an_untrusted_peer_is_ignored(settings: Any) -> None:
    settings.DIANTI_TRUSTED_PROXIES = []
    assert client_address(request("203.0.113.7", "1.2.3.4")) == "203.0.113.7"


def test_a_trusted_proxys_forwarded_for_gives_the_right_most_untrusted_address(settings: Any) -> None:
    settings.DIANTI_TRUSTED_PROXIES = ["10.0.0.0/8", "::1"]
    # The client wrote "6.6.6.6" itself; our proxy appended the address it saw, 198.51.100.9.
    assert client_address(request(PROXY, "6.6.6.6, 198.51.100.9")) == "198.51.100.9"
    # Two of our proxies in a row: skip both.
    assert client_address(request(PROXY, "6.6.6.6, 198.51.100.9, 10.1.1.1")) == "198.51.100.9"
    assert client_address(request(PROXY)) == PROXY


def test_rotating_a_forged_forwarded_for_does_not_reset_the_address_limit(client: Any, db: Any,
                                                                          settings: Any) -> None:
    settings.DIANTI_TRUSTED_PROXIES = []
    url = reverse("voices_track", args=["NOPE2345"])
    statuses = [client.get(url, REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR=f"1.2.3.{i}").status_code
                for i in range(61)]
    assert statuses[:60] == [404] * 60 and statuses[60] == 429


def test_behind_a_trusted_proxy_each_client_counts_on_its_own(client: Any, db: Any, settings: Any) -> None:
    settings.DIANTI_TRUSTED_PROXIES = ["10.0.0.0/8"]
    url = reverse("voices_track", args=["NOPE2345"])
    for _ in range(60):
        client.get(url, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.9")
    assert client.get(url, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.9").status_code == 429
    assert client.get(url, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.10").status_code == 404


def test_clearing_cookies_does_not_reset_the_support_bound_of_an_address(tree: Any, client: Any) -> None:
    op = opinion(tree.village_a1, "村口的路灯坏了好几个月，晚上很黑")
    url = reverse("voices_support", args=["opinion", op.pk])
    statuses = []
    for _ in range(services.SUPPORTS_PER_ADDRESS_DAY + 5):
        client.cookies.clear()  # a new "device" every time
        statuses.append(client.post(url, REMOTE_ADDR="203.0.113.7").status_code)
    op.refresh_from_db()
    assert op.supports == services.SUPPORTS_PER_ADDRESS_DAY
    assert statuses.count(429) == 5
    # Another address still counts.
    client.cookies.clear()
    assert client.post(url, REMOTE_ADDR="198.51.100.9").status_code == 200


def test_a_device_supports_once_whatever_its_address(tree: Any, client: Any) -> None:
    op = opinion(tree.village_a1, "村口的路灯坏了好几个月，晚上很黑")
    url = reverse("voices_support", args=["opinion", op.pk])
    for i in range(3):
        client.post(url, REMOTE_ADDR=f"198.51.100.{i}")
    op.refresh_from_db()
    assert op.supports == 1


@pytest.fixture
def two_workers(db: Any) -> tuple[DatabaseCache, DatabaseCache]:
    """Two independent cache clients on the default database cache table, as two web workers hold them."""
    return DatabaseCache("dianti_cache", {}), DatabaseCache("dianti_cache", {})


def test_two_workers_share_one_count(two_workers: tuple[DatabaseCache, DatabaseCache]) -> None:
    first, second = two_workers
    hits = [ratelimit.allow("t", "k", 4, 60, cache=(first if i % 2 else second)) for i in range(6)]
    assert hits == [True, True, True, True, False, False]
    assert ratelimit.exceeded("t", "k", 4, cache=first) and ratelimit.exceeded("t", "k", 4, cache=second)


def test_production_settings_share_counters_in_the_database_or_redis(tmp_path: Path) -> None:
    out = setting_with_and_without_redis("s.CACHES['default']['BACKEND']", tmp_path)
    assert out[""] == "django.core.cache.backends.db.DatabaseCache"
    assert out[REDIS] == "django_redis.cache.RedisCache"


def test_clearing_cookies_does_not_reset_the_opinion_limit_of_an_address(tree: Any, client: Any) -> None:
    from dianti.campaigns.tests.factories import in_topics

    in_topics(tree)
    url = reverse("voices_public", args=[tree.village_a1.code])
    limit = services.PUBLIC_LIMITS[0][0]
    statuses = []
    for i in range(limit + 1):
        client.cookies.clear()
        statuses.append(client.post(url, {"text": f"村口的路灯坏了好几个月了，第{i}次反映", "anonymous": "on"},
                                    REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR=f"1.2.3.{i}").status_code)
    assert statuses[:limit] == [302] * limit and statuses[limit] == 429


# ── Loading data is not a visitor: the demo runs with the public limits suspended ─────────────────────────────────


def test_loading_data_twice_is_refused_nothing_and_leaves_the_visitors_count_untouched(
        tree: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from dianti.campaigns.tests.factories import in_topics
    from dianti.core import components, demo

    in_topics(tree)
    same = services.Submitter(ratelimit.digest("ip:demo"), ratelimit.digest("dev:demo"))
    limit = services.PUBLIC_LIMITS[0][0]

    def submit(i: int) -> None:
        services.opinion_submit(organization=tree.village_a1, text=f"村口的路灯坏了好几个月了，第{i}次反映",
                                submitter=same)

    def load(counties: int = 1) -> None:
        for i in range(limit * 3):
            submit(i)

    loader = components.Component(label="test_loader", name="test_loader", order=999, demo=load)
    monkeypatch.setattr(components, "components", lambda: [loader])
    demo.load_all()
    demo.load_all()
    # Afterwards the same address and device, as a visitor, start from nothing and are limited as ever.
    for i in range(limit):
        submit(i)
    with pytest.raises(ratelimit.RateLimited):
        submit(limit)


def test_a_suspension_covers_its_own_block_and_not_another_thread() -> None:
    import threading

    from django.core.cache.backends.locmem import LocMemCache

    store = LocMemCache("test-suspension", {})

    def hits(key: str) -> list[bool]:
        return [ratelimit.allow("t", key, 1, 60, cache=store) for _ in range(2)]

    beside: list[bool] = []
    with ratelimit.suspended():
        assert hits("a") == [True, True]
        assert not ratelimit.exceeded("t", "b", 0, cache=store)
        thread = threading.Thread(target=lambda: beside.extend(hits("b")))
        thread.start()
        thread.join()
    assert beside == [True, False]  # a request served beside the load is counted as ever
    assert hits("a") == [True, False]  # and nothing inside the block was counted


def test_only_the_demo_loader_suspends_rate_limits() -> None:
    # Nothing a request reaches may enter the suspension: it is entered by name, in these places only.
    package = Path(dianti.__file__).resolve().parent
    users = {str(p.relative_to(package)) for p in package.rglob("*.py")
             if "ratelimit.suspended(" in p.read_text(encoding="utf-8") and "tests" not in p.parts}
    assert users == {"core/demo.py", "bench/demo.py"}
