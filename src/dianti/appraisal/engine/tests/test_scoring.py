from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import pytest

from dianti.appraisal.engine.marks import Ballot, aggregate, rule_status, wilson_interval
from dianti.appraisal.engine.scheme import Aggregation, EvaluatorGroup, Scheme, default_scheme
from dianti.appraisal.engine.scoring import score_subject

ITEMS = ("de", "neng", "qin", "ji", "lian")


def plain_scheme(**changes: Any) -> Scheme:
    """The default scheme without items, so ballots need only a grade."""
    return replace(default_scheme(), items=(), **changes)


def ballots(group: str, marks: Sequence[tuple[str, float]], start: int = 1) -> list[Ballot]:
    return [Ballot(i, group, grade, points) for i, (grade, points) in enumerate(marks, start=start)]


def test_trimmed_mean_of_six_ballots_drops_one_highest_and_one_lowest() -> None:
    marks = [("好", 100), ("好", 95), ("较好", 85), ("较好", 80), ("一般", 70), ("差", 55)]
    result = score_subject(ballots("public", marks), plain_scheme())
    group = result.groups[0]
    assert group.aggregate is not None
    assert group.aggregate.dropped_high == ((1, 100.0),) and group.aggregate.dropped_low == ((6, 55.0),)
    assert group.score == pytest.approx((95 + 85 + 80 + 70) / 4)  # 82.5
    assert result.score == pytest.approx(82.5)  # the only group with ballots takes the whole weight


def test_five_ballots_are_not_trimmed() -> None:
    marks = [("好", 100), ("好", 95), ("较好", 85), ("较好", 80), ("差", 55)]
    assert score_subject(ballots("public", marks), plain_scheme()).groups[0].score == pytest.approx(83.0)


def test_trim_threshold_and_method_are_configurable() -> None:
    marks = [(1, 10.0), (2, 20.0), (3, 30.0), (4, 100.0)]
    trimmed, plain = aggregate(marks, Aggregation(trim_when_more_than=3)), aggregate(marks, Aggregation(method="mean"))
    assert trimmed is not None and trimmed.mean == pytest.approx(25.0)
    assert plain is not None and plain.mean == pytest.approx(40.0)


def test_ties_drop_the_earliest_lowest_and_the_latest_highest() -> None:
    agg = aggregate([(1, 80.0), (2, 80.0), (3, 90.0), (4, 90.0), (5, 85.0), (6, 85.0)], Aggregation())
    assert agg is not None and agg.dropped_low == ((1, 80.0),) and agg.dropped_high == ((4, 90.0),)


def test_groups_are_combined_by_weight_so_a_big_group_cannot_swamp_its_share() -> None:
    public = ballots("public", [("好", 100)] * 20)
    town = ballots("town_cadres", [("一般", 60)] * 2, start=21)
    village = ballots("village_cadres", [("较好", 80)] * 2, start=23)
    result = score_subject(public + town + village, plain_scheme())
    assert result.score == pytest.approx(0.5 * 100 + 0.3 * 60 + 0.2 * 80)  # 84, not the ballot mean 94.5


def test_empty_group_is_renormalised_away_and_flagged() -> None:
    public = ballots("public", [("好", 90)] * 3)
    town = ballots("town_cadres", [("较好", 80)] * 3, start=4)
    result = score_subject(public + town, plain_scheme())
    assert result.score == pytest.approx((0.5 * 90 + 0.3 * 80) / 0.8)  # 86.25
    assert [g.used_weight for g in result.groups] == pytest.approx([0.625, 0.375, 0.0])
    assert any(f.code == "empty_group" and "驻村干部" in f.message for f in result.flags)
    assert "权重按比例分给其他类别" in result.explain()


def test_ballot_with_the_same_mark_on_every_item_is_invalid_and_counted() -> None:
    scheme = default_scheme()
    good = [Ballot(i, "public", "好", 95, dict(zip(ITEMS, (95, 90, 95, 95, 90), strict=True))) for i in range(1, 4)]
    same = Ballot(9, "public", "差", 55, dict.fromkeys(ITEMS, 55))
    result = score_subject([*good, same], scheme)
    assert result.n_ballots == 4 and result.n_valid == 3
    assert result.invalid == ((9, "same_mark"),)
    assert result.score == pytest.approx(95.0)
    assert dict(result.distribution)["差"] == 0
    assert "#9：各项评分相同" in result.explain()


def test_other_invalid_ballots_are_named() -> None:
    scheme = default_scheme()
    full = dict(zip(ITEMS, (90, 80, 90, 90, 85), strict=True))
    result = score_subject([
        Ballot(1, "public", "好", 70, full),               # 70 is not a mark 好 allows
        Ballot(2, "public", "很好", None, full),            # no such grade
        Ballot(3, "nobody", "好", None, full),              # no such group
        Ballot(4, "public", "好", None, {"de": 90}),        # items missing
        Ballot(5, "public", "好", None, full),
    ], scheme)
    assert dict(result.invalid) == {1: "points_outside_grade", 2: "unknown_grade", 3: "unknown_group",
                                    4: "incomplete_items"}
    assert result.n_valid == 1


def test_same_mark_rule_can_be_switched_off() -> None:
    scheme = default_scheme()
    scheme = replace(scheme, invalid=replace(scheme.invalid, same_mark_on_all_items=False))
    result = score_subject([Ballot(1, "public", "好", None, dict.fromkeys(ITEMS, 90))], scheme)
    assert result.n_valid == 1


def test_item_scores_are_aggregated_like_the_overall_score() -> None:
    scheme = default_scheme()
    marks = [90, 80, 70, 60, 85, 75]  # item 德 per ballot; 6 ballots → drop 90 and 60
    bs = [Ballot(i, "public", "较好", None, {"de": m, "neng": 80, "qin": 81, "ji": 82, "lian": 83})
          for i, m in enumerate(marks, start=1)]
    bs.append(Ballot(7, "town_cadres", "好", None, {"de": 100, "neng": 90, "qin": 91, "ji": 92, "lian": 93}))
    result = score_subject(bs, scheme)
    de = {i.item: i.score for i in result.items}["de"]
    assert de == pytest.approx((0.5 * (80 + 70 + 85 + 75) / 4 + 0.3 * 100) / 0.8)


@pytest.mark.parametrize(("k", "n", "low", "high"), [
    # Newcombe (1998), Statistics in Medicine 17:857–872, Table I, method 3 (Wilson score without correction).
    (81, 263, 0.2553, 0.3662), (15, 148, 0.0624, 0.1605), (0, 20, 0.0, 0.1611), (1, 29, 0.0061, 0.1718),
])
def test_wilson_interval_matches_newcombe_1998(k: int, n: int, low: float, high: float) -> None:
    lo, hi = wilson_interval(k, n)
    assert (round(lo, 4), round(hi, 4)) == (low, high)


def test_satisfaction_and_dissatisfaction_rates() -> None:
    marks = [("好", 95)] * 3 + [("较好", 80)] * 3 + [("一般", 65), ("差", 55)]
    result = score_subject(ballots("public", marks), plain_scheme())
    assert (result.satisfaction.count, result.satisfaction.total) == (6, 8)
    assert result.satisfaction.value == pytest.approx(0.75)
    assert (result.satisfaction.low, result.satisfaction.high) == pytest.approx((0.4093, 0.9285), abs=1e-4)
    assert result.dissatisfaction.value == pytest.approx(1 / 8)


def test_a_rate_whose_interval_crosses_the_threshold_is_uncertain() -> None:
    # 6 of 8 satisfied: 75% > 60%, but the 95% interval 40.9%–92.9% contains 60%.
    small = score_subject(ballots("public", [("好", 95)] * 6 + [("差", 55)] * 2), plain_scheme())
    interview = {o.rule.code: o for o in small.outcomes}["interview"]
    assert interview.status == "uncertain" and interview.leaning is False
    assert small.uncertain and any(f.code == "uncertain" for f in small.flags)
    assert not any(p.rule == "interview" for p in small.proposals())  # 75% satisfied: no 约谈 on a doubt
    # 3 of 8 satisfied (37.5%) leans below 60% on an interval (13.7%–69.4%) that cannot decide: 约谈, marked uncertain.
    low = score_subject(ballots("public", [("好", 95)] * 3 + [("差", 55)] * 5), plain_scheme())
    assert any(p.rule == "interview" and p.uncertain for p in low.proposals())
    # 75 of 100: interval 65.7%–82.5% lies wholly above 60%, so no 约谈.
    big = score_subject(ballots("public", [("好", 95)] * 75 + [("差", 55)] * 25), plain_scheme())
    assert {o.rule.code: o.status for o in big.outcomes}["interview"] == "not_triggered"


def test_rules_trigger_when_the_whole_interval_meets_them() -> None:
    # 80 ballots: 20 好, 20 一般, 40 差. Satisfaction 25% (16.8%–35.5%) < 60% → 约谈; 一般 + 差 75% (64.5%–83.2%)
    # ≥ 1/3 → 整改; 差 alone is 50% (39.3%–60.7%), and "> 50%" cannot be decided from 80 ballots.
    marks = [("好", 95)] * 20 + [("一般", 65)] * 20 + [("差", 55)] * 40
    result = score_subject(ballots("public", marks), plain_scheme())
    status = {o.rule.code: o.status for o in result.outcomes}
    assert status == {"interview": "triggered", "unqualified": "uncertain", "rectify": "triggered"}
    assert {p.action for p in result.proposals()} == {"约谈", "整改通知单"}  # 差 is 50%, not > 50%: no 不合格


def test_rule_status_compares_both_ends_of_the_interval() -> None:
    assert rule_status(0.5, 0.2, 0.55, "<", 0.6) == "triggered"
    assert rule_status(0.7, 0.62, 0.8, "<", 0.6) == "not_triggered"
    assert rule_status(0.7, 0.5, 0.8, "<", 0.6) == "uncertain"
    assert rule_status(None, None, None, "<", 0.6) == "no_data"


def test_no_valid_ballot_gives_no_score_and_no_decision() -> None:
    result = score_subject([], plain_scheme())
    assert result.score is None and result.satisfaction.value is None
    assert {o.status for o in result.outcomes} == {"no_data"}
    assert result.proposals() == ()
    assert "没有任何有效票" in result.explain()


def test_explain_traces_dropped_ballots_group_means_and_weights() -> None:
    public = ballots("public", [("好", 100), ("好", 95), ("较好", 85), ("较好", 80), ("一般", 70), ("差", 55)])
    town = ballots("town_cadres", [("较好", 80)], start=7)
    text = score_subject(public + town, plain_scheme()).explain()
    assert "去掉最高 #1 100、最低 #6 55" in text
    assert "平均 = 82.50" in text
    assert "0.625×82.50 + 0.375×80.00 = 81.56" in text
    assert "满意率 = (好 + 较好) / 有效票 = 71.4%（5/7" in text


def test_result_records_the_scheme_version_and_recomputes_under_a_new_one() -> None:
    bs = ballots("public", [("好", 95)] * 3) + ballots("town_cadres", [("一般", 65)] * 3, start=4)
    v1 = score_subject(bs, plain_scheme())
    groups = (EvaluatorGroup("public", "群众代表", 0.7), EvaluatorGroup("town_cadres", "镇干部", 0.3))
    v2 = score_subject(bs, plain_scheme(version=2, groups=groups))
    assert (v1.scheme_version, v2.scheme_version) == (1, 2)
    assert v1.score == pytest.approx((0.5 * 95 + 0.3 * 65) / 0.8)
    assert v2.score == pytest.approx(0.7 * 95 + 0.3 * 65)
    assert v2.to_dict()["scheme_version"] == 2


def test_an_uncertain_rule_is_labelled_on_its_own_rate_only() -> None:
    # 0/10 satisfied: the whole interval (0–28%) lies below the 60% line, so 约谈 is decided; 6/10 差 straddles 50%.
    result = score_subject(ballots("public", [("一般", 70)] * 4 + [("差", 55)] * 6), plain_scheme())
    status = {o.rule.code: o.status for o in result.outcomes}
    assert status["interview"] == "triggered" and status["unqualified"] == "uncertain"
    assert result.satisfaction.high is not None and result.satisfaction.high < 0.6
    assert result.uncertain_on(result.satisfaction) == ()
    assert [o.rule.code for o in result.uncertain_on(result.dissatisfaction)] == ["unqualified"]
    shown = result.to_dict()
    assert shown["satisfaction"]["uncertain"] == [] and shown["dissatisfaction"]["uncertain"] == ["不合格"]


def test_a_rate_whose_interval_straddles_the_line_is_labelled() -> None:
    result = score_subject(ballots("public", [("好", 100)] * 3 + [("一般", 70)] * 3), plain_scheme())
    assert result.satisfaction.low is not None and result.satisfaction.low < 0.6 < (result.satisfaction.high or 0)
    assert [o.rule.code for o in result.uncertain_on(result.satisfaction)] == ["interview"]


def test_a_proposal_gives_its_reason_in_words_not_the_formula() -> None:
    marks = [("好", 95)] * 3 + [("差", 55)] * 5
    [talk] = [p for p in score_subject(ballots("public", marks), plain_scheme()).proposals() if p.rule == "interview"]
    assert "→" not in talk.reason and ">" not in talk.reason and "区间" not in talk.reason
    assert talk.reason.startswith("评“好”") and "票数较少，结论不确定" in talk.reason
