"""Score many subjects at once from flat numpy arrays — the same method as :mod:`.scoring`, vectorised.

One row per ballot: subject index, group index (into ``scheme.groups``), grade index (into ``scheme.scale``), and
optionally the stated points, item marks and an external validity mask. No Python loop runs per ballot or per
subject: valid ballots are ordered once by (subject, group) cell with a stable ``np.argsort``; ``np.bincount`` sums
and counts marks per cell, and ``np.fmin/fmax.reduceat`` over the cell-ordered marks give each cell's lowest and
highest mark, which the usual rule (drop one at each end) subtracts. Dropping more than one at each end sorts
marks within cells with ``np.lexsort``. Loops run only over items, grades and rules (a handful each).

The results equal :func:`.scoring.score_subject`'s up to float summation order (≈1e-12); :func:`mismatches` checks
one subject against it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .marks import z_for
from .results import SubjectResult
from .scheme import Scheme

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

STATUSES = ("no_data", "not_triggered", "uncertain", "triggered")
"""Meaning of the codes in :attr:`BatchResult.rule_status` (index = code)."""


@dataclass(frozen=True)
class BatchResult:
    """Per-subject figures as arrays (S subjects, G groups, K grades, I items, R rules); NaN where undefined."""

    score: FloatArray                # (S,)
    group_mean: FloatArray           # (S, G)
    group_valid: IntArray            # (S, G) valid ballots per group
    used_weight: FloatArray          # (S, G) weights after renormalising empty groups away
    item_score: FloatArray           # (S, I)
    n_ballots: IntArray              # (S,)
    n_valid: IntArray                # (S,)
    distribution: IntArray           # (S, K) valid ballots per grade
    satisfaction: FloatArray         # (S, 3): rate, Wilson low, Wilson high
    dissatisfaction: FloatArray      # (S, 3)
    rule_rate: FloatArray            # (S, R, 3)
    rule_status: npt.NDArray[np.int8]  # (S, R) index into STATUSES

    @property
    def empty_groups(self) -> BoolArray:
        """Return (S, G): the group had no valid ballot and was renormalised away."""
        out: BoolArray = self.group_valid == 0
        return out


def wilson(k: FloatArray, n: FloatArray, confidence: float) -> FloatArray:
    """Return (len, 3) rate, low, high: the Wilson score interval of :func:`.marks.wilson_interval`, vectorised."""
    z = z_for(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k / n
        denom = 1 + z * z / n
        centre = (p + z * z / (2 * n)) / denom
        half = z / denom * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    out = np.stack([p, np.maximum(0.0, centre - half), np.minimum(1.0, centre + half)], axis=1)
    out[n == 0] = np.nan
    return out


@dataclass(frozen=True)
class Cells:
    """Valid ballots grouped into (subject, group) cells: the cell of each ballot and a stable order by cell."""

    cell: IntArray
    order: IntArray
    nonempty: BoolArray
    starts: IntArray  # start of each non-empty cell in ``order``: strictly increasing, as reduceat needs
    n_cells: int

    @classmethod
    def of(cls, cell: IntArray, n_cells: int) -> Cells:
        """Return the cells of ``cell`` ids in 0..n_cells-1, sorted once and shared by every column of marks."""
        counts = np.bincount(cell, minlength=n_cells)
        nonempty = counts > 0
        return cls(cell, np.argsort(cell, kind="stable"), nonempty, (np.cumsum(counts) - counts)[nonempty], n_cells)


def cell_means(cells: Cells, marks: FloatArray, scheme: Scheme) -> tuple[FloatArray, IntArray]:
    """Return the (trimmed) mean and count of the non-NaN ``marks`` per cell (NaN for cells without one).

    Dropping one mark at each end needs no sort within cells: the trimmed sum is sum − min − max, with the minima
    and maxima taken by ``np.fmin.reduceat``/``np.fmax.reduceat`` over the cell-ordered marks. Dropping more sorts
    the marks within cells with one ``np.lexsort`` and keeps those whose position in their cell is not trimmed.
    """
    agg, n_cells = scheme.aggregation, cells.n_cells
    finite = ~np.isnan(marks)
    counts = np.bincount(cells.cell[finite], minlength=n_cells)
    k = agg.trim_each_side if agg.method == "trimmed" else 0
    trims = np.where(counts > agg.trim_when_more_than, k, 0)
    if k <= 1:
        sums = np.bincount(cells.cell, weights=np.where(finite, marks, 0.0), minlength=n_cells)
        trimmed = trims == 1
        if trimmed.any():
            ordered = marks[cells.order]
            extremes = np.zeros(n_cells)
            extremes[cells.nonempty] = (np.fmin.reduceat(ordered, cells.starts)
                                        + np.fmax.reduceat(ordered, cells.starts))
            sums[trimmed] -= extremes[trimmed]
    else:
        cell, values = cells.cell[finite], marks[finite]
        order = np.lexsort((values, cell))
        sorted_cell, sorted_values = cell[order], values[order]
        starts = np.cumsum(counts) - counts
        position = np.arange(len(sorted_cell)) - starts[sorted_cell]
        keep = (position >= trims[sorted_cell]) & (position < counts[sorted_cell] - trims[sorted_cell])
        sums = np.bincount(sorted_cell[keep], weights=sorted_values[keep], minlength=n_cells)
    kept = counts - 2 * trims
    with np.errstate(divide="ignore", invalid="ignore"):
        means: FloatArray = np.where(kept > 0, sums / np.maximum(kept, 1), np.nan)
    return means, counts


def _combine(means: FloatArray, weights: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Return the weighted score per row over non-NaN columns, and the renormalised weights used."""
    present = ~np.isnan(means)
    w = np.where(present, weights[None, :], 0.0)
    total = w.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        used = np.where(total > 0, w / total, 0.0)
        score = np.where(total[:, 0] > 0, (used * np.nan_to_num(means)).sum(axis=1), np.nan)
    return score, used


def validity(scheme: Scheme, group: IntArray, grade: IntArray, points: FloatArray | None,
             items: FloatArray | None) -> BoolArray:
    """Return each ballot's validity under the scheme's invalid-ballot rules, as :func:`.marks.invalid_reason` does.

    ``points`` holds stated marks, NaN where a ballot gives only its grade.
    """
    ok: BoolArray = (group >= 0) & (group < len(scheme.groups)) & (grade >= 0) & (grade < len(scheme.scale.grades))
    if points is not None:
        # NaN means "grade only" (no stated mark), to which the rules on stated marks do not apply.
        stated = ~np.isnan(points)
        ok &= ~stated | np.isfinite(points)
        if scheme.invalid.points_outside_grade:
            allowed = np.zeros(len(grade), dtype=bool)
            for g, spec in enumerate(scheme.scale.grades):
                sel = grade == g
                allowed[sel] = np.isin(points[sel], np.array(spec.points))
            ok &= ~stated | allowed
    if scheme.items and items is not None:
        finite = np.isfinite(items)
        n_present = finite.sum(axis=1)
        if scheme.invalid.incomplete_items:
            ok &= n_present == len(scheme.items)
        rules = scheme.invalid
        if rules.same_mark_on_all_items:
            hi = np.where(finite, items, -np.inf).max(axis=1)
            lo = np.where(finite, items, np.inf).min(axis=1)
            ok &= ~((n_present >= rules.min_items_for_same_mark) & (hi == lo))
    elif scheme.items and scheme.invalid.incomplete_items:
        ok &= False
    return ok


def score_batch(scheme: Scheme, subject: IntArray, group: IntArray, grade: IntArray, *, n_subjects: int | None = None,
                points: FloatArray | None = None, items: FloatArray | None = None,
                valid: BoolArray | None = None) -> BatchResult:
    """Return the appraisal of every subject in 0..n_subjects-1 from one row per ballot.

    ``points`` (stated marks, NaN for "grade only") default to each grade's default points; ``items`` is
    (ballots × scheme items) with NaN for a missing mark; ``valid`` is an extra mask for ballots ruled invalid
    upstream (spoiled paper ballots). A scheme with items and no ``items`` array finds every ballot incomplete
    unless ``incomplete_items`` is off.
    """
    subject, group, grade = (np.asarray(a, dtype=np.int64) for a in (subject, group, grade))
    n_subj = int(subject.max()) + 1 if n_subjects is None and len(subject) else (n_subjects or 0)
    n_groups, n_grades = len(scheme.groups), len(scheme.scale.grades)
    defaults = np.array([g.default_points for g in scheme.scale.grades])
    stated = None if points is None else np.asarray(points, dtype=float)
    ok = validity(scheme, group, grade, stated, items)
    if valid is not None:
        ok &= np.asarray(valid, dtype=bool)
    marks = defaults[np.clip(grade, 0, n_grades - 1)]
    if stated is not None:
        marks = np.where(np.isnan(stated), marks, stated)

    s, g, k, m = subject[ok], group[ok], grade[ok], marks[ok]
    cells = Cells.of(s * n_groups + g, n_subj * n_groups)
    means, counts = cell_means(cells, m, scheme)
    group_mean = means.reshape(n_subj, n_groups)
    weights = np.array([x.weight for x in scheme.groups])
    score, used = _combine(group_mean, weights)

    item_score = np.full((n_subj, len(scheme.items)), np.nan)
    if items is not None:
        for j in range(len(scheme.items)):
            im, _ = cell_means(cells, np.where(np.isfinite(items[ok, j]), items[ok, j], np.nan), scheme)
            item_score[:, j], _ = _combine(im.reshape(n_subj, n_groups), weights)

    dist = np.bincount(s * n_grades + k, minlength=n_subj * n_grades).reshape(n_subj, n_grades)
    n_valid = dist.sum(axis=1)
    n_float = n_valid.astype(float)
    labels = scheme.scale.labels

    def share(grades: tuple[str, ...]) -> FloatArray:
        idx = [labels.index(x) for x in grades]
        return wilson(dist[:, idx].sum(axis=1).astype(float), n_float, scheme.confidence)

    rules = scheme.action_rules
    rule_rate = np.full((n_subj, len(rules), 3), np.nan)
    rule_status = np.zeros((n_subj, len(rules)), dtype=np.int8)
    ops = {"<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal}
    for r, rule in enumerate(rules):
        rate = share(rule.grades)
        rule_rate[:, r] = rate
        at_low, at_high = ops[rule.op](rate[:, 1], rule.threshold), ops[rule.op](rate[:, 2], rule.threshold)
        status = np.where(at_low & at_high, 3, np.where(~at_low & ~at_high, 1, 2))
        rule_status[:, r] = np.where(n_valid == 0, 0, status)

    return BatchResult(
        score=score, group_mean=group_mean, group_valid=counts.reshape(n_subj, n_groups), used_weight=used,
        item_score=item_score, n_ballots=np.bincount(subject, minlength=n_subj), n_valid=n_valid,
        distribution=dist, satisfaction=share(scheme.scale.satisfied),
        dissatisfaction=share(scheme.scale.dissatisfied), rule_rate=rule_rate, rule_status=rule_status)


def _differ(a: float | None, b: float, tol: float) -> bool:
    if a is None:
        return not math.isnan(b)
    return math.isnan(b) or abs(a - b) > tol


def mismatches(batch: BatchResult, i: int, result: SubjectResult, tol: float = 1e-9) -> list[str]:
    """Return how subject ``i`` of ``batch`` differs from the per-subject ``result`` (empty when they agree)."""
    out = []
    if _differ(result.score, float(batch.score[i]), tol):
        out.append(f"score {result.score} != {batch.score[i]}")
    for gi, gr in enumerate(result.groups):
        if _differ(gr.score, float(batch.group_mean[i, gi]), tol) or gr.n_valid != batch.group_valid[i, gi]:
            out.append(f"group {gr.code}: {gr.score}/{gr.n_valid} != {batch.group_mean[i, gi]}/{batch.group_valid[i, gi]}")
        if abs(gr.used_weight - float(batch.used_weight[i, gi])) > tol:
            out.append(f"group {gr.code} weight {gr.used_weight} != {batch.used_weight[i, gi]}")
    for j, it in enumerate(result.items):
        if batch.item_score.shape[1] and _differ(it.score, float(batch.item_score[i, j]), tol):
            out.append(f"item {it.item}: {it.score} != {batch.item_score[i, j]}")
    if result.n_ballots != batch.n_ballots[i] or result.n_valid != batch.n_valid[i]:
        out.append(f"ballots {result.n_ballots}/{result.n_valid} != {batch.n_ballots[i]}/{batch.n_valid[i]}")
    if [n for _, n in result.distribution] != batch.distribution[i].tolist():
        out.append(f"distribution {result.distribution} != {batch.distribution[i].tolist()}")
    for name, rate, arr in (("satisfaction", result.satisfaction, batch.satisfaction),
                            ("dissatisfaction", result.dissatisfaction, batch.dissatisfaction)):
        for got, want in zip((rate.value, rate.low, rate.high), arr[i].tolist(), strict=True):
            if _differ(got, want, tol):
                out.append(f"{name} {got} != {want}")
    for r, o in enumerate(result.outcomes):
        if STATUSES[batch.rule_status[i, r]] != o.status:
            out.append(f"rule {o.rule.code}: {o.status} != {STATUSES[batch.rule_status[i, r]]}")
    return out
