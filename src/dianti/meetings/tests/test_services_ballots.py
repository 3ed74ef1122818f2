"""The ballot rules: exactly once per code and subject, revising, closing, wrong codes and marks off the scale."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from dianti.meetings import services
from dianti.meetings.models import Ballot, EvaluatorCode, Meeting
from dianti.meetings.services import Mark

from .factories import held, reporting, scheduled, vote


def _rows(h):
    return sorted(Ballot.objects.filter(meeting=h.meeting).values_list("item_id", "grade"))


def test_a_full_ballot_stores_one_row_per_subject_with_the_group_only(tree):
    h = held(tree)
    assert vote(h, h.codes["党员代表"][0], "好", "较好") == 2
    rows = list(Ballot.objects.order_by("item__order").values("item_id", "group__name", "grade", "kind"))
    assert rows == [{"item_id": h.items[0].pk, "group__name": "党员代表", "grade": "好", "kind": "phone"},
                    {"item_id": h.items[1].pk, "group__name": "党员代表", "grade": "较好", "kind": "phone"}]
    assert EvaluatorCode.objects.get(code_hash=services.code_hash(h.codes["党员代表"][0])).used


def test_a_double_tap_or_a_retry_with_the_same_content_stores_nothing_more(tree):
    h = held(tree)
    code = h.codes["党员代表"][0]
    for _ in range(3):
        assert vote(h, code, "好", "较好", comment="工作扎实") == 2
    assert Ballot.objects.count() == 2 and set(Ballot.objects.values_list("comment", flat=True)) == {"工作扎实"}


def test_one_subject_now_and_the_other_later_make_one_ballot_each(tree):
    h = held(tree)
    code = h.codes["党员代表"][0]
    vote(h, code, "好")
    vote(h, code, "", "一般")
    assert _rows(h) == [(h.items[0].pk, "好"), (h.items[1].pk, "一般")]


def test_a_changed_mark_replaces_the_earlier_one_while_revising_is_allowed(tree):
    h = held(tree)
    code = h.codes["党员代表"][0]
    vote(h, code, "好", "好")
    vote(h, code, "差", "好", comment="改主意了")
    assert _rows(h) == [(h.items[0].pk, "差"), (h.items[1].pk, "好")]
    assert Ballot.objects.get(item=h.items[0]).comment == "改主意了"


def test_without_revising_a_changed_mark_is_refused_and_the_first_one_stands(tree):
    h = held(tree, allow_revise=False)
    code = h.codes["党员代表"][0]
    vote(h, code, "好", "好")
    assert vote(h, code, "好", "好") == 2  # the same again is a retry, not a change
    with pytest.raises(ValidationError, match="提交后不能修改"):
        vote(h, code, "好", "差")
    assert _rows(h) == [(h.items[0].pk, "好"), (h.items[1].pk, "好")]


def test_a_refused_revision_stores_none_of_the_ballot(tree):
    """All or nothing: a new mark for the second subject must not slip in beside a refused change to the first."""
    h = held(tree, allow_revise=False)
    code = h.codes["党员代表"][0]
    vote(h, code, "好")
    with pytest.raises(ValidationError):
        vote(h, code, "差", "较好")
    assert _rows(h) == [(h.items[0].pk, "好")]


def test_a_closed_meeting_refuses_ballots_with_a_clear_message(tree):
    h = held(tree)
    services.meeting_close(actor=None, meeting=h.meeting)
    with pytest.raises(services.VotingClosed, match="投票已截止，不能再提交"):
        vote(h, h.codes["党员代表"][0], "好")
    assert not Ballot.objects.exists()


def test_a_stale_meeting_object_does_not_reopen_voting(tree):
    h = held(tree)
    stale = Meeting.objects.get(pk=h.meeting.pk)
    services.meeting_close(actor=None, meeting=h.meeting)
    with pytest.raises(services.VotingClosed):
        services.ballot_submit(meeting=stale, code=h.codes["党员代表"][0], marks={h.items[0].pk: Mark("好")})


def test_a_meeting_not_yet_open_refuses_ballots(tree):
    meeting = scheduled(reporting(tree))
    code = services.codes_issue(actor=None, meeting=meeting)[0][1]
    with pytest.raises(services.VotingClosed, match="尚未开始"):
        services.ballot_submit(meeting=meeting, code=code, marks={meeting.agenda.first().pk: Mark("好")})


@pytest.mark.parametrize("grade", ["优秀", "", "好 ", "A"])
def test_a_grade_not_in_the_scale_is_refused(tree, grade):
    h = held(tree)
    with pytest.raises(ValidationError, match="不是有效的等次"):
        services.ballot_submit(meeting=h.meeting, code=h.codes["党员代表"][0], marks={h.items[0].pk: Mark(grade)})
    assert not Ballot.objects.exists()


def test_a_campaign_scale_replaces_the_default_one(tree):
    h = held(tree, grades=["优秀", "称职", "基本称职", "不称职"])
    assert vote(h, h.codes["党员代表"][0], "优秀", "不称职") == 2
    with pytest.raises(ValidationError, match="不是有效的等次"):
        vote(h, h.codes["党员代表"][1], "好")


@pytest.mark.parametrize("scores, message", [
    ({"德": 101}, "0 至 100 的整数"),
    ({"德": -1}, "0 至 100 的整数"),
    ({"德": 90.5}, "0 至 100 的整数"),
    ({"德": "90"}, "0 至 100 的整数"),
    ({"德": True}, "0 至 100 的整数"),
    ({"颜值": 90}, "没有“颜值”这一分项"),
])
def test_item_scores_out_of_range_or_unknown_are_refused(tree, scores, message):
    h = held(tree, items=["德", "能", "勤", "绩", "廉"])
    with pytest.raises(ValidationError, match=message):
        vote(h, h.codes["党员代表"][0], "好", scores=scores)
    assert not Ballot.objects.exists()


def test_item_scores_within_range_are_kept(tree):
    h = held(tree, items=["德", "能"])
    vote(h, h.codes["党员代表"][0], "好", scores={"德": 0, "能": 100})
    assert Ballot.objects.get().scores == {"德": 0, "能": 100}


def test_a_subject_from_another_meeting_is_refused(tree):
    h = held(tree)
    other = scheduled(h.meeting.campaign)
    with pytest.raises(ValidationError, match="不属于本场会议"):
        services.ballot_submit(meeting=h.meeting, code=h.codes["党员代表"][0],
                               marks={other.agenda.first().pk: Mark("好")})


def test_a_comment_over_500_characters_is_refused_with_a_reason_not_cut(tree):
    h = held(tree)
    with pytest.raises(ValidationError) as refused:
        vote(h, h.codes["党员代表"][0], "好", comment="很好" * 251)
    assert refused.value.messages == ["第 1 位：评语最多 500 字，现在有 502 字，请删减后再提交"]
    assert not Ballot.objects.exists()
    vote(h, h.codes["党员代表"][0], "好", comment="很好" * 250)
    assert len(Ballot.objects.get().comment) == 500


def test_nothing_acknowledged_is_ever_lost(tree):
    """Every mark ballot_submit acknowledged (returned without error) is in the database, as last acknowledged."""
    h = held(tree)
    grades = ["好", "较好", "一般", "差"]
    acknowledged: dict[tuple[str, int], str] = {}
    for n in range(4):
        for i, code in enumerate(h.all_codes()):
            marks = {item.pk: Mark(grades[(n + i + k) % 4]) for k, item in enumerate(h.items)}
            try:
                services.ballot_submit(meeting=h.meeting, code=code, marks=marks)
            except ValidationError:
                continue
            acknowledged.update({(code, pk): m.grade for pk, m in marks.items()})
    stored = dict(Ballot.objects.values_list("token", "grade"))
    assert len(stored) == len(acknowledged) == 5 * 2
    assert all(stored[services.ballot_token(code, pk)] == grade for (code, pk), grade in acknowledged.items())


def test_progress_counts_evaluators_who_voted_per_group(tree):
    h = held(tree)
    vote(h, h.codes["党员代表"][0], "好")
    vote(h, h.codes["党员代表"][1], "好", "好")
    vote(h, h.codes["镇党委班子成员"][0], "", "差")
    from dianti.meetings import selectors

    assert [(p.group.name, p.submitted, p.expected) for p in selectors.progress(h.meeting)] == [
        ("镇党委班子成员", 1, 2), ("党员代表", 2, 3)]
