from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dianti.appraisal.engine.batch import STATUSES, mismatches, score_batch
from dianti.appraisal.engine.scheme import Aggregation, Scheme, default_scheme
from dianti.appraisal.engine.scoring import score_subject
from dianti.appraisal.engine.synthetic import ballots_of, synthetic_province

SCHEMES = {
    "trim one above 5": default_scheme(),
    "plain mean": replace(default_scheme(), aggregation=Aggregation(method="mean")),
    "trim two above 6": replace(default_scheme(), aggregation=Aggregation(trim_when_more_than=6, trim_each_side=2)),
    "trim one above 2": replace(default_scheme(), aggregation=Aggregation(trim_when_more_than=2)),
}
MARKS = [math.nan, math.nan, 100, 95, 90, 85, 80, 75, 70, 65, 60, 55, 72, math.inf]
ITEM_MARKS = [60.0, 70.0, 80.0, 90.0, math.nan]


def assert_batch_equals_per_subject(scheme: Scheme, data: dict[str, np.ndarray], n_subjects: int) -> None:
    batch = score_batch(scheme, data["subject"], data["group"], data["grade"], n_subjects=n_subjects,
                        points=data["points"], items=data.get("items"))
    by_subject = ballots_of(data, scheme, np.arange(n_subjects))
    for s in range(n_subjects):
        assert mismatches(batch, s, score_subject(by_subject.get(s, []), scheme)) == [], f"subject {s}"


@st.composite
def ballot_arrays(draw: st.DrawFn) -> dict[str, np.ndarray]:
    n = draw(st.integers(min_value=0, max_value=40))

    def ints(hi: int) -> np.ndarray:
        return np.array(draw(st.lists(st.integers(0, hi), min_size=n, max_size=n)), dtype=np.int64)

    subject, group, grade = ints(4), ints(2), ints(3)
    points = np.array(draw(st.lists(st.sampled_from(MARKS), min_size=n, max_size=n)), dtype=float)
    same = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    rows = [[draw(st.sampled_from(ITEM_MARKS))] * 5 if s else draw(st.lists(st.sampled_from(ITEM_MARKS),
                                                                             min_size=5, max_size=5))
            for s in same]
    items = np.array(rows, dtype=float).reshape(n, 5)
    return {"subject": subject, "group": group, "grade": grade, "points": points, "items": items}


@pytest.mark.parametrize("name", SCHEMES)
@settings(max_examples=40, deadline=None)
@given(data=ballot_arrays())
def test_batch_equals_per_subject_on_random_ballots(name: str, data: dict[str, np.ndarray]) -> None:
    assert_batch_equals_per_subject(SCHEMES[name], data, 5)


def test_batch_equals_per_subject_on_a_synthetic_county() -> None:
    scheme = default_scheme()
    assert_batch_equals_per_subject(scheme, synthetic_province(scheme, 300, 6000, seed=7), 300)


def test_batch_hand_case_trimmed_mean_renormalised_weights_and_wilson() -> None:
    scheme = replace(default_scheme(), items=())
    grades = [0, 0, 1, 1, 2, 3, 1]            # 好 好 较好 较好 一般 差 | town: 较好
    points = [100, 95, 85, 80, 70, 55, math.nan]
    batch = score_batch(scheme, np.zeros(7, dtype=np.int64), np.array([0] * 6 + [1]), np.array(grades),
                        points=np.array(points, dtype=float))
    assert batch.group_mean[0].tolist()[:2] == pytest.approx([82.5, 80.0])
    assert math.isnan(batch.group_mean[0, 2]) and bool(batch.empty_groups[0, 2])
    assert batch.used_weight[0].tolist() == pytest.approx([0.625, 0.375, 0.0])
    assert batch.score[0] == pytest.approx(0.625 * 82.5 + 0.375 * 80)
    assert batch.satisfaction[0].tolist() == pytest.approx([5 / 7, 0.3589, 0.9178], abs=1e-4)
    # Even 1 差 in 7 cannot rule out "> 50% dissatisfied": its interval is 2.6%–51.3%.
    assert batch.dissatisfaction[0].tolist() == pytest.approx([1 / 7, 0.0257, 0.5131], abs=1e-4)
    assert [STATUSES[c] for c in batch.rule_status[0]] == ["uncertain", "uncertain", "uncertain"]


def test_external_validity_mask_excludes_ballots() -> None:
    scheme = replace(default_scheme(), items=())
    batch = score_batch(scheme, np.array([0, 0]), np.array([0, 0]), np.array([0, 3]), valid=np.array([True, False]))
    assert batch.n_ballots[0] == 2 and batch.n_valid[0] == 1 and batch.score[0] == pytest.approx(95)
