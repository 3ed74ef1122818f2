from __future__ import annotations

import json
from dataclasses import replace

import pytest

from dianti.appraisal.engine.policy import ActionRule
from dianti.appraisal.engine.scale import Grade, GradeScale, SchemeError, central_scale, local_scale
from dianti.appraisal.engine.scheme import Aggregation, EvaluatorGroup, Scheme, default_scheme


def test_scheme_round_trips_through_json() -> None:
    scheme = default_scheme(version=3)
    again = Scheme.from_dict(json.loads(json.dumps(scheme.to_dict(), ensure_ascii=False)))
    assert again == scheme
    assert again.to_dict()["version"] == 3 and again.to_dict()["format"] == 1


def test_local_scale_default_marks_are_the_middle_of_each_band() -> None:
    scale = local_scale()
    assert scale.labels == ("优秀", "称职", "基本称职", "不称职")
    assert [g.default_points for g in scale.grades] == [95, 80, 65, 55]
    assert scale.satisfied == ("优秀", "称职") and scale.dissatisfied == ("不称职",)


def test_weights_must_sum_to_100_percent() -> None:
    groups = (EvaluatorGroup("public", "群众代表", 0.5), EvaluatorGroup("cadres", "镇干部", 0.3))
    with pytest.raises(SchemeError, match="权重之和须为 100%，现为 80%"):
        Scheme(version=1, name="x", scale=central_scale(), groups=groups)


def test_duplicate_group_codes_are_refused() -> None:
    groups = (EvaluatorGroup("public", "群众代表", 0.5), EvaluatorGroup("public", "又一类", 0.5))
    with pytest.raises(SchemeError, match="重复"):
        Scheme(version=1, name="x", scale=central_scale(), groups=groups)


def test_grades_must_run_from_best_to_worst_without_overlap() -> None:
    with pytest.raises(SchemeError, match="须从好到差排列"):
        GradeScale((Grade("好", (90, 80), satisfied=True), Grade("较好", (85,))))


def test_rule_on_unknown_grade_is_refused() -> None:
    rule = ActionRule("x", "满意率", ("很好",), "<", 0.6, "约谈")
    with pytest.raises(SchemeError, match="没有的等次“很好”"):
        replace(default_scheme(), rules=(rule,))


def test_rule_threshold_is_a_proportion() -> None:
    with pytest.raises(SchemeError, match="60% 写作 0.6"):
        ActionRule("x", "满意率", ("好",), "<", 60, "约谈")


def test_trim_threshold_cannot_drop_every_ballot() -> None:
    with pytest.raises(SchemeError, match="阈值须不小于 4"):
        Aggregation(trim_when_more_than=3, trim_each_side=2)


def test_from_dict_names_the_missing_field() -> None:
    data = default_scheme().to_dict()
    del data["groups"]
    with pytest.raises(SchemeError, match="缺少字段 'groups'"):
        Scheme.from_dict(data)


def test_default_rules_follow_the_scale() -> None:
    codes = {r.code: r for r in default_scheme().action_rules}
    assert codes["interview"].grades == ("好", "较好") and codes["interview"].threshold == 0.6
    assert codes["unqualified"].grades == ("差",) and codes["unqualified"].op == ">"
    assert codes["rectify"].grades == ("一般", "差") and codes["rectify"].threshold == pytest.approx(1 / 3)
