"""The 整改 to-do: a notice waits for its secretary's commitment, a commitment and a request for acceptance wait for
the issuing committee — and each lands on the home page of the person it waits for, nobody else's."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from dianti.rectification import todo
from dianti.rectification.models import State

from .factories import case_in


def _labels(user: Any) -> list[tuple[str, str]]:
    return [(i.url, i.why) for i in todo.for_user(user)]


def test_an_issued_notice_waits_for_the_secretarys_commitment_only(users: Any, subject: Any) -> None:
    case = case_in(State.ISSUED, subject)
    url = reverse("rectification_case", args=[case.pk])
    [(where, why)] = _labels(users.secretary)
    assert where == url and "提交整改承诺" in why
    assert _labels(users.town_admin) == [] and _labels(users.county_admin) == []


def test_a_commitment_waits_for_the_issuing_committee_not_the_level_above(users: Any, subject: Any) -> None:
    case = case_in(State.COMMITTED, subject, secretary=users.secretary)
    [(where, why)] = _labels(users.town_admin)
    assert where == reverse("rectification_case", args=[case.pk]) and "审核通过承诺" in why
    assert _labels(users.county_admin) == []  # it may act, but the case is not waiting for it
    assert _labels(users.secretary) == [] and _labels(users.other_town_admin) == []


def test_the_home_page_lists_what_waits_and_leads_there(users: Any, subject: Any, client: Any) -> None:
    case = case_in(State.AWAITING, subject, secretary=users.secretary)
    client.force_login(users.town_admin)
    page = client.get(reverse("home")).content.decode()
    assert "待办事项" in page and reverse("rectification_case", args=[case.pk]) in page and "验收销号" in page
    case_in(State.CLOSED, subject.campaign.subjects.exclude(pk=subject.pk).get(), secretary=None)
    client.force_login(users.secretary)
    assert reverse("rectification_case", args=[case.pk]) not in client.get(reverse("home")).content.decode()
