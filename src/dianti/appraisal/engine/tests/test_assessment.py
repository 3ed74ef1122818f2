from __future__ import annotations

from dataclasses import replace

import pytest

from dianti.appraisal.engine.assessment import AssessmentInput, assess, band_for, rank, stars_for, total
from dianti.appraisal.engine.policy import AssessmentConfig, ScoreRule
from dianti.appraisal.engine.results import Proposal

CONFIG = AssessmentConfig()


def test_total_weights_the_appraisal_at_ten_percent() -> None:
    value, parts = total({"appraisal": 85, "other": 92}, CONFIG)
    assert value == pytest.approx(0.1 * 85 + 0.9 * 92)  # 91.3
    assert [p.used_weight for p in parts] == [0.1, 0.9]


def test_missing_component_is_renormalised_or_zeroed_and_flagged() -> None:
    value, _ = total({"other": 80, "appraisal": None}, CONFIG)
    assert value == pytest.approx(80)
    zeroed, _ = total({"other": 80}, replace(CONFIG, missing="zero"))
    assert zeroed == pytest.approx(72)
    [result] = assess([AssessmentInput("v1", {"other": 80})], CONFIG)
    assert [f.code for f in result.flags] == ["missing_component"]


def test_marks_outside_0_to_100_and_unknown_components_are_refused() -> None:
    with pytest.raises(ValueError, match="0 到 100"):
        total({"appraisal": 120}, CONFIG)
    with pytest.raises(ValueError, match="不在方案中"):
        total({"party": 90}, CONFIG)


@pytest.mark.parametrize(("score", "innovation", "stars"), [
    (95, True, 5), (95, False, 4), (90, True, 5), (89.99, True, 4), (80, False, 4), (75, False, 3),
    (70, False, 3), (65, False, 2), (59.9, True, 0),
])
def test_star_bands(score: float, innovation: bool, stars: int) -> None:
    assert stars_for(score, innovation, CONFIG) == stars


def test_grade_bands() -> None:
    assert [band_for(s, CONFIG) for s in (95, 90, 85, 60, 59)] == ["优秀", "优秀", "良好", "一般", "较差"]


def test_rank_competition_and_dense() -> None:
    values: list[float | None] = [90, 85, None, 85, 70]
    assert rank(values, "competition") == [1, 2, None, 2, 4]
    assert rank(values, "dense") == [1, 2, None, 2, 3]


def test_rank_ties_values_equal_after_rounding() -> None:
    assert rank([89.999999999, 90.0, 80]) == [1, 1, 3]
    assert rank([90.004, 90.0], decimals=3) == [1, 2]


def test_assess_ranks_among_peers_and_proposes_never_acts() -> None:
    rule = ScoreRule("low", "<", 60, "整改")
    config = replace(CONFIG, rules=(rule,))
    appraisal_proposal = Proposal("a2", "约谈", "interview", "满意率 < 60%", True)
    entries = [
        AssessmentInput("a1", {"appraisal": 90, "other": 95}, innovation=True, peers="town A"),
        AssessmentInput("a2", {"appraisal": 50, "other": 55}, peers="town A", proposals=(appraisal_proposal,)),
        AssessmentInput("b1", {"appraisal": 80, "other": 85}, peers="town B"),
    ]
    a1, a2, b1 = assess(entries, config)
    assert (a1.rank, a1.peer_rank, a1.peer_count, a1.stars, a1.band) == (1, 1, 2, 5, "优秀")
    assert (b1.rank, b1.peer_rank, b1.peer_count, b1.stars) == (2, 1, 1, 4)
    assert (a2.rank, a2.peer_rank, a2.stars) == (3, 2, 0)
    assert [p.action for p in a1.proposals] == ["评定为 5 星"]
    assert [p.action for p in a2.proposals] == ["约谈", "整改"]
    assert "总分 = 0.1×50.00 + 0.9×55.00 = 54.50" in a2.explain()


def test_a_total_with_a_missing_component_is_provisional_with_no_band_stars_or_proposals() -> None:
    config = replace(CONFIG, rules=(ScoreRule("low", "<", 95, "整改"),))
    [alone, complete] = assess([AssessmentInput("v1", {"appraisal": 92}, innovation=True),
                                AssessmentInput("v2", {"appraisal": 92, "other": 92}, innovation=True)], config)
    assert alone.total == pytest.approx(92) and alone.provisional
    assert (alone.band, alone.stars, alone.proposals) == (None, 0, ())
    assert alone.missing == tuple(p.label for p in alone.parts if p.code == "other")
    assert "暂定（缺少：" in alone.explain() and "考核等次" not in alone.explain().split("暂定")[1][:20]
    assert not complete.provisional and complete.band == "优秀" and complete.stars == 5


def test_a_provisional_total_is_not_ranked_against_complete_ones() -> None:
    [alone, complete, lower] = assess([AssessmentInput("v1", {"appraisal": 99}, peers="t"),
                                       AssessmentInput("v2", {"appraisal": 80, "other": 80}, peers="t"),
                                       AssessmentInput("v3", {"appraisal": 70, "other": 70}, peers="t")], CONFIG)
    assert (alone.rank, alone.peer_rank) == (None, None)
    assert (complete.rank, complete.peer_rank, complete.peer_count) == (1, 1, 2)
    assert lower.rank == 2
