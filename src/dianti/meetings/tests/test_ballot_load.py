"""What the ballot burst relies on: a whole hall enters from one address, a ballot costs a fixed number of queries
whatever the number of secretaries, and the benchmark is registered with its baseline view kept out of the URLs."""

from __future__ import annotations

from decimal import Decimal

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import Resolver404, resolve, reverse

from dianti.core.bench import load_all
from dianti.meetings import services
from dianti.meetings.models import Ballot

from .factories import held, vote


def test_a_hall_behind_one_address_enters_and_only_wrong_codes_count_towards_the_limit(tree):
    h = held(tree, groups=[services.GroupSpec("党员代表", Decimal(100), 40)])
    for code in h.all_codes():  # 40 phones on the hall's Wi-Fi: one address, well over the limit of 30
        assert Client().post(reverse("evaluator_enter_form"), {"code": code}).status_code == 302
    guesser = Client()
    for _ in range(30):
        assert guesser.post(reverse("evaluator_enter_form"), {"code": "ABCDE23456"}).status_code == 400
    assert guesser.post(reverse("evaluator_enter_form"), {"code": "ABCDE23457"}).status_code == 429


def _queries(h, code: str, *grades: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        vote(h, code, *grades)
    return len(ctx.captured_queries)


def test_a_ballot_costs_the_same_queries_for_one_secretary_or_all(tree):
    h = held(tree)
    one, both = h.codes["党员代表"][:2]
    assert _queries(h, one, "好") == _queries(h, both, "好", "较好")
    assert _queries(h, one, "好", "一般") == _queries(h, both, "差", "一般")  # revising: one upsert too
    assert sorted(Ballot.objects.values_list("grade", flat=True)) == ["一般", "一般", "好", "差"]


def test_the_bench_is_registered_and_its_baseline_view_is_not_mounted_outside_it():
    assert "ballots" in load_all()
    try:
        resolve("/_bench/ballot/1/1/")
    except Resolver404:
        pass
    else:
        raise AssertionError("the baseline view is mounted without DIANTI_BENCH_BASELINE")
