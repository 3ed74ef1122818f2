"""Hot pages keep a fixed number of queries however many ballots the meeting holds: measured with one evaluator's
ballots, then again after thirty more."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dianti.meetings import services

from .factories import held, vote


@pytest.fixture
def h(tree, users):
    h = held(tree, groups=[services.GroupSpec("镇党委班子成员", 40, 1), services.GroupSpec("党员代表", 60, 31)])
    vote(h, h.codes["镇党委班子成员"][0], "好", "较好")
    return h


def _few_then_many(h, page: Callable[[], object], budget: int, assert_max: Callable) -> None:
    with CaptureQueriesContext(connection) as few:
        page()
    for code in h.codes["党员代表"][1:]:
        vote(h, code, "一般", "差")
    with assert_max(budget), CaptureQueriesContext(connection) as many:
        page()
    assert len(few) == len(many), "the query count grows with the ballots"


def test_the_evaluator_ballot_page_has_a_fixed_query_budget(h, django_assert_max_num_queries):
    phone = Client()
    phone.post(reverse("evaluator_enter_form"), {"code": h.codes["党员代表"][0]})
    _few_then_many(h, lambda: phone.get(reverse("evaluator_ballot")), 3, django_assert_max_num_queries)


def test_submitting_a_ballot_has_a_fixed_query_budget(h, django_assert_max_num_queries):
    phone = Client()
    phone.post(reverse("evaluator_enter_form"), {"code": h.codes["党员代表"][0]})
    grades = iter(["好", "较好", "一般", "差"] * 2)

    def submit() -> None:
        grade = next(grades)
        response = phone.post(reverse("evaluator_ballot"), {f"grade_{item.pk}": grade for item in h.items})
        assert response.status_code == 200

    submit()  # the first ballot also marks the code used: measure revisions against revisions
    # A revision: the code's row (with its meeting and group); the meeting's state and the marks, written in one
    # statement, in one transaction (2 statements to open and end it). A sheet that grades every secretary is shown
    # back as it was stored, not read back.
    _few_then_many(h, submit, 5, django_assert_max_num_queries)


def test_a_first_ballot_posts_in_a_pinned_number_of_statements(h, django_assert_max_num_queries):
    """What a hall's first sheets cost (dianti bench ballots): the code's row; the claim in a transaction of its own
    (the meeting's state read and the group locked by one statement, then the code bound by one that counts the
    group's ballots: docs/ballot-secrecy.md, xmin); the marks in a second (the meeting's state again, one insert).
    Not the agenda: it is read once per meeting, by the first page that shows it; not the marks: a full sheet is
    shown back as stored."""
    phone = Client()
    phone.post(reverse("evaluator_enter_form"), {"code": h.codes["党员代表"][0]})
    assert phone.get(reverse("evaluator_ballot")).status_code == 200  # the page a phone opens before voting
    with django_assert_max_num_queries(9):
        response = phone.post(reverse("evaluator_ballot"), {f"grade_{item.pk}": "好" for item in h.items})
    assert response.status_code == 200 and "已保存" in response.content.decode()


def test_the_projector_partial_has_a_fixed_query_budget(h, users, client, django_assert_max_num_queries):
    client.force_login(users.town_admin)
    url = reverse("meeting_screen", args=[h.meeting.pk])
    _few_then_many(h, lambda: client.get(url, HTTP_HX_REQUEST="true"), 15, django_assert_max_num_queries)
    assert "30 / 31" in client.get(url, HTTP_HX_REQUEST="true").content.decode()


def test_the_meeting_console_has_a_fixed_query_budget(h, users, client, django_assert_max_num_queries):
    client.force_login(users.town_admin)
    url = reverse("meeting_detail", args=[h.meeting.pk])
    _few_then_many(h, lambda: client.get(url), 18, django_assert_max_num_queries)
