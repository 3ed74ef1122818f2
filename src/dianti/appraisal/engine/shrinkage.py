"""Shrinkage for small panels: a Bayesian (IMDb-style) weighted score for fairer rankings.

A secretary rated 98 by four evaluators should not outrank one rated 95 by forty: four marks say much less. The
weighted rating pulls each subject's mean towards the mean of all subjects, the more so the fewer its ballots:

    WR = v / (v + m) · R + m / (v + m) · C

R is the subject's mean, v its number of valid ballots, C the prior mean (the ballot-weighted mean of all subjects
compared), m the prior's weight in ballots. This is the formula IMDb published for its Top 250, and it is exactly
the posterior mean of the normal–normal model θ_i ~ N(C, τ²), mark ~ N(θ_i, σ²) with m = σ² / τ² (e.g. Gelman et
al., *Bayesian Data Analysis*, 3rd ed., §5.4). :func:`estimate_m` estimates m that way, by the method of moments:
σ² is the pooled within-subject variance and τ² = Var(R_i) − mean(σ² / v_i), the spread of subject means beyond
what sampling noise alone explains.

Use the shrunk score for *rankings* among peers; publish the subject's own score as well, and say which is which.
With weighted groups and trimming a subject's score is not a plain mean of v ballots; taking v = valid ballots is
the usual approximation.
"""

from __future__ import annotations

import math
from collections.abc import Sequence


def weighted_rating(r: float, v: float, c: float, m: float) -> float:
    """Return WR = v/(v+m)·R + m/(v+m)·C; return C when m is infinite and R when m = 0. Raise on v, m < 0."""
    if v < 0 or m < 0:
        raise ValueError("v and m must be non-negative")
    if math.isinf(m):
        return c
    if v + m == 0:
        return c
    return v / (v + m) * r + m / (v + m) * c


def pooled_variance(samples: Sequence[Sequence[float]]) -> float | None:
    """Return the pooled within-sample variance Σ(n_i−1)s_i² / Σ(n_i−1), or None with no sample of two or more."""
    num, den = 0.0, 0
    for xs in samples:
        if len(xs) < 2:
            continue
        mean = math.fsum(xs) / len(xs)
        num += math.fsum((x - mean) ** 2 for x in xs)
        den += len(xs) - 1
    return num / den if den else None


def prior_mean(means: Sequence[float], counts: Sequence[float]) -> float:
    """Return C = Σ v_i·R_i / Σ v_i, the ballot-weighted mean of the subjects' means."""
    total = math.fsum(counts)
    if total <= 0:
        raise ValueError("prior_mean needs at least one ballot")
    return math.fsum(v * r for r, v in zip(means, counts, strict=True)) / total


def estimate_m(means: Sequence[float], counts: Sequence[float], within_variance: float) -> float:
    """Return m = σ²/τ² by the method of moments (module docstring); return inf when τ² ≤ 0.

    τ² = Var(R_i) − mean(σ²/v_i) with the sample variance of the means. An infinite m means the subjects' means
    differ no more than noise would make them differ, so every weighted rating equals C. Needs two or more subjects.
    """
    if len(means) < 2:
        raise ValueError("estimate_m needs at least two subjects")
    if any(v <= 0 for v in counts):
        raise ValueError("every subject needs at least one ballot")
    k = len(means)
    grand = math.fsum(means) / k
    var_means = math.fsum((r - grand) ** 2 for r in means) / (k - 1)
    noise = math.fsum(within_variance / v for v in counts) / k
    tau2 = var_means - noise
    if tau2 <= 0:
        return math.inf
    return within_variance / tau2


def shrink_scores(means: Sequence[float], counts: Sequence[float], *, m: float | None = None,
                  c: float | None = None, within_variance: float | None = None) -> list[float]:
    """Return each subject's weighted rating.

    Use the given ``m`` (e.g. the minimum panel size a county deems enough, IMDb's choice) or, without it,
    :func:`estimate_m` from ``within_variance``; ``c`` defaults to :func:`prior_mean`.
    """
    if m is None:
        if within_variance is None:
            raise ValueError("pass m, or within_variance to estimate it")
        m = estimate_m(means, counts, within_variance)
    c = prior_mean(means, counts) if c is None else c
    return [weighted_rating(r, v, c, m) for r, v in zip(means, counts, strict=True)]
