"""Made-up but realistic ballots for benchmarks and tests: flat arrays for :mod:`.batch`, :class:`.marks.Ballot`
lists for :mod:`.scoring`, from the same rows, so that both paths can be compared."""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

import numpy as np
import numpy.typing as npt

from .marks import Ballot
from .scheme import Scheme

Arrays = dict[str, npt.NDArray[Any]]


def synthetic_province(scheme: Scheme, n_subjects: int, n_ballots: int, seed: int = 0, items: bool = True) -> Arrays:
    """Return flat ballot arrays (subject, group, grade, points with NaN for grade-only, items) for a made-up province.

    Each subject has a latent quality; a ballot's grade is that quality plus noise, cut into the scale's grades,
    so subjects differ and panels disagree as real ones do. Deterministic for a given seed.
    """
    rng = np.random.default_rng(seed)
    n_groups, scale = len(scheme.groups), scheme.scale
    subject = rng.integers(0, n_subjects, n_ballots)
    group_share = np.linspace(2.0, 1.0, n_groups)
    group = rng.choice(n_groups, size=n_ballots, p=group_share / group_share.sum())
    latent = rng.normal(0.3, 0.8, n_subjects)[subject] + rng.normal(0.0, 1.0, n_ballots)
    n_grades = len(scale.grades)
    cuts = np.linspace(-1.5, 0.5, n_grades - 1)
    grade = (n_grades - 1) - np.digitize(latent, cuts)
    width = max(len(g.points) for g in scale.grades)
    table = np.array([list(g.points) + [g.points[-1]] * (width - len(g.points)) for g in scale.grades])
    lengths = np.array([len(g.points) for g in scale.grades])
    stated = table[grade, (rng.random(n_ballots) * lengths[grade]).astype(np.int64)]
    defaults = np.array([g.default_points for g in scale.grades])
    says_mark = rng.random(n_ballots) < 0.5
    out: Arrays = {"subject": subject, "group": group, "grade": grade,
                   "points": np.where(says_mark, stated, np.nan)}
    if items and scheme.items:
        base = np.where(says_mark, stated, defaults[grade])
        marks = np.clip(base[:, None] + rng.integers(-10, 6, (n_ballots, len(scheme.items))), 0, 100).astype(float)
        straight = rng.random(n_ballots) < 0.01
        marks[straight] = base[straight, None]
        out["items"] = marks
    return out


def ballots_of(data: Arrays, scheme: Scheme, subjects: npt.NDArray[np.int64]) -> dict[int, list[Ballot]]:
    """Return the ballots of ``subjects`` as :class:`Ballot` objects, as the Django layer would load them."""
    rows = np.flatnonzero(np.isin(data["subject"], subjects))
    codes, labels = [g.code for g in scheme.groups], scheme.scale.labels
    item_codes = [i.code for i in scheme.items]
    out: dict[int, list[Ballot]] = defaultdict(list)
    subject, group, grade, points = (data[k][rows].tolist() for k in ("subject", "group", "grade", "points"))
    item_rows = data["items"][rows].tolist() if "items" in data else [None] * len(rows)
    for r, s, g, k, p, it in zip(rows.tolist(), subject, group, grade, points, item_rows, strict=True):
        out[s].append(Ballot(r, codes[g], labels[k], None if math.isnan(p) else p,
                             None if it is None else dict(zip(item_codes, it, strict=True))))
    return out
