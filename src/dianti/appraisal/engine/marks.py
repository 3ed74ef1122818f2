"""What a ballot counts for: its mark, whether it is valid, and the small statistics a subject's figures are made of
(trimmed means, Wilson intervals, a rule's status from an interval). Used by :mod:`.scoring` (one subject),
:mod:`.results` (the published figures) and the vectorised paths that must agree with them to the bit.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import Literal

from .scale import Op, compare
from .scheme import Aggregation, Scheme

BallotId = int | str
Status = Literal["triggered", "not_triggered", "uncertain", "no_data"]

INVALID_REASONS: dict[str, str] = {
    "unknown_group": "评议人类别不在方案中",
    "unknown_grade": "等次不在等次表中",
    "bad_points": "分值不是有限数",
    "points_outside_grade": "分值不是该等次可选的分值",
    "incomplete_items": "有评分项目未打分",
    "same_mark": "各项评分相同",
}
STATUS_TEXT: dict[str, str] = {
    "triggered": "触发", "not_triggered": "未触发", "uncertain": "不确定（区间跨过阈值，须人工判断）",
    "no_data": "无有效票，无法判断",
}


@dataclass(frozen=True)
class Ballot:
    """One evaluator's ballot on one subject: the group, the grade, optionally the exact mark and item marks."""

    id: BallotId
    group: str
    grade: str
    points: float | None = None
    items: Mapping[str, float] | None = None
    rater: str | None = None


# ---------------------------------------------------------------------------------------------------------------
# Small statistics


@functools.lru_cache(maxsize=64)
def z_for(confidence: float) -> float:
    """Return the two-sided standard-normal quantile for ``confidence`` (1.959964 for 0.95)."""
    return NormalDist().inv_cdf(1 - (1 - confidence) / 2)


@functools.lru_cache(maxsize=1 << 16)  # pure; a province's panels repeat the same few (k, n) pairs
def wilson_interval(k: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Return the Wilson score interval for k successes in n trials (Wilson 1927; Newcombe 1998, method 3).

    centre = (p̂ + z²/2n) / (1 + z²/n),  half-width = z/(1 + z²/n) · √(p̂(1−p̂)/n + z²/4n²). Raise ValueError if
    n < 1 or k is outside 0..n.
    """
    if n < 1 or not 0 <= k <= n:
        raise ValueError(f"wilson_interval needs 0 <= k <= n and n >= 1, got k={k}, n={n}")
    z = z_for(confidence)
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z / denom * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class Aggregate:
    """The mean of a group's marks after trimming, and which ballots were kept and dropped (``kept`` may be any
    sequence of (ballot, mark): a caller aggregating a whole meeting at once passes a view of its sorted arrays)."""

    mean: float
    kept: Sequence[tuple[BallotId, float]]
    dropped_low: tuple[tuple[BallotId, float], ...]
    dropped_high: tuple[tuple[BallotId, float], ...]


def aggregate(marks: Sequence[tuple[BallotId, float]], aggregation: Aggregation) -> Aggregate | None:
    """Return the (trimmed) mean of ``marks``, or None when there are none.

    Sort the marks stably; when ``aggregation.trims(n)`` is k > 0, drop the first k (lowest; among equal marks the
    earliest ballot) and the last k (highest; among equal marks the latest ballot), then average the rest.
    """
    if not marks:
        return None
    ordered = sorted(marks, key=lambda m: m[1])
    k = aggregation.trims(len(ordered))
    kept = ordered[k:len(ordered) - k]
    return Aggregate(mean=math.fsum(v for _, v in kept) / len(kept), kept=tuple(kept),
                     dropped_low=tuple(ordered[:k]), dropped_high=tuple(ordered[len(ordered) - k:]) if k else ())


def rule_status(rate: float | None, low: float | None, high: float | None, op: Op, threshold: float) -> Status:
    """Return the rule's status from the rate's interval: decided only when both ends agree (see module doc)."""
    if rate is None or low is None or high is None:
        return "no_data"
    at_low, at_high = compare(low, op, threshold), compare(high, op, threshold)
    if at_low and at_high:
        return "triggered"
    if not at_low and not at_high:
        return "not_triggered"
    return "uncertain"


# ---------------------------------------------------------------------------------------------------------------
# Validity


def ballot_mark(ballot: Ballot, scheme: Scheme) -> float:
    """Return the ballot's mark: its stated points, else its grade's default points (grade must be on the scale)."""
    if ballot.points is not None:
        return float(ballot.points)
    return scheme.scale.grade(ballot.grade).default_points


def invalid_reason(ballot: Ballot, scheme: Scheme) -> str | None:
    """Return why ``ballot`` is invalid under ``scheme`` (a key of INVALID_REASONS), or None if it is valid."""
    if ballot.group not in {g.code for g in scheme.groups}:
        return "unknown_group"
    if ballot.grade not in scheme.scale.labels:
        return "unknown_grade"
    if ballot.points is not None:
        if not math.isfinite(ballot.points):
            return "bad_points"
        if scheme.invalid.points_outside_grade and float(ballot.points) not in scheme.scale.grade(ballot.grade).points:
            return "points_outside_grade"
    if scheme.items:
        given = ballot.items or {}
        marks = [given.get(i.code) for i in scheme.items]
        present = [float(m) for m in marks if m is not None and math.isfinite(m)]
        if scheme.invalid.incomplete_items and len(present) < len(marks):
            return "incomplete_items"
        rules = scheme.invalid
        if rules.same_mark_on_all_items and len(present) >= rules.min_items_for_same_mark and len(set(present)) == 1:
            return "same_mark"
    return None
