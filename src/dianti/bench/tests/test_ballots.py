"""The ballots benchmark's baseline view is mounted by the benchmark's own server, never by the product's URLs."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import Resolver404, resolve

from dianti import bench
from dianti.bench import settings as bench_settings
from dianti.bench.views import baseline_ballot

BASELINE = "/_bench/ballot/1/1/"


def test_the_bench_is_registered() -> None:
    assert {"ballots", "ballots_crash"} <= set(bench.load_all())


def test_the_product_does_not_mount_the_baseline_view() -> None:
    with pytest.raises(Resolver404):
        resolve(BASELINE)


@override_settings(ROOT_URLCONF=bench_settings.ROOT_URLCONF)
def test_the_bench_server_mounts_it_beside_the_products_urls() -> None:
    assert resolve(BASELINE).func is baseline_ballot
    assert resolve("/m/e/").url_name == resolve("/m/e/", "dianti.urls").url_name  # the product's pages as they are


def test_the_baseline_view_says_it_is_exempt_from_the_read_table() -> None:
    assert baseline_ballot.reads_exempt is True  # type: ignore[attr-defined]


def test_the_hall_posts_at_random_moments_within_the_spread() -> None:
    import random

    from dianti.bench.phones import arrivals_within

    moments = arrivals_within(500, 60.0, random.Random(584))
    assert len(moments) == 500 and moments == sorted(moments) and moments[0] >= 0 and moments[-1] <= 60
    assert moments == arrivals_within(500, 60.0, random.Random(584))  # the same hall from run to run
    per_second = [sum(1 for t in moments if s <= t < s + 1) for s in range(60)]
    assert max(per_second) > 500 / 60 > min(per_second)  # people do not finish grading in step
