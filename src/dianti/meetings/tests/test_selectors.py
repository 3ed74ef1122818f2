"""Closing the vote and the results it unlocks: counts per group, grade distribution and the score of record."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from dianti.campaigns.models import Subject
from dianti.core import components
from dianti.core.scope import OutOfScope
from dianti.meetings import selectors, services
from dianti.meetings.models import AgendaItem, Meeting

from .factories import GROUPS, held, vote


def test_closing_marks_every_secretary_on_the_agenda_reported(tree, users):
    h = held(tree)
    services.meeting_close(actor=users.town_admin, meeting=h.meeting)
    assert Meeting.objects.get().status == Meeting.Status.CLOSED and Meeting.objects.get().closed_at
    assert set(AgendaItem.objects.values_list("reported", flat=True)) == {True}
    assert set(Subject.objects.values_list("status", flat=True)) == {Subject.Status.REPORTED}


def test_only_an_open_meeting_closes_and_only_by_its_convener(tree, users):
    h = held(tree)
    with pytest.raises(OutOfScope):
        services.meeting_close(actor=users.other_town_admin, meeting=h.meeting)
    services.meeting_close(actor=users.town_admin, meeting=h.meeting)
    with pytest.raises(ValidationError, match="只有进行中的会议可以结束投票"):
        services.meeting_close(actor=users.town_admin, meeting=h.meeting)


def test_results_are_refused_while_voting_is_open(tree):
    h = held(tree)
    vote(h, h.codes["党员代表"][0], "好")
    with pytest.raises(PermissionError, match="投票截止前不显示结果"):
        selectors.results(h.meeting)


def test_results_count_per_group_and_carry_the_score_of_record_not_a_mean_of_their_own(tree, monkeypatch):
    h = held(tree)
    vote(h, h.codes["党员代表"][0], "好", "好")
    vote(h, h.codes["党员代表"][1], "较好")
    vote(h, h.codes["镇党委班子成员"][0], "差")
    services.meeting_close(actor=None, meeting=h.meeting)
    first_subject = h.items[0].subject_id
    # Whatever the step that provides the score of record says is the figure shown (here: one score, one not).
    monkeypatch.setitem(components._REGISTRY, "appraisal", components.Component(
        label="appraisal", name="test", order=50, provides={"meeting_scores": lambda m: {first_subject: 58.0}}))
    first, second = selectors.results(h.meeting)
    members, committee = h.group("党员代表"), h.group("镇党委班子成员")
    assert (first.organization, first.total, first.score, first.score_text) == ("雪水港村", 3, 58.0, "58.00")
    assert first.by_group == {members.pk: 2, committee.pk: 1}
    assert first.distribution == {"好": 1, "较好": 1, "一般": 0, "差": 1}
    assert (second.total, second.score, second.by_group) == (1, None, {members.pk: 1})
    assert second.score_text == "尚未计算评议结果"


def test_a_secretary_nobody_scored_has_no_score(tree, monkeypatch):
    h = held(tree)
    services.meeting_close(actor=None, meeting=h.meeting)
    monkeypatch.setitem(components._REGISTRY, "appraisal", components.Component(label="appraisal", name="", order=50))
    assert [(r.total, r.score, r.distribution) for r in selectors.results(h.meeting)] == [
        (0, None, {"好": 0, "较好": 0, "一般": 0, "差": 0})] * 2


def test_paper_ballots_count_beside_phone_ballots(tree, users):
    h = held(tree)
    vote(h, h.codes["党员代表"][0], "好", "好")
    for clerk in (users.town_admin, users.county_admin):
        services.paper_enter(actor=clerk, meeting=h.meeting, group=h.group("党员代表"), serial=1,
                             grades={h.items[0].pk: "一般", h.items[1].pk: ""})
    services.meeting_close(actor=None, meeting=h.meeting)
    first, second = selectors.results(h.meeting)
    assert (first.total, second.total) == (2, 1)


def test_results_take_a_bounded_number_of_queries(tree, django_assert_max_num_queries):
    h = held(tree)
    for code in h.all_codes():
        vote(h, code, "好", "差")
    services.meeting_close(actor=None, meeting=h.meeting)
    with django_assert_max_num_queries(3):  # the agenda, the ballots' counts, the scores of record
        rows = selectors.results(h.meeting)
    assert sum(r.total for r in rows) == 2 * sum(g.size for g in GROUPS)


def test_weights_are_kept_for_the_appraisal_engine(tree):
    h = held(tree)
    assert [g.weight for g in h.meeting.groups.all()] == [Decimal(40), Decimal(60)]


def test_the_ballot_sheet_is_read_once_per_meeting_and_again_when_its_state_changes(tree, monkeypatch,
                                                                                    django_assert_num_queries):
    h = held(tree)
    with django_assert_num_queries(1):
        sheet = selectors.ballot_sheet(h.meeting)
    assert [(row.pk, row.organization) for row in sheet] == [(i.pk, i.subject.organization.display_name)
                                                             for i in h.items]
    with django_assert_num_queries(0):  # every later page and ballot of the meeting
        assert selectors.ballot_sheet(h.meeting) == sheet
    h.meeting.status = Meeting.Status.CLOSED
    with django_assert_num_queries(1):
        selectors.ballot_sheet(h.meeting)
    monkeypatch.setattr(selectors, "SHEET_TTL_S", 0.0)  # names other steps own are read again once it has aged
    with django_assert_num_queries(1):
        selectors.ballot_sheet(h.meeting)
