"""Who may see and touch a case, as a matrix: a town admin never reaches another town's cases."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from dianti.rectification import selectors, services
from dianti.rectification.models import State

from .factories import PROBLEMS, case_in, in_days


@pytest.fixture
def case(subject: Any, users: Any) -> Any:
    return case_in(State.AWAITING, subject, actor=users.town_admin, secretary=users.secretary)


@pytest.mark.parametrize(("who", "sees"), [
    ("county_admin", True), ("town_admin", True), ("secretary", True), ("point_staff", True), ("superuser", True),
    ("other_town_admin", False), ("evaluator", False), ("public", False),
])
def test_who_sees_a_case(case: Any, users: Any, who: str, sees: bool) -> None:
    user = getattr(users, who)
    assert selectors.visible_cases(user).filter(pk=case.pk).exists() is sees
    if not sees:
        with pytest.raises(Http404):
            selectors.case_get(user, case.pk)


@pytest.mark.parametrize(("who", "may"), [
    ("county_admin", True), ("town_admin", True), ("other_town_admin", False), ("secretary", False),
    ("point_staff", False), ("evaluator", False),
])
def test_who_may_close_a_case(case: Any, users: Any, who: str, may: bool) -> None:
    user = getattr(users, who)
    if may:
        services.case_close(actor=user, case=case, reason="经核查已整改到位")
        case.refresh_from_db()
        assert case.state == State.CLOSED
    else:
        with pytest.raises(PermissionDenied):
            services.case_close(actor=user, case=case, reason="经核查已整改到位")


def test_a_town_admin_cannot_open_or_issue_in_another_town(subject: Any, users: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.case_open(actor=users.other_town_admin, subject=subject, problems=PROBLEMS, deadline=in_days(30))
    case = services.case_open(actor=users.town_admin, subject=subject, problems=PROBLEMS, deadline=in_days(30))
    with pytest.raises(PermissionDenied):
        services.case_issue(actor=users.other_town_admin, case=case)
    with pytest.raises(PermissionDenied):
        services.case_draft_update(actor=users.other_town_admin, case=case, problems=PROBLEMS, deadline=in_days(9))


def test_only_the_secretary_answers_and_reports(case: Any, users: Any) -> None:
    services.case_reject(actor=users.town_admin, case=case, note="还有一处没有整改")
    measure = case.measures.first()
    for who in ("town_admin", "county_admin", "point_staff"):
        with pytest.raises(PermissionDenied):
            services.progress_report(actor=getattr(users, who), measure=measure, percent=100, text="已经全部完成")


def test_point_staff_supervise_but_an_evaluator_does_not(case: Any, users: Any) -> None:
    import datetime as dt

    services.supervision_add(actor=users.point_staff, case=case, visited_on=dt.date.today(), rating="good",
                             seen="公开栏已更新，村民知晓")
    with pytest.raises(PermissionDenied):
        services.supervision_add(actor=users.evaluator, case=case, visited_on=dt.date.today(), rating="good",
                                 seen="公开栏已更新，村民知晓")
    with pytest.raises(ValidationError, match="走访日期"):
        services.supervision_add(actor=users.point_staff, case=case, visited_on=in_days(3), rating="good",
                                 seen="公开栏已更新，村民知晓")


def test_pages_answer_404_to_another_town(client: Any, case: Any, users: Any) -> None:
    client.force_login(users.other_town_admin)
    for url in (f"/rectification/{case.pk}/", f"/rectification/{case.pk}/timeline/",
                f"/rectification/{case.pk}/notice.pdf"):
        assert client.get(url).status_code == 404
    assert client.post(f"/rectification/{case.pk}/do/close/", {"note": "经核查已整改到位"}).status_code == 404
    case.refresh_from_db()
    assert case.state == State.AWAITING
    assert client.get("/rectification/").context["page"].paginator.count == 0
