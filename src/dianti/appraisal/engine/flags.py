"""Rater flags: patterns in a rater's ballots that an administrator should look at. Flags never drop a ballot.

* Straight-lining: ballots giving every item the same mark (the scheme may also declare such ballots invalid;
  the flag names the rater so that a habit, not one ballot, becomes visible).
* Identical ballots across many subjects: a rater whose ballots on at least ``min_subjects`` subjects are the same
  (same grade, mark and item marks) on at least ``identical_share`` of them — typical of a form filled in without
  listening.
* Severity / leniency: how far a rater's marks sit from the rest of the panel on the same subjects. For each of the
  rater's ballots take the residual r = mark − mean of the *other* raters' marks on that subject (so that raters who
  happened to rate stronger subjects are not called lenient), and the rater's mean residual. The rater's deviation is
  scored with the modified z-score of Iglewicz & Hoaglin (1993), z = 0.6745 (x − median) / MAD across raters,
  flagged when |z| > ``z_threshold`` (3.5 by their recommendation). A plain z-score is not used because an extreme
  rater inflates the standard deviation it is measured by: with n raters a plain |z| can never exceed (n − 1)/√n,
  1.79 for five raters, so a "z > 2" rule would never fire on a small panel. When the MAD is 0 (most raters agree
  exactly) the mean absolute deviation is used instead, scaled by 1.2533 to be consistent with σ for normal data.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from statistics import median

from .marks import Ballot, ballot_mark
from .scheme import Scheme

MAD_TO_SIGMA = 0.6745
MEANAD_TO_SIGMA = 1.2533


@dataclass(frozen=True)
class FlagConfig:
    """Thresholds of the rater flags (defaults explained in the module docstring)."""

    min_subjects: int = 5
    identical_share: float = 0.9
    z_threshold: float = 3.5
    min_raters: int = 5
    min_ballots_per_rater: int = 3


@dataclass(frozen=True)
class RaterFlag:
    """A flag on one rater: ``kind`` is straight_lining, identical_ballots, severe or lenient."""

    rater: str
    kind: str
    subjects: tuple[Hashable, ...]
    value: float
    message: str


def _markable(ballot: Ballot, scheme: Scheme) -> bool:
    """Return whether the ballot has a mark at all (grade on the scale, finite points), whatever else is wrong."""
    if ballot.rater is None or ballot.grade not in scheme.scale.labels:
        return False
    return ballot.points is None or math.isfinite(ballot.points)


def _straight(ballot: Ballot, scheme: Scheme) -> bool:
    marks = [(ballot.items or {}).get(i.code) for i in scheme.items]
    present = [m for m in marks if m is not None and math.isfinite(m)]
    return len(present) >= 2 and len(set(present)) == 1


def straight_lining(ballots: Mapping[Hashable, Sequence[Ballot]], scheme: Scheme) -> list[RaterFlag]:
    """Return a flag for each rater with ballots that give every item the same mark, with the subjects concerned."""
    hits: dict[str, list[Hashable]] = defaultdict(list)
    totals: Counter[str] = Counter()
    for subject, subject_ballots in ballots.items():
        for b in subject_ballots:
            if b.rater is None:
                continue
            totals[b.rater] += 1
            if _straight(b, scheme):
                hits[b.rater].append(subject)
    return [RaterFlag(r, "straight_lining", tuple(subjects), len(subjects) / totals[r],
                      f"评议人 {r} 有 {len(subjects)}/{totals[r]} 张票各项评分完全相同。")
            for r, subjects in hits.items()]


def identical_ballots(ballots: Mapping[Hashable, Sequence[Ballot]], scheme: Scheme,
                      config: FlagConfig | None = None) -> list[RaterFlag]:
    """Return a flag for each rater whose most common ballot covers ≥ ``identical_share`` of ≥ ``min_subjects``."""
    config = config or FlagConfig()
    patterns: dict[str, list[tuple[Hashable, tuple[object, ...]]]] = defaultdict(list)
    for subject, subject_ballots in ballots.items():
        for b in subject_ballots:
            if b.rater is None or not _markable(b, scheme):
                continue
            items = tuple((b.items or {}).get(i.code) for i in scheme.items)
            patterns[b.rater].append((subject, (b.grade, ballot_mark(b, scheme), items)))
    flags = []
    for rater, rows in patterns.items():
        if len(rows) < config.min_subjects:
            continue
        pattern, count = Counter(p for _, p in rows).most_common(1)[0]
        share = count / len(rows)
        if share >= config.identical_share:
            subjects = tuple(s for s, p in rows if p == pattern)
            flags.append(RaterFlag(rater, "identical_ballots", subjects, share,
                                   f"评议人 {rater} 对 {len(rows)} 个对象中的 {count} 个投了完全相同的票"
                                   f"（{pattern[0]}，{pattern[1]:g} 分）。"))
    return flags


def rater_deviations(ballots: Mapping[Hashable, Sequence[Ballot]], scheme: Scheme) -> dict[str, tuple[float, int]]:
    """Return {rater: (mean residual against the other raters on the same subjects, number of residuals)}.

    Skip subjects with a single rater (no one to compare with) and ballots without a rater or a usable mark.
    """
    sums: dict[str, float] = defaultdict(float)
    counts: Counter[str] = Counter()
    for subject_ballots in ballots.values():
        marks = [(b.rater, ballot_mark(b, scheme)) for b in subject_ballots if _markable(b, scheme)]
        if len(marks) < 2:
            continue
        total = math.fsum(m for _, m in marks)
        for rater, mark in marks:
            assert rater is not None
            sums[rater] += mark - (total - mark) / (len(marks) - 1)
            counts[rater] += 1
    return {r: (sums[r] / counts[r], counts[r]) for r in counts}


def modified_z(values: Sequence[float]) -> list[float]:
    """Return Iglewicz–Hoaglin modified z-scores 0.6745·(x − median)/MAD (MeanAD·1.2533 when MAD = 0); 0s if flat."""
    if not values:
        return []
    med = median(values)
    mad = median(abs(v - med) for v in values)
    if mad > 0:
        return [MAD_TO_SIGMA * (v - med) / mad for v in values]
    mean_ad = math.fsum(abs(v - med) for v in values) / len(values)
    if mean_ad == 0:
        return [0.0] * len(values)
    return [(v - med) / (MEANAD_TO_SIGMA * mean_ad) for v in values]


def severity(ballots: Mapping[Hashable, Sequence[Ballot]], scheme: Scheme,
             config: FlagConfig | None = None) -> list[RaterFlag]:
    """Return severe (z < −threshold) and lenient (z > threshold) flags; none below ``min_raters`` raters."""
    config = config or FlagConfig()
    dev = {r: v for r, v in rater_deviations(ballots, scheme).items() if v[1] >= config.min_ballots_per_rater}
    if len(dev) < config.min_raters:
        return []
    raters = list(dev)
    zs = modified_z([dev[r][0] for r in raters])
    flags = []
    for rater, z in zip(raters, zs, strict=True):
        if abs(z) > config.z_threshold:
            kind, word = ("lenient", "偏宽") if z > 0 else ("severe", "偏严")
            mean_res, n = dev[rater]
            flags.append(RaterFlag(rater, kind, (), z,
                                   f"评议人 {rater} 打分{word}：在 {n} 张票上平均比其他评议人"
                                   f"{'高' if mean_res > 0 else '低'} {abs(mean_res):.1f} 分（修正 z = {z:.1f}）。"))
    return flags


def rater_flags(ballots: Mapping[Hashable, Sequence[Ballot]], scheme: Scheme,
                config: FlagConfig | None = None) -> list[RaterFlag]:
    """Return every rater flag for a panel's ballots given as {subject: [ballots with ``rater`` set]}."""
    return [*straight_lining(ballots, scheme), *identical_ballots(ballots, scheme, config),
            *severity(ballots, scheme, config)]
