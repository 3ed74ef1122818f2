"""Scoring schemes: the locally configured rules of an appraisal, as frozen, versioned, JSON-serialisable values.

Local practice varies from county to county (DOMAIN.md, "How appraisals are scored in practice"), so every number
that decides a result lives here: the grade scale and its points, the evaluator groups and their weights, how a
group's ballots are averaged, which ballots are invalid, the thresholds of the rules that propose actions, and the
annual assessment's components, grade bands and star bands. A result records the scheme's ``version`` so that it
can be recomputed after the scheme changes.

Validation errors are raised as :class:`SchemeError` with a message in Chinese that names what is wrong and what
it should be, so that the Django layer can show it to a county administrator as it stands.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, cast

from .policy import (
    ActionRule,
    AssessmentConfig,
    Component,
    GradeBand,
    Missing,
    ScoreRule,
    StarBand,
    default_rules,
)
from .scale import Grade, GradeScale, Op, SchemeError, central_scale, check_weights

FORMAT = 1
"""Version of the dict layout written by :meth:`Scheme.to_dict`; bumped only when the layout changes."""

Method = Literal["mean", "trimmed"]


# ---------------------------------------------------------------------------------------------------------------
# Groups, aggregation, items, invalid ballots


@dataclass(frozen=True)
class EvaluatorGroup:
    """An evaluator group (群众代表, 镇干部 …) and its weight as a fraction of 1 (0.5 = 50%)."""

    code: str
    label: str
    weight: float


@dataclass(frozen=True)
class Aggregation:
    """How one group's ballots become the group's score.

    ``method="trimmed"`` drops the ``trim_each_side`` highest and as many lowest marks when the group has more than
    ``trim_when_more_than`` valid ballots (local rule: more than 5 → drop one highest and one lowest), else takes
    the plain mean; ``method="mean"`` always takes the plain mean. A group with fewer than ``min_group_ballots`` valid
    ballots is flagged as small, since its mean then carries its whole weight on little evidence.
    """

    method: Method = "trimmed"
    trim_when_more_than: int = 5
    trim_each_side: int = 1
    min_group_ballots: int = 3

    def __post_init__(self) -> None:
        if self.method not in ("mean", "trimmed"):
            raise SchemeError(f"汇总方法须为 mean（平均）或 trimmed（去掉最高最低分后平均），现为“{self.method}”。")
        if self.trim_each_side < 0:
            raise SchemeError("每端去掉的票数不能为负。")
        if self.trim_when_more_than < 2 * self.trim_each_side:
            raise SchemeError(f"去掉最高最低分的人数阈值须不小于 {2 * self.trim_each_side}（两端共去掉的票数），"
                              f"否则会把票全部去掉；现为 {self.trim_when_more_than}。")
        if self.min_group_ballots < 0:
            raise SchemeError("每类评议人的最少票数不能为负。")

    def trims(self, n: int) -> int:
        """Return how many marks to drop at each end of a group of ``n`` valid ballots."""
        if self.method == "trimmed" and n > self.trim_when_more_than:
            return self.trim_each_side
        return 0


@dataclass(frozen=True)
class Item:
    """A scored item of the ballot (德、能、勤、绩、廉), marked in points."""

    code: str
    label: str


@dataclass(frozen=True)
class InvalidRules:
    """Which ballots are invalid, excluded from every figure and counted with their reason.

    ``same_mark_on_all_items``: a ballot giving every item the same mark is invalid when the scheme has at least
    ``min_items_for_same_mark`` items. ``incomplete_items``: a ballot missing an item mark is invalid.
    ``points_outside_grade``: a ballot whose mark is not one the grade allows (好 marked 70) is invalid.
    """

    same_mark_on_all_items: bool = True
    min_items_for_same_mark: int = 2
    incomplete_items: bool = True
    points_outside_grade: bool = True

    def __post_init__(self) -> None:
        if self.min_items_for_same_mark < 2:
            raise SchemeError("判定“各项评分相同”所需的最少项目数须不小于 2。")


# ---------------------------------------------------------------------------------------------------------------
# The scheme


@dataclass(frozen=True)
class Scheme:
    """A versioned scoring scheme for one campaign. Build it, validate it on construction, store ``to_dict()``."""

    version: int
    name: str
    scale: GradeScale
    groups: tuple[EvaluatorGroup, ...]
    aggregation: Aggregation = field(default_factory=Aggregation)
    items: tuple[Item, ...] = ()
    invalid: InvalidRules = field(default_factory=InvalidRules)
    rules: tuple[ActionRule, ...] | None = None
    confidence: float = 0.95
    assessment: AssessmentConfig = field(default_factory=AssessmentConfig)

    def __post_init__(self) -> None:
        object.__setattr__(self, "groups", tuple(self.groups))
        object.__setattr__(self, "items", tuple(self.items))
        if self.rules is None:
            object.__setattr__(self, "rules", default_rules(self.scale))
        else:
            object.__setattr__(self, "rules", tuple(self.rules))
        if not isinstance(self.version, int) or self.version < 1:
            raise SchemeError(f"方案版本号须为正整数，现为 {self.version!r}。")
        check_weights("评议人类别", [(g.code, g.weight) for g in self.groups])
        codes = [i.code for i in self.items]
        if len(set(codes)) != len(codes) or any(not c for c in codes):
            raise SchemeError("评分项目的代码须非空且唯一。")
        if not 0.5 <= self.confidence < 1:
            raise SchemeError(f"置信水平须在 50% 到 100% 之间（如 0.95），现为 {self.confidence}。")
        labels = set(self.scale.labels)
        rule_codes: set[str] = set()
        for rule in self.action_rules:
            if rule.code in rule_codes:
                raise SchemeError(f"规则代码“{rule.code}”重复。")
            rule_codes.add(rule.code)
            for label in rule.grades:
                if label not in labels:
                    raise SchemeError(f"规则“{rule.code}”引用了等次表中没有的等次“{label}”；"
                                      f"可选等次：{'、'.join(self.scale.labels)}。")

    @property
    def action_rules(self) -> tuple[ActionRule, ...]:
        """Return the rules (never None after construction)."""
        return self.rules or ()

    def group(self, code: str) -> EvaluatorGroup:
        """Return the group called ``code``; raise KeyError if there is none."""
        for g in self.groups:
            if g.code == code:
                return g
        raise KeyError(code)

    def to_dict(self) -> dict[str, Any]:
        """Return the scheme as plain JSON-ready data, with ``format`` and ``version``."""
        a, inv, asm = self.aggregation, self.invalid, self.assessment
        return {
            "format": FORMAT,
            "version": self.version,
            "name": self.name,
            "scale": [{"label": g.label, "points": list(g.points), "default": g.default,
                       "satisfied": g.satisfied, "dissatisfied": g.dissatisfied} for g in self.scale.grades],
            "groups": [{"code": g.code, "label": g.label, "weight": g.weight} for g in self.groups],
            "aggregation": {"method": a.method, "trim_when_more_than": a.trim_when_more_than,
                            "trim_each_side": a.trim_each_side, "min_group_ballots": a.min_group_ballots},
            "items": [{"code": i.code, "label": i.label} for i in self.items],
            "invalid": {"same_mark_on_all_items": inv.same_mark_on_all_items,
                        "min_items_for_same_mark": inv.min_items_for_same_mark,
                        "incomplete_items": inv.incomplete_items,
                        "points_outside_grade": inv.points_outside_grade},
            "rules": [{"code": r.code, "metric": r.metric, "grades": list(r.grades), "op": r.op,
                       "threshold": r.threshold, "action": r.action} for r in self.action_rules],
            "confidence": self.confidence,
            "assessment": {
                "components": [{"code": c.code, "label": c.label, "weight": c.weight} for c in asm.components],
                "grade_bands": [{"label": b.label, "min_score": b.min_score} for b in asm.grade_bands],
                "star_bands": [{"stars": b.stars, "min_score": b.min_score,
                                "requires_innovation": b.requires_innovation} for b in asm.star_bands],
                "rules": [{"code": r.code, "op": r.op, "threshold": r.threshold, "action": r.action}
                          for r in asm.rules],
                "missing": asm.missing,
            },
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Scheme:
        """Build a scheme from :meth:`to_dict` output; raise SchemeError naming the first missing or bad field."""
        if data.get("format", FORMAT) != FORMAT:
            raise SchemeError(f"无法读取格式版本为 {data.get('format')!r} 的评分方案（本程序支持 {FORMAT}）。")
        try:
            scale = GradeScale(tuple(
                Grade(str(g["label"]), tuple(g["points"]), g.get("default"), bool(g.get("satisfied", False)),
                      bool(g.get("dissatisfied", False))) for g in data["scale"]))
            groups = tuple(EvaluatorGroup(str(g["code"]), str(g.get("label", g["code"])), float(g["weight"]))
                           for g in data["groups"])
            agg = Aggregation(**data.get("aggregation", {}))
            items = tuple(Item(str(i["code"]), str(i.get("label", i["code"]))) for i in data.get("items", ()))
            invalid = InvalidRules(**data.get("invalid", {}))
            rules: tuple[ActionRule, ...] | None = None
            if "rules" in data:
                rules = tuple(ActionRule(str(r["code"]), str(r.get("metric", r["code"])), tuple(r["grades"]),
                                         cast(Op, r["op"]), float(r["threshold"]), str(r["action"]))
                              for r in data["rules"])
            assessment = AssessmentConfig()
            if "assessment" in data:
                asm = data["assessment"]
                defaults = AssessmentConfig()
                assessment = AssessmentConfig(
                    components=tuple(Component(str(c["code"]), str(c.get("label", c["code"])), float(c["weight"]))
                                     for c in asm["components"]) if "components" in asm else defaults.components,
                    grade_bands=tuple(GradeBand(str(b["label"]), float(b["min_score"]))
                                      for b in asm["grade_bands"]) if "grade_bands" in asm else defaults.grade_bands,
                    star_bands=tuple(StarBand(int(b["stars"]), float(b["min_score"]),
                                              bool(b.get("requires_innovation", False)))
                                     for b in asm["star_bands"]) if "star_bands" in asm else defaults.star_bands,
                    rules=tuple(ScoreRule(str(r["code"]), cast(Op, r["op"]), float(r["threshold"]), str(r["action"]))
                                for r in asm.get("rules", ())),
                    missing=cast(Missing, asm.get("missing", "renormalise")),
                )
            return cls(version=int(data["version"]), name=str(data.get("name", "")), scale=scale, groups=groups,
                       aggregation=agg, items=items, invalid=invalid, rules=rules,
                       confidence=float(data.get("confidence", 0.95)), assessment=assessment)
        except KeyError as exc:
            raise SchemeError(f"评分方案缺少字段 {exc.args[0]!r}。") from exc
        except TypeError as exc:
            raise SchemeError(f"评分方案中有无法识别的字段或取值：{exc}。") from exc


def default_scheme(version: int = 1) -> Scheme:
    """Return a working scheme: the central scale, one county's groups (群众 50%, 镇干部 30%, 驻村干部 20%),
    trimmed means above 5 ballots, 德能勤绩廉 items, the common rules and 述职评议 at 10% of the annual total."""
    return Scheme(
        version=version,
        name="默认方案（中央评议等次 + 一地权重）",
        scale=central_scale(),
        groups=(EvaluatorGroup("public", "群众代表", 0.5), EvaluatorGroup("town_cadres", "镇干部", 0.3),
                EvaluatorGroup("village_cadres", "驻村干部", 0.2)),
        items=(Item("de", "德"), Item("neng", "能"), Item("qin", "勤"), Item("ji", "绩"), Item("lian", "廉")),
    )
