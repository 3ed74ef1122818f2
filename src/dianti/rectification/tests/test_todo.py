"""The 整改 to-do: a notice waits for its secretary's commitment, a commitment and a request for acceptance wait for
the issuing committee — and each lands on the home page of the person it waits for, nobody else's. Walked: the
measures due, the request for acceptance, the notice to issue, an overdue case escalated to the county, and the
point staff's visits — each appears, the work is done through the service, and it goes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone

from dianti.rectification import services, todo
from dianti.rectification.deadlines import deadline_sweep
from dianti.rectification.models import Case, Rating, State
from dianti.rectification.selectors import SUPERVISE_EVERY_DAYS

from .factories import case_in, in_days


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
    # Their home shows the case (their own record), but not as something waiting for them.
    home = client.get(reverse("home"))
    assert reverse("rectification_case", args=[case.pk]) not in [t.url for t in home.context["todo"]]


def _of(user: Any, kind: str) -> list[Any]:
    return [i for i in todo.for_user(user) if i.kind == kind]


def test_the_secretary_finishes_each_measure_by_its_deadline_then_asks_for_acceptance(
        users: Any, subject: Any) -> None:
    case = case_in(State.IN_PROGRESS, subject, secretary=users.secretary)
    measures = list(case.measures.order_by("deadline", "id"))
    [item] = todo.for_user(users.secretary)
    assert (item.kind, item.count, item.deadline) == ("整改", len(measures), measures[0].deadline)
    assert item.url == reverse("rectification_case", args=[case.pk])
    for m in measures[:-1]:
        services.progress_report(actor=users.secretary, measure=m, percent=100, text="已全部完成整改")
    assert todo.for_user(users.secretary)[0].count == 1
    services.progress_report(actor=users.secretary, measure=measures[-1], percent=100, text="已全部完成整改")
    [ask] = todo.for_user(users.secretary)
    assert ask.kind == "申请" and "申请验收" in ask.why and ask.deadline == case.deadline
    services.case_submit(actor=users.secretary, case=case)
    assert todo.for_user(users.secretary) == []
    assert [i.kind for i in todo.for_user(users.town_admin)] == ["验收"]


def test_a_draft_notice_waits_for_its_committee_to_issue_it_then_for_the_secretarys_answer(
        users: Any, subject: Any) -> None:
    case = case_in(State.DRAFT, subject)
    [issue] = todo.for_user(users.town_admin)
    assert issue.kind == "下发" and "下发整改通知单" in issue.why
    assert todo.for_user(users.county_admin) == [] and todo.for_user(users.secretary) == []
    services.case_issue(actor=users.town_admin, case=case)
    assert todo.for_user(users.town_admin) == []
    assert [i.kind for i in todo.for_user(users.secretary)] == ["答复"]


def test_an_overdue_case_escalated_above_waits_for_the_county_until_it_acts(users: Any, subject: Any) -> None:
    case = case_in(State.IN_PROGRESS, subject, secretary=users.secretary)
    assert _of(users.county_admin, "督办") == []
    deadline_sweep(today=case.deadline + dt.timedelta(days=8))  # a week late: reported to the county
    [item] = _of(users.county_admin, "督办")
    assert item.url == reverse("rectification_case", args=[case.pk]) and "已上报" in item.why
    assert item.deadline == case.deadline
    services.case_extend(actor=users.county_admin, case=Case.objects.get(pk=case.pk), deadline=in_days(90),
                         note="涉及资金拨付，经研究同意延期")
    assert _of(users.county_admin, "督办") == []


def test_point_staff_visit_each_running_case_in_their_area_once_a_month(users: Any, subject: Any) -> None:
    case = case_in(State.IN_PROGRESS, subject, secretary=users.secretary)
    [item] = todo.for_user(users.point_staff)
    assert item.kind == "督查" and item.url == reverse("rectification_supervise", args=[case.pk])
    assert _of(users.town_admin, "督查") == [] and _of(users.secretary, "督查") == []
    old = timezone.localdate() - dt.timedelta(days=SUPERVISE_EVERY_DAYS + 5)
    services.supervision_add(actor=users.point_staff, case=case, visited_on=old, rating=Rating.GOOD,
                             seen="实地查看村务公开栏，已按承诺更新")
    assert [i.kind for i in todo.for_user(users.point_staff)] == ["督查"]  # last visited over a month ago
    services.supervision_add(actor=users.point_staff, case=case, visited_on=timezone.localdate(),
                             rating=Rating.FAIR_GOOD, seen="走访三户村民，均表示知晓整改情况")
    assert todo.for_user(users.point_staff) == []
