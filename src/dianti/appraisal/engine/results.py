"""What is published about one subject's appraisal (:class:`SubjectResult`) and its parts: rates with their intervals,
rule outcomes, proposals, item and group scores, flags — each able to say in words how it came from the ballots
(:meth:`SubjectResult.explain`). Built by :func:`.scoring.assemble`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .marks import INVALID_REASONS, STATUS_TEXT, Aggregate, BallotId, Status, wilson_interval
from .policy import ActionRule
from .scale import compare
from .scheme import Aggregation


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
        return proposals_of(self.subject, self.outcomes)

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

        def shown(r: Rate) -> dict[str, Any]:
            return {**rate_dict(r), "uncertain": [o.rule.action for o in self.uncertain_on(r)]}

        return {
            "subject": self.subject, "scheme_version": self.scheme_version, "n_ballots": self.n_ballots,
            "n_valid": self.n_valid, "invalid": [list(x) for x in self.invalid], "score": self.score,
            "groups": [{"code": g.code, "weight": g.weight, "used_weight": g.used_weight, "n_valid": g.n_valid,
                        "score": g.score, "aggregate": agg(g.aggregate),
                        "items": {i.item: i.score for i in g.items}} for g in self.groups],
            "items": {i.item: i.score for i in self.items},
            "distribution": dict(self.distribution),
            "satisfaction": shown(self.satisfaction), "dissatisfaction": shown(self.dissatisfaction),
            "rules": [outcome_dict(o) for o in self.outcomes],
            "flags": [flag_dict(f) for f in self.flags],
        }


# The parts of :meth:`SubjectResult.to_dict` that depend only on a rate, an outcome or a flag: a caller storing many
# subjects (:mod:`dianti.appraisal.stored_rows`) encodes each distinct one once.


def rate_dict(r: Rate) -> dict[str, Any]:
    """Return the rate as :meth:`SubjectResult.to_dict` stores it."""
    return {"grades": list(r.grades), "count": r.count, "total": r.total, "value": r.value,
            "low": r.low, "high": r.high, "confidence": r.confidence}


def outcome_dict(o: RuleOutcome) -> dict[str, Any]:
    """Return a rule's outcome as :meth:`SubjectResult.to_dict` stores it."""
    return {"code": o.rule.code, "action": o.rule.action, "status": o.status, "rate": rate_dict(o.rate)}


def flag_dict(f: Flag) -> dict[str, Any]:
    """Return a flag as :meth:`SubjectResult.to_dict` stores it."""
    return {"code": f.code, "message": f.message}


def proposals_of(subject: Any, outcomes: Sequence[RuleOutcome]) -> tuple[Proposal, ...]:
    """Return the proposals :meth:`SubjectResult.proposals` makes from ``outcomes`` (its rule in its docstring)."""
    return tuple(Proposal(subject, o.rule.action, o.rule.code, o.plain(), o.status == "uncertain")
                 for o in outcomes if o.status == "triggered" or (o.status == "uncertain" and o.leaning))
