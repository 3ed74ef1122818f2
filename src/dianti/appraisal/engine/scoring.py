"""Score one subject (one secretary's 述职) from its ballots under a :class:`~.scheme.Scheme`.

The method follows the local rules collected in DOMAIN.md ("How appraisals are scored in practice"):

1. Each ballot's mark is the points it states, or its grade's default points. Invalid ballots (scheme's
   :class:`~.scheme.InvalidRules`) are set aside, counted and listed with their reason; they enter no figure.
2. Per evaluator group: the mean of the valid marks, or the trimmed mean that drops the k highest and k lowest
   marks when the group has more than the configured number of ballots (one highest and one lowest above 5).
3. The subject's score is Σ w_g·m_g / Σ w_g over the groups that have valid ballots: each group's result is
   computed first, so a big group cannot swamp its share, and an empty group's weight is spread over the rest in
   proportion (renormalised) and flagged.
4. Item scores (德能勤绩廉) are aggregated the same way, item by item (each item trims its own extremes).
5. Satisfaction = (好 + 较好) / valid ballots and dissatisfaction = 差 / valid ballots, pooled over groups as the
   local rules define them, each with a Wilson (1927) score interval.
6. Each :class:`~.policy.ActionRule` is evaluated at both ends of its rate's interval: triggered when both ends meet
   the condition, not triggered when neither does, otherwise "uncertain" — the panel is too small or too evenly
   split for the data to decide, and a person must. (Equivalently: uncertain unless a two-sided score test at the
   scheme's confidence level rejects rate = threshold.) The panel is treated as a sample of the people it stands
   for; the interval is the honest width of what a panel of that size can tell.

:meth:`SubjectResult.explain` traces every published number back to the ballots.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .marks import Aggregate, Ballot, BallotId, aggregate, ballot_mark, invalid_reason, rule_status
from .policy import ActionRule
from .results import Flag, GroupResult, ItemScore, Rate, RuleOutcome, SubjectResult
from .scheme import Scheme


def _mean(a: Aggregate | None) -> float | None:
    return None if a is None else a.mean


def _combine(parts: Sequence[tuple[float, float | None]]) -> tuple[float | None, list[float]]:
    """Return Σ w·m / Σ w over the parts with a mean, and each part's used weight (0 where the mean is None)."""
    present = math.fsum(w for w, m in parts if m is not None)
    if present == 0:
        return None, [0.0] * len(parts)
    used = [w / present if m is not None else 0.0 for w, m in parts]
    return math.fsum(u * m for u, (_, m) in zip(used, parts, strict=True) if m is not None), used


def group_flags(scheme: Scheme, sizes: Sequence[int]) -> list[Flag]:
    """Return the flags on empty and small groups, ``sizes`` being each group's valid ballots in scheme order."""
    flags: list[Flag] = []
    agg = scheme.aggregation
    for g, n in zip(scheme.groups, sizes, strict=True):
        if not n:
            flags.append(Flag("empty_group", f"“{g.label}”没有有效票，其权重 {g.weight:.0%} 已按比例分给其他类别。"))
        elif n < agg.min_group_ballots:
            flags.append(Flag("small_group", f"“{g.label}”只有 {n} 张有效票，"
                                             f"却占 {g.weight:.0%} 的权重，结果受个别票影响大。"))
    return flags


def rule_outcome(rule: ActionRule, r: Rate) -> RuleOutcome:
    """Return the rule's outcome on rate ``r`` (decided only when both ends of its interval agree)."""
    return RuleOutcome(rule, r, rule_status(r.value, r.low, r.high, rule.op, rule.threshold))


def uncertain_flag(o: RuleOutcome) -> Flag:
    """Return the flag on an uncertain outcome: a person must decide."""
    rule, r = o.rule, o.rate
    return Flag("uncertain", f"规则「{rule.describe()}」不确定：{rule.metric} {r.text()}，"
                             f"区间跨过阈值 {rule.threshold:.1%}，须人工判断。")


def invalid_flag(n: int) -> Flag:
    """Return the flag on ``n`` invalid ballots left out."""
    return Flag("invalid_ballots", f"有 {n} 张无效票未计入。")


NO_VALID_BALLOTS = Flag("no_valid_ballots", "没有任何有效票，无法评分。")


PerGroup = tuple[str, str, float, int, Aggregate | None, Sequence[Aggregate | None]]
"""One group's cell: code, label, weight, valid ballots, the overall aggregate and one aggregate per item."""


def assemble(scheme: Scheme, subject: Any, n_ballots: int, invalid: Sequence[tuple[BallotId, str]],
             per_group: Sequence[PerGroup], counts: Mapping[str, int]) -> SubjectResult:
    """Return the subject's result from its groups' aggregates (in scheme order) and its valid ballots per grade
    (every label of the scale): the weighted score, item scores, rates, rule outcomes and flags.

    :func:`score_subject` aggregates one subject's ballots and calls this; :mod:`.batch`-style callers that aggregate
    many subjects at once call it too, so both give the same result to the bit.
    """
    flags = group_flags(scheme, [n for _, _, _, n, _, _ in per_group])
    score, used = _combine([(w, _mean(a)) for _, _, w, _, a, _ in per_group])
    item_scores: list[ItemScore] = []
    for j, item in enumerate(scheme.items):
        s, _ = _combine([(w, _mean(ia[j])) for _, _, w, _, _, ia in per_group])
        item_scores.append(ItemScore(item.code, item.label, None, s))
    groups = tuple(
        GroupResult(code, label, w, u, n, a,
                    tuple(ItemScore(it.code, it.label, code, _mean(ia), ia)
                          for it, ia in zip(scheme.items, item_aggs, strict=True)))
        for (code, label, w, n, a, item_aggs), u in zip(per_group, used, strict=True))
    n_valid = sum(counts.values())

    def rate(grades: tuple[str, ...]) -> Rate:
        return Rate.of(grades, sum(counts[x] for x in grades), n_valid, scheme.confidence)

    outcomes = [rule_outcome(rule, rate(rule.grades)) for rule in scheme.action_rules]
    flags += [uncertain_flag(o) for o in outcomes if o.status == "uncertain"]
    if invalid:
        flags.append(invalid_flag(len(invalid)))
    if n_valid == 0:
        flags.append(NO_VALID_BALLOTS)

    return SubjectResult(
        subject=subject, scheme_version=scheme.version, scheme_name=scheme.name, n_ballots=n_ballots,
        invalid=tuple(invalid), groups=groups, score=score, items=tuple(item_scores),
        distribution=tuple(counts.items()), satisfaction=rate(scheme.scale.satisfied),
        dissatisfaction=rate(scheme.scale.dissatisfied), outcomes=tuple(outcomes), flags=tuple(flags),
        aggregation=scheme.aggregation)


def score_subject(ballots: Iterable[Ballot], scheme: Scheme, subject: Any = None) -> SubjectResult:
    """Return the appraisal of one subject from its ballots under ``scheme`` (method: see the module docstring)."""
    ballots = list(ballots)
    invalid: list[tuple[BallotId, str]] = []
    valid: list[Ballot] = []
    for b in ballots:
        reason = invalid_reason(b, scheme)
        if reason is None:
            valid.append(b)
        else:
            invalid.append((b.id, reason))

    agg = scheme.aggregation
    per_group: list[PerGroup] = []
    for g in scheme.groups:
        members = [b for b in valid if b.group == g.code]
        overall = aggregate([(b.id, ballot_mark(b, scheme)) for b in members], agg)
        item_aggs = [aggregate([(b.id, float((b.items or {})[i.code])) for b in members
                                if b.items and b.items.get(i.code) is not None
                                and math.isfinite(b.items[i.code])], agg) for i in scheme.items]
        per_group.append((g.code, g.label, g.weight, len(members), overall, item_aggs))
    counts = {label: 0 for label in scheme.scale.labels}
    for b in valid:
        counts[b.grade] += 1
    return assemble(scheme, subject, len(ballots), invalid, per_group, counts)
