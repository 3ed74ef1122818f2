"""Krippendorff's alpha: the reliability of a panel's ratings, for any number of raters, with missing ratings.

Implemented from Krippendorff, K. (2011), "Computing Krippendorff's Alpha-Reliability", Annenberg School for
Communication, University of Pennsylvania — the coincidence-matrix method:

* A unit (a subject rated by the panel) with m_u ≥ 2 ratings is *pairable*; the others are ignored.
* Coincidences: o_ck = Σ_u (number of ordered pairs of ratings (c, k) in unit u) / (m_u − 1);
  n_c = Σ_k o_ck;  n = Σ_c n_c (the number of pairable ratings).
* α = 1 − D_o / D_e = 1 − (n − 1) · Σ_c Σ_k o_ck δ²_ck / Σ_c Σ_k n_c n_k δ²_ck, with the difference function δ²:
  nominal  δ² = 0 if c = k else 1;
  ordinal  δ² = (Σ_{g=c..k} n_g − (n_c + n_k)/2)², the ranks running over every category of the ordered scale;
  interval δ² = (c − k)²;
  ratio    δ² = ((c − k) / (c + k))².
* α is undefined (None here) when no unit is pairable or when the pairable ratings show no variation (D_e = 0).

α = 1 is perfect agreement, α = 0 agreement at chance level; Krippendorff suggests relying on data with α ≥ 0.800
and drawing tentative conclusions only for 0.667 ≤ α < 0.800.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from numbers import Real
from typing import Any, Literal, TypeVar

import numpy as np
import numpy.typing as npt

from .scale import GradeScale

Level = Literal["nominal", "ordinal", "interval", "ratio"]
LEVELS: tuple[Level, ...] = ("nominal", "ordinal", "interval", "ratio")
FloatArray = npt.NDArray[np.float64]
#: Krippendorff's (2011) thresholds: rely on data with α at or above RELIABLE; draw only tentative conclusions from
#: TENTATIVE up to it; below TENTATIVE the raters disagree too much to rely on.
RELIABLE = 0.800
TENTATIVE = 0.667
Reading = Literal["reliable", "tentative", "unreliable"]


def reading(alpha: float | None) -> Reading | None:
    """Return how far a panel's α may be relied on (:data:`RELIABLE`, :data:`TENTATIVE`); None when undefined."""
    if alpha is None or math.isnan(alpha):
        return None
    if alpha >= RELIABLE:
        return "reliable"
    return "tentative" if alpha >= TENTATIVE else "unreliable"


R = TypeVar("R", bound=Hashable)
U = TypeVar("U", bound=Hashable)


def _is_missing(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, Real) and not isinstance(value, bool):
        return math.isnan(float(value))
    return False


def _rows(data: Any) -> list[list[object]]:
    """Return ``data`` (raters × units) as a rectangular list of rows; raise ValueError otherwise."""
    if isinstance(data, np.ndarray):
        if data.ndim != 2:
            raise ValueError(f"data must be 2-D (raters × units), got {data.ndim}-D")
        return [list(row) for row in data.tolist()]
    rows = [list(row) for row in data]
    if rows and any(len(r) != len(rows[0]) for r in rows):
        raise ValueError("data must be rectangular: every rater needs one entry (or None) per unit")
    return rows


def _key(value: object) -> Hashable:
    """Return the canonical category key of a rating: numbers (bools, numpy scalars) as float, labels as they are."""
    if isinstance(value, Real):
        return float(value)
    if not isinstance(value, Hashable):
        raise ValueError(f"rating {value!r} is neither a number nor a hashable label")
    return value


def _categories(values: set[Hashable], level: Level, order: Sequence[Hashable] | None,
                scale: GradeScale | None) -> tuple[list[Hashable], FloatArray | None]:
    """Return the ordered categories and, for interval/ratio, their numeric values."""
    if scale is not None and order is None:
        order = scale.labels
    if order is not None:
        cats = [_key(c) for c in order]
        if len(set(cats)) != len(cats):
            raise ValueError("order lists a category twice")
        unknown = values - set(cats)
        if unknown:
            raise ValueError(f"values not in the given order/scale: {sorted(map(str, unknown))}")
    elif all(isinstance(v, float) for v in values):
        cats = sorted(values, key=lambda v: v if isinstance(v, float) else 0.0)
    elif level == "nominal":
        cats = sorted(values, key=str)
    else:
        raise ValueError(f"{level} alpha on labels needs their order: pass order=[...] or scale=<GradeScale>")
    if level in ("nominal", "ordinal"):
        return cats, None
    if all(isinstance(c, float) for c in cats):
        nums = np.array(cats, dtype=float)
    elif scale is not None:
        nums = np.array([scale.grade(str(c)).default_points for c in cats])
    else:
        raise ValueError(f"{level} alpha needs numbers: pass numeric data or scale=<GradeScale> to map labels")
    if level == "ratio" and (nums < 0).any():
        raise ValueError("ratio alpha needs non-negative values")
    return cats, nums


def coincidences(counts: FloatArray) -> FloatArray:
    """Return the coincidence matrix o_ck from a units × categories matrix of rating counts (pairable units only)."""
    # Units are grouped by how many ratings they hold: within a group the products are of whole counts, so exact
    # whatever the order of the units or how many threads BLAS splits the product over; the groups are then added
    # in one fixed order. (A product of fractions 1/(m-1) differed in its last bits between a single- and a
    # multi-threaded BLAS, and so did a score's reliability figure between two paths that compute it.)
    m = counts.sum(axis=1)
    o: FloatArray = np.zeros((counts.shape[1], counts.shape[1]))
    for size in np.unique(m):
        rows = counts[m == size]
        pairs = rows.T @ rows
        pairs[np.diag_indices_from(pairs)] -= rows.sum(axis=0)
        o += pairs / (size - 1.0)
    return o


def difference(level: Level, n_c: FloatArray, values: FloatArray | None = None) -> FloatArray:
    """Return the K × K matrix of squared differences δ²_ck for ``level`` (Krippendorff 2011, section E)."""
    k = len(n_c)
    if level == "nominal":
        return 1.0 - np.eye(k)
    if level == "ordinal":
        cum = np.concatenate(([0.0], np.cumsum(n_c)))
        lo, hi = np.minimum.outer(np.arange(k), np.arange(k)), np.maximum.outer(np.arange(k), np.arange(k))
        between = cum[hi + 1] - cum[lo]
        d: FloatArray = (between - (n_c[:, None] + n_c[None, :]) / 2.0) ** 2
        return d
    if values is None:
        raise ValueError(f"{level} difference needs the categories' numeric values")
    diff = np.subtract.outer(values, values)
    if level == "interval":
        out: FloatArray = diff ** 2
        return out
    total = np.add.outer(values, values)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(total == 0, 0.0, diff / np.where(total == 0, 1.0, total))
    out = ratio ** 2
    return out


def krippendorff_alpha(data: Any, level: Level = "nominal", *, order: Sequence[Hashable] | None = None,
                       scale: GradeScale | None = None) -> float | None:
    """Return Krippendorff's alpha of ``data`` at ``level``, or None when it is undefined.

    ``data`` is raters × units: a list of lists or a 2-D numpy array, with None or NaN for a missing rating.
    Ratings may be numbers or labels. Labels need an order for ``ordinal`` (``order=`` a sequence of labels, or
    ``scale=`` a :class:`~.scale.GradeScale` whose order is used) and numbers for ``interval``/``ratio``
    (``scale=`` maps each grade to its default points). Return None when no unit has two ratings or the pairable
    ratings do not vary. Raise ValueError on a level, shape or label it cannot interpret.
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, got {level!r}")
    rows = _rows(data)
    n_units = len(rows[0]) if rows else 0
    columns = [[_key(r[u]) for r in rows if not _is_missing(r[u])] for u in range(n_units)]
    columns = [c for c in columns if len(c) >= 2]
    if not columns:
        return None
    cats, nums = _categories({v for c in columns for v in c}, level, order, scale)
    index = {c: i for i, c in enumerate(cats)}
    counts = np.zeros((len(columns), len(cats)))
    for u, col in enumerate(columns):
        for v in col:
            counts[u, index[v]] += 1
    return alpha_of_counts(counts, level, nums)


def alpha_of_counts(counts: FloatArray, level: Level, values: FloatArray | None = None) -> float | None:
    """Return alpha from a pairable-units × categories matrix of rating counts (each row summing to at least 2),
    the categories in their order and, for interval/ratio, ``values`` their numbers; None when the ratings do not
    vary. :func:`krippendorff_alpha` builds the matrix from raw ratings; a caller that counts ratings itself (a
    whole meeting at once, with numpy) calls this directly and gets the same figure to the bit.

    Categories nobody used are dropped first: they add nothing to alpha, but numpy's pairwise sums would group their
    zeros differently, so two callers counting over different category lists would differ in the last bits."""
    counts = np.asarray(counts)
    if counts.ndim == 2 and counts.shape[1] > 0:
        used = counts.sum(axis=0) > 0
        if not used.all():
            counts = counts[:, used]
            values = None if values is None else np.asarray(values)[used]
    o = coincidences(counts)
    n_c = o.sum(axis=1)
    n = float(n_c.sum())
    delta = difference(level, n_c, values)
    expected = float((np.outer(n_c, n_c) * delta).sum())
    if expected <= 0.0:
        return None
    observed = float((o * delta).sum())
    return 1.0 - (n - 1.0) * observed / expected


def ratings_matrix(ratings: Iterable[tuple[Hashable, Hashable, object]]
                   ) -> tuple[list[list[object]], list[Hashable], list[Hashable]]:
    """Return (matrix, raters, units) from (rater, unit, value) triples, None where a rater did not rate a unit.

    Raters and units keep their order of first appearance. Raise ValueError if a rater rates a unit twice.
    """
    cells: dict[tuple[Hashable, Hashable], object] = {}
    raters: dict[Hashable, None] = {}
    units: dict[Hashable, None] = {}
    for rater, unit, value in ratings:
        if (rater, unit) in cells:
            raise ValueError(f"rater {rater!r} rated unit {unit!r} twice")
        cells[rater, unit] = value
        raters.setdefault(rater)
        units.setdefault(unit)
    matrix = [[cells.get((r, u)) for u in units] for r in raters]
    return matrix, list(raters), list(units)


def panel_alpha(marks: Mapping[R, Mapping[U, object]], level: Level = "ordinal", *,
                scale: GradeScale | None = None) -> float | None:
    """Return alpha of a panel given as {rater: {unit: rating}} (see :func:`krippendorff_alpha`)."""
    matrix, _, _ = ratings_matrix((r, u, v) for r, by_unit in marks.items() for u, v in by_unit.items())
    return krippendorff_alpha(matrix, level, scale=scale)
