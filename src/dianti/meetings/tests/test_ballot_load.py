"""What the ballot burst relies on: a whole hall enters from one address, and a ballot costs a fixed number of
queries whatever the number of secretaries (the burst itself is ``dianti bench ballots``, in ``dianti.bench``)."""

from __future__ import annotations

from decimal import Decimal

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dianti.meetings import selectors, services
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
    selectors.ballot_sheet(h.meeting)  # read once, by the meeting's first page or ballot, and kept
    assert _queries(h, one, "好") == _queries(h, both, "好", "较好")
    assert _queries(h, one, "好", "一般") == _queries(h, both, "差", "一般")  # revising: one upsert too
    assert sorted(Ballot.objects.values_list("grade", flat=True)) == ["一般", "一般", "好", "差"]
