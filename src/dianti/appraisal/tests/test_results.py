"""Results computed from a closed meeting's ballots, checked against numbers worked out by hand."""

from __future__ import annotations

import random
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from dianti.appraisal import adapter, scheme_reads, services
from dianti.appraisal.engine import krippendorff_alpha
from dianti.appraisal.engine.scale import central_scale
from dianti.appraisal.explanations import result_explanation
from dianti.appraisal.models import ActionProposal, SubjectResult

from .factories import HAND, close_meeting, closed, reporting

pytestmark = pytest.mark.django_db


def test_closing_the_vote_computes_draft_results_by_hand(tree: Any) -> None:
    c = closed(tree, HAND)
    r1, r2 = SubjectResult.objects.get(subject=c.va1), SubjectResult.objects.get(subject=c.va2)
    # 雪水港村. 群众代表 (6 ballots > 5): 95 95 80 80 65 55 → drop one 95 and the 55 → (95+80+80+65)/4 = 80.00.
    # 镇干部: (95 + 80)/2 = 87.50. No 驻村干部: its 20 % is spread over the others, 50:30 → 62.5 % : 37.5 %.
    assert r1.score == pytest.approx(0.625 * 80 + 0.375 * 87.5)  # 82.8125
    # 丰义村. 群众代表: 80 80 80 65 55 55 → drop a 55 and an 80 → (80+80+65+55)/4 = 70.00; 镇干部 (95+65)/2 = 80.
    assert r2.score == pytest.approx(0.625 * 70 + 0.375 * 80)  # 73.75
    assert (r1.status, r1.ballots, r1.invalid, r1.meeting_id) == (SubjectResult.Status.DRAFT, 8, 0, c.meeting.pk)
    assert r1.detail["distribution"] == {"好": 3, "较好": 3, "一般": 1, "差": 1}
    assert {g["code"]: g["score"] for g in r1.detail["groups"]} == {"public": 80.0, "town_cadres": 87.5,
                                                                    "village_cadres": None}
    assert r1.detail["weights_from"] == "scheme"
    # Satisfaction (好 + 较好) 6/8 with the Wilson 95 % interval worked out by hand: 0.4093 – 0.9285.
    assert r1.satisfaction == 0.75 and r1.dissatisfaction == 0.125
    assert r1.satisfaction_low == pytest.approx(0.40927, abs=1e-4)
    assert r1.satisfaction_high == pytest.approx(0.92852, abs=1e-4)
    assert "0.625×80.00 + 0.375×87.50 = 82.81" in result_explanation(r1)
    assert "“驻村干部”没有有效票" in result_explanation(r1)


def test_rules_propose_actions_and_mark_those_the_interval_cannot_decide(tree: Any) -> None:
    c = closed(tree, HAND)
    props = {(p.subject_id, p.action): p for p in ActionProposal.objects.all()}
    # 雪水港村: satisfaction 6/8 (0.41–0.93) crosses 60 %; 一般+差 2/8 (0.07–0.59) crosses 1/3; 差 1/8 (0.02–0.47)
    # stays below 50 %. The first two are uncertain, but their observed rates are on the right side of the line:
    # the result marks them 不确定 and nothing is proposed.
    assert not {a for s, a in props if s == c.va1.pk}
    outcomes = {o["code"]: o["status"] for o in SubjectResult.objects.get(subject=c.va1).detail["rules"]}
    assert outcomes["interview"] == "uncertain" and outcomes["rectify"] == "uncertain"
    # 丰义村 leans the wrong way on an interval that cannot decide: a proposal, marked uncertain, for a person.
    assert all(p.uncertain and p.status == "pending" for p in props.values())


def test_a_large_unanimous_panel_triggers_rules_without_doubt(tree: Any) -> None:
    c = closed(tree, {"群众代表": [("差", "好")] * 20})
    talk = ActionProposal.objects.get(subject=c.va1, action="talk")
    assert not talk.uncertain
    assert set(ActionProposal.objects.filter(subject=c.va1).values_list("action", flat=True)) == {
        "talk", "unqualified", "rectification"}
    assert not ActionProposal.objects.filter(subject=c.va2).exists()


def test_meeting_weights_apply_when_the_panel_is_not_the_schemes(tree: Any) -> None:
    c = closed(tree, {"党员代表": [("好", "好")] * 3, "群众代表": [("一般", "好")] * 2},
               weights={"党员代表": 60, "群众代表": 40})
    r = SubjectResult.objects.get(subject=c.va1)
    assert r.detail["weights_from"] == "meeting"
    assert r.score == pytest.approx(0.6 * 95 + 0.4 * 65)
    assert "按述职会设定的权重计算：党员代表 60%，群众代表 40%" in result_explanation(r)


def test_other_grade_labels_map_by_position_and_say_so(tree: Any) -> None:
    c = closed(tree, {"群众代表": [("优秀", "不称职")] * 3}, grades=["优秀", "称职", "基本称职", "不称职"])
    r1, r2 = SubjectResult.objects.get(subject=c.va1), SubjectResult.objects.get(subject=c.va2)
    assert (r1.score, r2.score) == (95.0, 55.0)
    assert "优秀→好" in result_explanation(r1)


def test_a_scale_that_cannot_be_mapped_is_refused_with_reasons(tree: Any) -> None:
    campaign = reporting(tree)
    meeting = close_meeting(campaign, {"群众代表": [("行", "不行")]}, grades=["行", "不行"])
    assert not SubjectResult.objects.exists()  # closing went ahead; computing waits for a fitting scheme
    with pytest.raises(ValidationError, match="对不上"):
        services.results_compute(actor=None, meeting=meeting)


def test_item_rules_apply_to_ballots_with_items_and_grade_only_ballots_count(tree: Any) -> None:
    full = {"德": 90, "能": 85, "勤": 80}
    c = closed(tree, {"群众代表": [
        ("好", "好", full, None),                       # valid, with items
        ("较好", "好", {"德": 80, "能": 80, "勤": 80}, None),  # every item the same mark → invalid
        ("较好", "好", {"德": 70}, None),                # items left out → invalid
        ("一般", "好"),                                   # grade only (as on paper) → valid, no item marks
    ]}, items=["德", "能", "勤"])
    r = SubjectResult.objects.get(subject=c.va1)
    assert (r.ballots, r.invalid) == (2, 2)
    assert sorted(reason for _, reason in r.detail["invalid"]) == ["incomplete_items", "same_mark"]
    assert r.score == pytest.approx((95 + 65) / 2)
    assert r.detail["items"] == {"de": 90.0, "neng": 85.0, "qin": 80.0}
    assert "有 2 张无效票未计入" in result_explanation(r) and "各项评分相同" in result_explanation(r)


def test_panel_alpha_uses_the_subjects_as_units_whoever_cast_each_ballot(tree: Any) -> None:
    c = closed(tree, HAND)
    r = SubjectResult.objects.get(subject=c.va1)
    grades1 = ["好", "好", "较好", "较好", "一般", "差", "好", "较好"]
    grades2 = ["较好", "较好", "较好", "一般", "差", "差", "好", "一般"]
    expected = krippendorff_alpha([list(pair) for pair in zip(grades1, grades2, strict=True)], "ordinal",
                                  scale=central_scale())
    assert r.alpha == pytest.approx(expected)
    assert SubjectResult.objects.get(subject=c.va2).alpha == r.alpha  # one panel, one alpha
    rng = random.Random(1)
    for _ in range(5):  # rater identity does not matter: shuffle who gave which grade within each subject
        a, b = rng.sample(grades1, len(grades1)), rng.sample(grades2, len(grades2))
        assert krippendorff_alpha([list(p) for p in zip(a, b, strict=True)], "ordinal",
                                  scale=central_scale()) == pytest.approx(expected)
    assert r.detail["meeting"]["alpha"]["units"] == 2 and r.detail["meeting"]["alpha"]["values"] == 16


def test_perfect_agreement_gives_alpha_one(tree: Any) -> None:
    c = closed(tree, {"群众代表": [("好", "差")] * 4})
    assert SubjectResult.objects.get(subject=c.va1).alpha == pytest.approx(1.0)


def test_paper_ballots_are_tied_together_by_serial_for_rater_flags(tree: Any, users: Any) -> None:
    from dianti.meetings import services as meeting_services

    campaign = reporting(tree)
    meeting = meeting_services.meeting_schedule(
        actor=None, campaign=campaign, title="述职评议会", starts_at=campaign.created_at, venue="会议室",
        subjects=list(campaign.subjects.order_by("order")),
        groups=[meeting_services.GroupSpec("群众代表", 100, 3)])
    meeting_services.meeting_open(actor=None, meeting=meeting)
    items = list(meeting.agenda.order_by("order"))
    group = meeting.groups.get()
    for clerk in (users.town_admin, users.county_admin):
        meeting_services.paper_enter(actor=clerk, meeting=meeting, group=group, serial=7,
                                     grades={items[0].pk: "好", items[1].pk: "差"})
    data = adapter.meeting_input(meeting, scheme_reads.engine_scheme(services.scheme_ensure()))
    raters = {b.rater for bs in data.ballots.values() for b in bs}
    assert raters == {"纸质选票7号"}


def test_a_failing_computation_never_stops_a_meeting_from_closing(tree: Any, monkeypatch: Any) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("bug")

    monkeypatch.setattr(adapter, "meeting_input", broken)
    c = closed(tree, HAND)
    assert c.meeting.status == "closed" and not SubjectResult.objects.exists()


def test_identical_paper_ballots_across_subjects_are_flagged_to_every_subject_they_touch() -> None:
    from dianti.appraisal.engine import Ballot, default_scheme

    scheme = default_scheme()
    ballots = {s: [Ballot(f"{s}-p", "public", "好", rater="纸质选票3号"),
                   Ballot(f"{s}-x", "public", "差" if s % 2 else "较好")] for s in range(1, 7)}
    data = adapter.MeetingInput(meeting=None, base=scheme, scheme=scheme, ballots=ballots,  # type: ignore[arg-type]
                                group_labels={}, weights_from="scheme", grade_map={})
    flags = adapter.paper_flags(data)
    assert [(f["rater"], f["kind"]) for f in flags] == [("纸质选票3号", "identical_ballots")]
    assert sorted(adapter.flags_by_subject(flags)) == [1, 2, 3, 4, 5, 6]
