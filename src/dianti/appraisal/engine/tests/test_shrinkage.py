from __future__ import annotations

import math

import pytest

from dianti.appraisal.engine.shrinkage import (
    estimate_m,
    pooled_variance,
    prior_mean,
    shrink_scores,
    weighted_rating,
)


def test_weighted_rating_by_hand() -> None:
    # WR = 4/20·98 + 16/20·80 = 19.6 + 64 = 83.6
    assert weighted_rating(98, 4, 80, 16) == pytest.approx(83.6)
    assert weighted_rating(98, 4, 80, 0) == 98
    assert weighted_rating(98, 4, 80, math.inf) == 80


def test_small_panel_no_longer_outranks_a_large_one() -> None:
    means, counts = [98.0, 95.0], [4.0, 40.0]
    shrunk = shrink_scores(means, counts, m=10, c=80)
    assert shrunk == pytest.approx([4 / 14 * 98 + 10 / 14 * 80, 40 / 50 * 95 + 10 / 50 * 80])
    assert shrunk[0] < shrunk[1]


def test_estimate_m_by_method_of_moments() -> None:
    # Var of means (70, 80, 90) = 100; noise σ²/v = 100/10 = 10; τ² = 90; m = σ²/τ² = 100/90.
    assert estimate_m([70, 80, 90], [10, 10, 10], 100) == pytest.approx(100 / 90)
    assert estimate_m([80, 81], [2, 2], 100) == math.inf  # differences within noise: everyone shrinks to C


def test_pooled_variance_and_prior_mean() -> None:
    assert pooled_variance([[1, 3], [2, 4, 6], [5]]) == pytest.approx((2 + 8) / (1 + 2))
    assert pooled_variance([[1]]) is None
    assert prior_mean([90, 60], [3, 1]) == pytest.approx(82.5)


def test_shrink_scores_needs_m_or_a_variance() -> None:
    with pytest.raises(ValueError, match="within_variance"):
        shrink_scores([80, 90], [3, 4])
    estimated = shrink_scores([70, 80, 90], [10, 10, 10], within_variance=100)
    assert estimated[1] == pytest.approx(80)
