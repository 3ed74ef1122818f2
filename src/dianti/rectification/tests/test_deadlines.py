"""Deadlines, with time frozen: reminders three days ahead, overdue when the deadline passes, escalation of late
measures to the town committee at once and to the county a week later — each sent once — and the command."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from dianti.core.models import Notification
from dianti.rectification import services
from dianti.rectification.deadlines import deadline_sweep
from dianti.rectification.models import Case, CaseEvent, Escalation, State

pytestmark = pytest.mark.django_db(transaction=True)  # notifications are sent on commit

START = dt.datetime(2020, 8, 3, 9, 0, tzinfo=dt.UTC)


def _on(day: dt.date) -> Any:
    return time_machine.travel(dt.datetime.combine(day, dt.time(8, 0), tzinfo=timezone.get_current_timezone()),
                               tick=False)


def _titles(user: Any) -> list[str]:
    return list(Notification.objects.filter(recipient=user).order_by("id").values_list("title", flat=True))


@pytest.fixture
def running(subject: Any, users: Any) -> Case:
    """A case issued on 2020-08-03, due 2020-10-31, with one measure due 2020-09-30, approved."""
    with time_machine.travel(START, tick=False):
        case = services.case_open(actor=users.town_admin, subject=subject, problems=["村务公开不及时，群众看不懂"],
                                  deadline=dt.date(2020, 10, 31))
        services.case_issue(actor=users.town_admin, case=case)
        problem = case.problems.get()
        services.commitment_submit(actor=users.secretary, case=case, mechanisms="每月公开一次", measures=[
            services.MeasureIn(problem.pk, "村务公开栏每月更新", "李主任", dt.date(2020, 9, 30), "群众看得懂")])
        services.commitment_approve(actor=users.town_admin, case=case)
    return Case.objects.get(pk=case.pk)


def test_the_secretary_is_reminded_once_three_days_before_a_measure_is_due(running: Case, users: Any) -> None:
    with _on(dt.date(2020, 9, 26)):
        assert deadline_sweep()["reminded"] == 0
    with _on(dt.date(2020, 9, 27)):
        assert deadline_sweep()["reminded"] == 1
        assert deadline_sweep()["reminded"] == 0  # once per deadline
    assert any("即将到期" in t for t in _titles(users.secretary))


def test_a_late_measure_goes_to_the_town_at_once_and_to_the_county_a_week_later(running: Case, users: Any) -> None:
    before = len(_titles(users.county_admin))
    with _on(dt.date(2020, 10, 1)):
        assert deadline_sweep()["escalated"] == 1
    measure = running.measures.get()
    assert measure.escalation == Escalation.ISSUER
    assert any("整改逾期" in t for t in _titles(users.town_admin))
    assert len(_titles(users.county_admin)) == before
    assert not _titles(users.other_town_admin)
    with _on(dt.date(2020, 10, 5)):
        assert deadline_sweep()["escalated"] == 0  # still late, already told
    with _on(dt.date(2020, 10, 7)):
        assert deadline_sweep()["escalated"] == 1
    measure.refresh_from_db()
    assert measure.escalation == Escalation.ABOVE
    assert any("上报" in t for t in _titles(users.county_admin))
    assert CaseEvent.objects.filter(case=running, kind="escalate").count() == 2


def test_a_finished_measure_is_never_escalated(running: Case, users: Any) -> None:
    with _on(dt.date(2020, 9, 20)):
        services.progress_report(actor=users.secretary, measure=running.measures.get(), percent=100, text="已经完成整改")
    with _on(dt.date(2020, 10, 20)):
        assert deadline_sweep()["escalated"] == 0


def test_the_case_goes_overdue_when_its_deadline_passes_and_shows_red(running: Case, users: Any) -> None:
    with _on(dt.date(2020, 10, 31)):
        deadline_sweep()
        running.refresh_from_db()
        assert running.state == State.IN_PROGRESS and not running.is_overdue
    with _on(dt.date(2020, 11, 1)):
        counts = deadline_sweep()
        running.refresh_from_db()
        assert counts["overdue"] == 1
        assert running.state == State.OVERDUE and running.resume_state == State.IN_PROGRESS and running.is_overdue
        assert any("已逾期" in t for t in _titles(users.secretary))
        # The secretary can still finish late and ask for verification.
        services.progress_report(actor=users.secretary, measure=running.measures.get(), percent=100, text="已补齐完成")
        services.case_submit(actor=users.secretary, case=running)
        running.refresh_from_db()
        assert running.state == State.AWAITING and not running.is_overdue
        assert deadline_sweep()["overdue"] == 0


def test_an_unanswered_notice_is_reminded_before_its_deadline(subject: Any, users: Any) -> None:
    with time_machine.travel(START, tick=False):
        case = services.case_open(actor=users.town_admin, subject=subject, problems=["村务公开不及时，群众看不懂"],
                                  deadline=dt.date(2020, 8, 20))
        services.case_issue(actor=users.town_admin, case=case)
    with _on(dt.date(2020, 8, 18)):
        assert deadline_sweep()["reminded"] == 1
    assert any("期限临近" in t for t in _titles(users.secretary))


def test_the_command_runs_the_sweep_for_a_given_day(running: Case, capsys: Any) -> None:
    call_command("remind_rectification", "--today", "2020-11-02")
    assert "新逾期 1 项" in capsys.readouterr().out
    running.refresh_from_db()
    assert running.state == State.OVERDUE


def test_a_long_overdue_case_is_escalated_in_one_message_per_level(running: Case, users: Any) -> None:
    with _on(dt.date(2020, 11, 15)):  # the case 15 days late, its measure 46 days late: both levels at once
        counts = deadline_sweep()
    assert counts["overdue"] == 1 and counts["escalated"] == 1
    town = [t for t in _titles(users.town_admin) if t.startswith("整改逾期")]
    county = [t for t in _titles(users.county_admin) if t.startswith("整改逾期")]
    assert len(town) == 1 and len(county) == 1
    body = Notification.objects.get(recipient=users.county_admin, kind="rectification_escalated").body
    assert "整改已逾期 15 天" in body and "已逾期 46 天" in body
    with _on(dt.date(2020, 11, 20)):
        assert deadline_sweep()["escalated"] == 0


def test_a_case_past_its_deadline_turns_overdue_when_the_days_sweeps_run(running: Case, users: Any) -> None:
    from dianti.core import daily

    with _on(dt.date(2020, 11, 1)):
        run = daily.run_due()
    running.refresh_from_db()
    assert run is not None and run.results["rectification.deadline_sweep"]["overdue"] == 1
    assert running.state == State.OVERDUE
    assert any("已逾期" in t for t in _titles(users.secretary))
