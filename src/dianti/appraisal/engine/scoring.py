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
6. Each :class:`~.scheme.ActionRule` is evaluated at both ends of its rate's interval: triggered when both ends meet
   the condition, not triggered when neither does, otherwise "uncertain" — the panel is too small or too evenly
   split for the data to decide, and a person must. (Equivalently: uncertain unless a two-sided score test at the
   scheme's confidence level rejects rate = threshold.) The panel is treated as a sample of the people it stands
   for; the interval is the honest width of what a panel of that size can tell.

:meth:`SubjectResult.explain` traces every published number back to the ballots.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any, Literal

from .scheme import ActionRule, Aggregation, Op, Scheme, compare

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


# ---------------------------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class Rate:
    """A proportion of valid ballots with its Wilson interval; ``value`` etc. are None when there are none."""

    grades: tuple[str, ...]
    count: int
    total: int
    value: float | None
    low: float | None
    high: float | None
    confidence: float

    @classmethod
    def of(cls, grades: tuple[str, ...], count: int, total: int, confidence: float) -> Rate:
        """Return the rate ``count / total`` with its Wilson interval."""
        if total == 0:
            return cls(grades, 0, 0, None, None, None, confidence)
        low, high = wilson_interval(count, total, confidence)
        return cls(grades, count, total, count / total, low, high, confidence)

    def text(self) -> str:
        """Return e.g. “72.7%（8/11，95% 区间 43.4%–90.3%）”."""
        if self.value is None or self.low is None or self.high is None:
            return "—（无有效票）"
        return (f"{self.value:.1%}（{self.count}/{self.total}，{self.confidence:.0%} 区间 "
                f"{self.low:.1%}–{self.high:.1%}）")


# A rule's comparison in words, for text a secretary reads (proposal reasons here, notice drafts in rectification).
OP_WORDS: dict[str, str] = {">": "超过", ">=": "达到", "<": "低于", "<=": "不高于"}


@dataclass(frozen=True)
class RuleOutcome:
    """A rule's outcome: the rate it measured, the status, and which way the point estimate leans."""

    rule: ActionRule
    rate: Rate
    status: Status

    def plain(self) -> str:
        """Return the outcome in words a secretary reads, e.g. “评“一般”和“差”的占 100%（4 票中 4 票），达到
        33% 的整改通知单线”, and say so when the panel is too small to be sure. (The formula stays in the trace.)"""
        r, rule = self.rate, self.rule
        if r.value is None:
            return f"没有有效票，无法判断是否{rule.action}"
        grades = "和".join(f"“{g}”" for g in r.grades)
        words = OP_WORDS[rule.op]
        text = (f"评{grades}的占 {r.value:.0%}（{r.total} 票中 {r.count} 票），"
                f"{words} {rule.threshold:.0%} 的{rule.action}线")
        if self.status == "uncertain":
            text += "；票数较少，结论不确定，请研究决定"
        return text

    @property
    def leaning(self) -> bool | None:
        """Return whether the point estimate alone meets the condition (None without valid ballots)."""
        if self.rate.value is None:
            return None
        return compare(self.rate.value, self.rule.op, self.rule.threshold)


@dataclass(frozen=True)
class Proposal:
    """An action proposed by a rule for a person to confirm or dismiss; never carried out by the engine."""

    subject: Any
    action: str
    rule: str
    reason: str
    uncertain: bool


@dataclass(frozen=True)
class ItemScore:
    """One item's score in one group (or overall when ``group`` is None)."""

    item: str
    label: str
    group: str | None
    score: float | None
    aggregate: Aggregate | None = None


@dataclass(frozen=True)
class GroupResult:
    """One evaluator group's contribution: its valid ballots, trimmed mean, nominal and used weight."""

    code: str
    label: str
    weight: float
    used_weight: float
    n_valid: int
    aggregate: Aggregate | None
    items: tuple[ItemScore, ...]

    @property
    def score(self) -> float | None:
        """Return the group's (trimmed) mean, or None when it has no valid ballot."""
        return None if self.aggregate is None else self.aggregate.mean


@dataclass(frozen=True)
class Flag:
    """Something a person should look at: a machine code and a sentence in Chinese."""

    code: str
    message: str


def _marks(marks: Sequence[tuple[BallotId, float]]) -> str:
    return "、".join(f"#{b} {v:g}" for b, v in marks)


def _trace(a: Aggregate, aggregation: Aggregation, list_kept: bool = True) -> str:
    """Return e.g. “去掉最高 #3 100、最低 #9 55，其余 5 张（…）平均 = 86.00”."""
    kept = f"（{_marks(a.kept)}）" if list_kept else ""
    if a.dropped_low:
        return (f"去掉最高 {_marks(a.dropped_high)}、最低 {_marks(a.dropped_low)}，"
                f"其余 {len(a.kept)} 张{kept}平均 = {a.mean:.2f}")
    if aggregation.method == "trimmed":
        return f"不超过 {aggregation.trim_when_more_than} 张，不去最高最低分；{kept}平均 = {a.mean:.2f}"
    return f"{kept}平均 = {a.mean:.2f}"


@dataclass(frozen=True)
class SubjectResult:
    """Everything published about one subject's appraisal, with the trail back to its ballots."""

    subject: Any
    scheme_version: int
    scheme_name: str
    n_ballots: int
    invalid: tuple[tuple[BallotId, str], ...]
    groups: tuple[GroupResult, ...]
    score: float | None
    items: tuple[ItemScore, ...]
    distribution: tuple[tuple[str, int], ...]
    satisfaction: Rate
    dissatisfaction: Rate
    outcomes: tuple[RuleOutcome, ...]
    flags: tuple[Flag, ...]
    aggregation: Aggregation

    @property
    def n_valid(self) -> int:
        """Return the number of valid ballots."""
        return self.n_ballots - len(self.invalid)

    @property
    def uncertain(self) -> bool:
        """Return whether any rule's outcome is uncertain."""
        return any(o.status == "uncertain" for o in self.outcomes)

    def uncertain_on(self, rate: Rate) -> tuple[RuleOutcome, ...]:
        """Return the uncertain outcomes of the rules that measure ``rate`` (the same set of grades), so a page
        labels exactly the figure whose interval straddles a rule's threshold — not every figure of the subject."""
        grades = set(rate.grades)
        return tuple(o for o in self.outcomes if o.status == "uncertain" and set(o.rate.grades) == grades)

    def proposals(self) -> tuple[Proposal, ...]:
        """Return a proposal for every triggered rule, and for every uncertain rule whose point estimate meets the
        condition (marked uncertain). An uncertain rule the observed rate does not meet — 4 of 4 voters satisfied,
        whose wide interval still reaches below the line — proposes nothing: the result page marks that rate
        不确定, but nobody is proposed for rectification on a rate that says they did well."""
        out = []
        for o in self.outcomes:
            if o.status == "triggered" or (o.status == "uncertain" and o.leaning):
                out.append(Proposal(self.subject, o.rule.action, o.rule.code,
                                    o.plain(), o.status == "uncertain"))
        return tuple(out)

    def explain(self) -> str:
        """Return, in Chinese, how every published number follows from the ballots under the scheme."""
        lines = [f"评分方案：{self.scheme_name}（第 {self.scheme_version} 版）",
                 f"选票 {self.n_ballots} 张：有效 {self.n_valid} 张，无效 {len(self.invalid)} 张。"]
        for bid, reason in self.invalid:
            lines.append(f"  无效票 #{bid}：{INVALID_REASONS.get(reason, reason)}")
        terms = []
        for g in self.groups:
            head = f"{g.label}（权重 {g.weight:.0%}"
            if g.aggregate is None:
                lines.append(f"{head}）：无有效票，该类权重按比例分给其他类别。")
                continue
            if abs(g.used_weight - g.weight) > 1e-12:
                head += f"，折算后 {g.used_weight:.2%}"
            lines.append(f"{head}）：有效 {g.n_valid} 张，{_trace(g.aggregate, self.aggregation)}")
            terms.append(f"{g.used_weight:.4g}×{g.aggregate.mean:.2f}")
            for it in g.items:
                if it.aggregate is not None:
                    lines.append(f"    {it.label}：{_trace(it.aggregate, self.aggregation, list_kept=False)}")
        if self.score is None:
            lines.append("综合得分：无（没有任何有效票）。")
        else:
            lines.append(f"综合得分 = {' + '.join(terms)} = {self.score:.2f}")
        for it in self.items:
            if it.score is not None:
                lines.append(f"{it.label} 得分（各类别按同样权重合成）= {it.score:.2f}")
        lines.append("等次分布（有效票）：" + "，".join(f"{label} {n}" for label, n in self.distribution))
        sat, dis = self.satisfaction, self.dissatisfaction
        lines.append(f"满意率 = ({' + '.join(sat.grades)}) / 有效票 = {sat.text()}")
        lines.append(f"不满意率 = ({' + '.join(dis.grades)}) / 有效票 = {dis.text()}")
        for o in self.outcomes:
            lines.append(f"规则「{o.rule.describe()}」：{o.rule.metric} {o.rate.text()} → {STATUS_TEXT[o.status]}")
        for f in self.flags:
            lines.append(f"提示：{f.message}")
        return "\n".join(lines)

    def to_dict(self, kept: bool = True) -> dict[str, Any]:
        """Return the result as plain JSON-ready data (ballot ids kept as given); without the ballots each group
        kept (``kept=False``: their number only) when the trace is rebuilt from the ballots anyway."""
        def agg(a: Aggregate | None) -> dict[str, Any] | None:
            if a is None:
                return None
            out = {"mean": a.mean, "dropped_low": [list(x) for x in a.dropped_low],
                   "dropped_high": [list(x) for x in a.dropped_high]}
            return {**out, "kept": [list(x) for x in a.kept]} if kept else {**out, "n_kept": len(a.kept)}

        def rate(r: Rate) -> dict[str, Any]:
            return {"grades": list(r.grades), "count": r.count, "total": r.total, "value": r.value,
                    "low": r.low, "high": r.high, "confidence": r.confidence}

        def shown(r: Rate) -> dict[str, Any]:
            return {**rate(r), "uncertain": [o.rule.action for o in self.uncertain_on(r)]}

        return {
            "subject": self.subject, "scheme_version": self.scheme_version, "n_ballots": self.n_ballots,
            "n_valid": self.n_valid, "invalid": [list(x) for x in self.invalid], "score": self.score,
            "groups": [{"code": g.code, "weight": g.weight, "used_weight": g.used_weight, "n_valid": g.n_valid,
                        "score": g.score, "aggregate": agg(g.aggregate),
                        "items": {i.item: i.score for i in g.items}} for g in self.groups],
            "items": {i.item: i.score for i in self.items},
            "distribution": dict(self.distribution),
            "satisfaction": shown(self.satisfaction), "dissatisfaction": shown(self.dissatisfaction),
            "rules": [{"code": o.rule.code, "action": o.rule.action, "status": o.status, "rate": rate(o.rate)}
                      for o in self.outcomes],
            "flags": [{"code": f.code, "message": f.message} for f in self.flags],
        }


# ---------------------------------------------------------------------------------------------------------------
# Scoring


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

    outcomes = []
    for rule in scheme.action_rules:
        r = rate(rule.grades)
        outcomes.append(RuleOutcome(rule, r, rule_status(r.value, r.low, r.high, rule.op, rule.threshold)))
        if outcomes[-1].status == "uncertain":
            flags.append(Flag("uncertain", f"规则「{rule.describe()}」不确定：{rule.metric} {r.text()}，"
                                           f"区间跨过阈值 {rule.threshold:.1%}，须人工判断。"))
    if invalid:
        flags.append(Flag("invalid_ballots", f"有 {len(invalid)} 张无效票未计入。"))
    if n_valid == 0:
        flags.append(Flag("no_valid_ballots", "没有任何有效票，无法评分。"))

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
