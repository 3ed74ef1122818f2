"""The case state machine: every declared move from every state, who may make it, and what it leaves behind."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dianti.core.models import AuditEvent
from dianti.rectification import deadlines, services, states
from dianti.rectification.models import CaseEvent, State

from .factories import case_in, in_days

S = State
# Which moves each state allows (who may make them is tested apart).
EXPECTED = {
    S.DRAFT: {"issue", "withdraw"},
    S.ISSUED: {"commit", "overdue", "extend", "carry_over"},
    S.COMMITTED: {"approve", "return", "overdue", "extend", "carry_over"},
    S.IN_PROGRESS: {"submit", "overdue", "extend", "carry_over"},
    S.AWAITING: {"close", "reject", "carry_over"},
    S.CLOSED: {"reopen"},
    S.CARRIED_OVER: set(),
    S.WITHDRAWN: set(),
}


@pytest.mark.parametrize("state", list(EXPECTED))
def test_each_state_allows_exactly_its_moves(state: str) -> None:
    case: Any = type("C", (), {"state": state, "resume_state": ""})()
    assert {m.name for m in states.MOVES.values() if states.allowed(case, m)} == EXPECTED[state]


def test_an_overdue_case_allows_the_moves_of_the_state_it_was_in() -> None:
    case: Any = type("C", (), {"state": S.OVERDUE, "resume_state": S.IN_PROGRESS})()
    names = {m.name for m in states.MOVES.values() if states.allowed(case, m)}
    assert names == {"submit", "extend", "carry_over"}
    assert states.target_of(case, states.MOVES["extend"]) == S.IN_PROGRESS


def test_the_full_path_records_every_state_change_with_time_actor_and_note(subject: Any, users: Any) -> None:
    case = case_in(S.CLOSED, subject, actor=users.town_admin, secretary=users.secretary)
    moves = list(CaseEvent.objects.filter(case=case).exclude(from_state="").values_list(
        "from_state", "to_state", "actor_name"))
    assert [(a, b) for a, b, _ in moves] == [(S.DRAFT, S.ISSUED), (S.ISSUED, S.COMMITTED),
                                              (S.COMMITTED, S.IN_PROGRESS), (S.IN_PROGRESS, S.AWAITING),
                                              (S.AWAITING, S.CLOSED)]
    assert [n for *_, n in moves] == ["通元镇管理员", "张书记", "通元镇管理员", "张书记", "通元镇管理员"]
    close = CaseEvent.objects.get(case=case, kind="close")
    assert close.note == "经核查已整改到位，同意销号" and close.at is not None
    actions = set(AuditEvent.objects.filter(target_id=str(case.pk), action__startswith="rectification.")
                  .values_list("action", flat=True))
    assert {"rectification.issue", "rectification.commit", "rectification.approve", "rectification.submit",
            "rectification.close", "rectification.progress"} <= actions


def test_a_move_from_the_wrong_state_is_refused_and_changes_nothing(subject: Any, users: Any) -> None:
    case = case_in(S.ISSUED, subject, actor=users.town_admin)
    with pytest.raises(ValidationError, match="不能验收销号"):
        services.case_close(actor=users.town_admin, case=case, reason="已经整改到位了")
    with pytest.raises(ValidationError, match="不能审核通过承诺"):
        services.commitment_approve(actor=users.town_admin, case=case)
    case.refresh_from_db()
    assert case.state == S.ISSUED
    assert not CaseEvent.objects.filter(case=case, kind__in=["close", "approve"]).exists()


def test_the_secretary_cannot_make_the_committees_moves_nor_the_committee_the_secretarys(subject: Any,
                                                                                       users: Any) -> None:
    case = case_in(S.COMMITTED, subject, actor=users.town_admin, secretary=users.secretary)
    with pytest.raises(PermissionDenied):
        services.commitment_approve(actor=users.secretary, case=case)
    case = case_in(S.IN_PROGRESS, subject.campaign.subjects.exclude(pk=subject.pk).get(), actor=users.town_admin)
    with pytest.raises(PermissionDenied):
        services.case_submit(actor=users.town_admin, case=case)


def test_returning_a_commitment_needs_a_comment_and_sends_it_back_to_issued(subject: Any, users: Any) -> None:
    case = case_in(S.COMMITTED, subject, actor=users.town_admin, secretary=users.secretary)
    with pytest.raises(ValidationError, match="理由"):
        services.commitment_return(actor=users.town_admin, case=case, comment="")
    services.commitment_return(actor=users.town_admin, case=case, comment="措施太笼统，请写具体到户")
    case.refresh_from_db()
    assert case.state == S.ISSUED and case.review_comment == "措施太笼统，请写具体到户"


def test_verification_refused_goes_back_to_in_progress_then_closes(subject: Any, users: Any) -> None:
    case = case_in(S.AWAITING, subject, actor=users.town_admin, secretary=users.secretary)
    services.case_reject(actor=users.town_admin, case=case, note="公开栏还没有更新")
    case.refresh_from_db()
    assert case.state == S.IN_PROGRESS
    services.case_submit(actor=users.secretary, case=case)
    services.case_close(actor=users.town_admin, case=case, reason="复查已更新，同意销号")
    case.refresh_from_db()
    assert case.state == S.CLOSED and case.close_reason == "复查已更新，同意销号"


def test_submitting_with_unfinished_measures_is_refused(subject: Any, users: Any) -> None:
    case = case_in(S.IN_PROGRESS, subject, actor=users.town_admin, secretary=users.secretary)
    with pytest.raises(ValidationError, match="未完成"):
        services.case_submit(actor=users.secretary, case=case)


def test_close_reopen_and_carry_over_keep_the_subject_in_step(subject: Any, users: Any) -> None:
    case = case_in(S.DRAFT, subject, actor=users.town_admin)
    subject.refresh_from_db()
    assert subject.rectification == "open"
    case = case_in(S.CLOSED, subject.campaign.subjects.exclude(pk=subject.pk).get(), actor=users.town_admin)
    assert case.subject.rectification == "closed"
    with pytest.raises(PermissionDenied, match="上级"):  # reopening is the level above's (core/rules.py)
        services.case_reopen(actor=users.town_admin, case=case, reason="群众反映问题反弹")
    services.case_reopen(actor=users.county_admin, case=case, reason="群众反映问题反弹")
    case.refresh_from_db()
    assert case.state == S.IN_PROGRESS and case.subject.rectification == "open" and case.closed_at is None
    services.case_carry_over(actor=users.town_admin, case=case, reason="涉及资金，年内无法完成")
    case.refresh_from_db()
    assert case.subject.rectification == "carried_over" and case.carried_to_year == 2021


def test_the_campaign_can_be_archived_only_when_no_case_is_open(subject: Any, users: Any) -> None:
    from dianti.campaigns import services as campaign_services
    from dianti.campaigns.services import TransitionRefused

    case = case_in(S.AWAITING, subject, actor=users.town_admin, secretary=users.secretary)
    with pytest.raises(TransitionRefused, match="整改未销号"):
        campaign_services.phase_move(actor=users.town_admin, campaign=subject.campaign, to="archived")
    services.case_close(actor=users.town_admin, case=case, reason="已整改到位，同意销号")
    campaign = campaign_services.phase_move(actor=users.town_admin, campaign=subject.campaign, to="archived")
    assert campaign.phase == "archived"
    with pytest.raises(ValidationError, match="已归档"):
        services.case_reopen(actor=users.county_admin, case=case, reason="群众反映问题反弹")


def test_extending_an_overdue_case_resumes_where_it_was(subject: Any, users: Any) -> None:
    import time_machine

    case = case_in(S.IN_PROGRESS, subject, actor=users.town_admin, secretary=users.secretary, deadline=10)
    later = in_days(40)
    with time_machine.travel(in_days(12), tick=False):
        deadlines.deadline_sweep()
        case.refresh_from_db()
        assert case.state == S.OVERDUE and case.resume_state == S.IN_PROGRESS
        services.case_extend(actor=users.town_admin, case=case, deadline=later, note="受台风影响，顺延一个月")
    case.refresh_from_db()
    assert case.state == S.IN_PROGRESS and case.deadline == later and case.escalation == 0


def test_a_draft_can_be_withdrawn_and_the_subject_no_longer_needs_rectification(subject: Any, users: Any) -> None:
    case = case_in(S.DRAFT, subject, actor=users.town_admin)
    services.case_withdraw(actor=users.town_admin, case=case, reason="评议结果复核后不需整改")
    subject.refresh_from_db()
    assert subject.rectification == "none"


def test_only_one_open_case_per_subject(subject: Any, users: Any) -> None:
    case_in(S.ISSUED, subject, actor=users.town_admin)
    with pytest.raises(ValidationError, match="未办结"):
        case_in(S.DRAFT, subject, actor=users.town_admin)
