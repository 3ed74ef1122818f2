from __future__ import annotations

import math
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dianti.appraisal import krippendorff_alpha
from dianti.appraisal.engine.alpha import Level, alpha_of_counts, panel_alpha, ratings_matrix
from dianti.appraisal.engine.scale import central_scale

N = None
# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: 4 observers × 12 units, missing data.
PAPER = [[1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
         [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
         [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
         [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N]]


def test_binary_example_meg_and_owen() -> None:
    meg = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0]
    owen = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]
    alpha = krippendorff_alpha([meg, owen], "nominal")
    assert alpha is not None and round(alpha, 3) == 0.095


def test_nominal_example_ben_and_gerry() -> None:
    ben = list("aabbdcccedda")
    gerry = list("babbbccceddd")
    alpha = krippendorff_alpha([ben, gerry], "nominal")
    assert alpha is not None and round(alpha, 3) == 0.692


@pytest.mark.parametrize(("level", "expected"), [
    ("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797),
])
def test_paper_example_with_missing_data(level: Level, expected: float) -> None:
    alpha = krippendorff_alpha(PAPER, level)
    assert alpha is not None and round(alpha, 3) == expected


def test_numpy_nan_equals_list_none() -> None:
    array = np.array([[np.nan if v is None else v for v in row] for row in PAPER], dtype=float)
    assert krippendorff_alpha(array, "interval") == pytest.approx(krippendorff_alpha(PAPER, "interval"))


def test_ordinal_grades_need_an_order_which_a_scale_can_give() -> None:
    labels = {1: "好", 2: "较好", 3: "一般", 4: "差", 5: "差"}
    data = [[None if v is None else labels[v] for v in row] for row in PAPER]
    by_scale = krippendorff_alpha(data, "ordinal", scale=central_scale())
    by_order = krippendorff_alpha(data, "ordinal", order=["差", "一般", "较好", "好"])  # direction does not matter
    assert by_scale is not None and by_scale == pytest.approx(by_order)
    with pytest.raises(ValueError, match="needs their order"):
        krippendorff_alpha(data, "ordinal")
    with pytest.raises(ValueError, match="not in the given order"):
        krippendorff_alpha(data, "ordinal", order=["好", "较好"])


def test_interval_on_grades_uses_the_scales_points() -> None:
    scale = central_scale()
    data = [["好", "较好", "差"], ["好", "一般", "差"]]
    points = [[95, 80, 55], [95, 65, 55]]
    assert krippendorff_alpha(data, "interval", scale=scale) == pytest.approx(krippendorff_alpha(points, "interval"))


def test_undefined_alpha_is_none() -> None:
    assert krippendorff_alpha([[1, 1, 1], [1, 1, 1]], "nominal") is None       # no variation
    assert krippendorff_alpha([[1, N, 3], [N, 2, N]], "interval") is None      # no unit with two ratings
    assert krippendorff_alpha([], "nominal") is None


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="rectangular"):
        krippendorff_alpha([[1, 2], [1]], "nominal")
    with pytest.raises(ValueError, match="level"):
        krippendorff_alpha([[1, 2], [1, 2]], "fuzzy")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="non-negative"):
        krippendorff_alpha([[-1, 2], [1, 2]], "ratio")


def test_ratings_matrix_and_panel_alpha() -> None:
    matrix, raters, units = ratings_matrix([("r1", "u1", 1), ("r2", "u1", 1), ("r1", "u2", 2), ("r2", "u3", 3)])
    assert raters == ["r1", "r2"] and units == ["u1", "u2", "u3"]
    assert matrix == [[1, 2, None], [1, None, 3]]
    with pytest.raises(ValueError, match="twice"):
        ratings_matrix([("r1", "u1", 1), ("r1", "u1", 2)])
    panel = {"meg": dict(enumerate([0, 1, 0, 0, 0, 0, 0, 0, 1, 0])),
             "owen": dict(enumerate([1, 1, 1, 0, 0, 1, 0, 0, 0, 0]))}
    assert panel_alpha(panel, "nominal") == pytest.approx(krippendorff_alpha([list(panel["meg"].values()),
                                                                              list(panel["owen"].values())]))


# --- properties -------------------------------------------------------------------------------------------------

cell = st.one_of(st.none(), st.integers(min_value=1, max_value=5))


@st.composite
def panels(draw: st.DrawFn) -> list[list[int | None]]:
    raters = draw(st.integers(min_value=2, max_value=5))
    units = draw(st.integers(min_value=1, max_value=8))
    return [draw(st.lists(cell, min_size=units, max_size=units)) for _ in range(raters)]


levels = st.sampled_from(["nominal", "ordinal", "interval", "ratio"])


def same(a: float | None, b: float | None) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and math.isclose(a, b, abs_tol=1e-9))


@settings(max_examples=60, deadline=None)
@given(panels(), levels, st.randoms(use_true_random=False))
def test_permuting_raters_or_units_changes_nothing(data: list[list[int | None]], level: Level,
                                                   rnd: random.Random) -> None:
    base = krippendorff_alpha(data, level)
    rows = data[:]
    rnd.shuffle(rows)
    cols = list(range(len(data[0])))
    rnd.shuffle(cols)
    assert same(krippendorff_alpha(rows, level), base)
    assert same(krippendorff_alpha([[row[c] for c in cols] for row in data], level), base)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=5), min_size=2, max_size=10), st.integers(2, 5), levels)
def test_perfect_agreement_gives_one(values: list[int], raters: int, level: Level) -> None:
    alpha = krippendorff_alpha([values] * raters, level)
    if len(set(values)) == 1:
        assert alpha is None
    else:
        assert alpha == pytest.approx(1.0)


@settings(max_examples=60, deadline=None)
@given(panels(), st.floats(min_value=-10, max_value=10).filter(lambda a: abs(a) > 0.01),
       st.floats(min_value=-100, max_value=100))
def test_interval_alpha_is_invariant_to_affine_transforms(data: list[list[int | None]], a: float, b: float) -> None:
    moved = [[None if v is None else a * v + b for v in row] for row in data]
    base, after = krippendorff_alpha(data, "interval"), krippendorff_alpha(moved, "interval")
    assert (base is None) == (after is None)
    if base is not None and after is not None:
        assert after == pytest.approx(base, abs=1e-7)


@settings(max_examples=40, deadline=None)
@given(panels(), st.floats(min_value=0.1, max_value=10))
def test_ratio_alpha_is_invariant_to_scaling(data: list[list[int | None]], a: float) -> None:
    scaled = [[None if v is None else a * v for v in row] for row in data]
    assert same(krippendorff_alpha(scaled, "ratio"), krippendorff_alpha(data, "ratio"))


@settings(max_examples=40, deadline=None)
@given(panels())
def test_nominal_alpha_ignores_what_the_labels_are(data: list[list[int | None]]) -> None:
    names = {1: "甲", 2: "乙", 3: "丙", 4: "丁", 5: "戊"}
    renamed = [[None if v is None else names[v] for v in row] for row in data]
    assert same(krippendorff_alpha(renamed, "nominal"), krippendorff_alpha(data, "nominal"))


@settings(max_examples=40, deadline=None)
@given(panels(), levels)
def test_alpha_is_at_most_one(data: list[list[int | None]], level: Level) -> None:
    alpha = krippendorff_alpha(data, level)
    assert alpha is None or alpha <= 1 + 1e-9


def _interval_counts(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A meeting's item marks as counts: 600 units, 2–20 ratings each, marks 40–100."""
    rng = np.random.default_rng(seed)
    values = np.arange(40.0, 101.0)
    counts = np.zeros((600, len(values)))
    for unit in range(600):
        for mark in rng.integers(20, 61, size=rng.integers(2, 21)):
            counts[unit, mark - 20] += 1
    return counts, values


def test_alpha_has_the_same_bits_whatever_the_order_of_units_or_the_unused_categories():
    """Two paths that count the same ratings (per subject, or a whole meeting with numpy) must store the same
    reliability figure: the order of units and categories nobody used change nothing, to the last bit."""
    counts, values = _interval_counts(7)
    alpha = alpha_of_counts(counts, "interval", values)
    shuffled = counts[np.random.default_rng(1).permutation(len(counts))]
    assert alpha_of_counts(shuffled, "interval", values) == alpha
    padded = np.hstack([np.zeros((len(counts), 3)), counts])
    assert alpha_of_counts(padded, "interval", np.concatenate([[0.0, 1.0, 2.0], values])) == alpha
    assert alpha_of_counts(counts, "ordinal") == alpha_of_counts(shuffled, "ordinal")


def test_alpha_has_the_same_bits_with_one_blas_thread_or_many():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    counts, values = _interval_counts(11)
    many = alpha_of_counts(counts, "interval", values)
    with threadpoolctl.threadpool_limits(1):
        assert alpha_of_counts(counts, "interval", values) == many
