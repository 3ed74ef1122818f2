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

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, cast

FORMAT = 1
"""Version of the dict layout written by :meth:`Scheme.to_dict`; bumped only when the layout changes."""

Op = Literal["<", "<=", ">", ">="]
OPS: tuple[Op, ...] = ("<", "<=", ">", ">=")
Method = Literal["mean", "trimmed"]
Missing = Literal["renormalise", "zero"]
_WEIGHT_TOLERANCE = 1e-6


class SchemeError(ValueError):
    """A scheme is not valid; the message (in Chinese) says what to change."""


def _pct(x: float) -> str:
    return f"{x * 100:.4g}%"


def compare(value: float, op: Op, threshold: float) -> bool:
    """Return whether ``value op threshold`` holds."""
    if op == "<":
        return value < threshold
    if op == "<=":
        return value <= threshold
    if op == ">":
        return value > threshold
    return value >= threshold


def _check_weights(kind: str, pairs: Sequence[tuple[str, float]]) -> None:
    if not pairs:
        raise SchemeError(f"至少需要一个{kind}。")
    seen: set[str] = set()
    for code, weight in pairs:
        if not code:
            raise SchemeError(f"{kind}的代码不能为空。")
        if code in seen:
            raise SchemeError(f"{kind}代码“{code}”重复，每个{kind}的代码须唯一。")
        seen.add(code)
        if not math.isfinite(weight) or weight <= 0:
            raise SchemeError(f"{kind}“{code}”的权重须大于 0，现为 {weight!r}。")
    total = math.fsum(w for _, w in pairs)
    if abs(total - 1.0) > _WEIGHT_TOLERANCE:
        raise SchemeError(f"{kind}的权重之和须为 100%，现为 {_pct(total)}；请调整各项权重。")


# ---------------------------------------------------------------------------------------------------------------
# Grade scale


@dataclass(frozen=True)
class Grade:
    """One grade of the scale: its label, the marks an evaluator may give within it, and how it counts.

    ``points`` lists the allowed marks, highest first (优秀 may be marked 100, 95 or 90). A ballot that gives only
    the grade scores ``default`` — by default the middle allowed mark (95 for 100/95/90), the grade's centre.
    ``satisfied`` grades count towards the satisfaction rate, ``dissatisfied`` ones towards the dissatisfaction rate.
    """

    label: str
    points: tuple[float, ...]
    default: float | None = None
    satisfied: bool = False
    dissatisfied: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "points", tuple(float(p) for p in self.points))
        if not self.label:
            raise SchemeError("等次名称不能为空。")
        if not self.points:
            raise SchemeError(f"等次“{self.label}”至少需要一个分值。")
        if any(not math.isfinite(p) for p in self.points):
            raise SchemeError(f"等次“{self.label}”的分值须为有限数。")
        if list(self.points) != sorted(self.points, reverse=True) or len(set(self.points)) != len(self.points):
            raise SchemeError(f"等次“{self.label}”的分值须从高到低排列且不重复，现为 {list(self.points)}。")
        if self.default is not None and float(self.default) not in self.points:
            raise SchemeError(f"等次“{self.label}”的默认分值 {self.default} 不在其可选分值 {list(self.points)} 中。")
        if self.satisfied and self.dissatisfied:
            raise SchemeError(f"等次“{self.label}”不能同时计入满意和不满意。")

    @property
    def default_points(self) -> float:
        """Return the mark a grade-only ballot scores: ``default`` if set, else the middle allowed mark."""
        if self.default is not None:
            return float(self.default)
        return self.points[(len(self.points) - 1) // 2]


@dataclass(frozen=True)
class GradeScale:
    """An ordered grade scale, best grade first; each grade's marks lie wholly above the next grade's."""

    grades: tuple[Grade, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "grades", tuple(self.grades))
        if len(self.grades) < 2:
            raise SchemeError("等次表至少需要两个等次。")
        labels = [g.label for g in self.grades]
        for label in labels:
            if labels.count(label) > 1:
                raise SchemeError(f"等次“{label}”重复。")
        for upper, lower in zip(self.grades, self.grades[1:], strict=False):
            if min(upper.points) <= max(lower.points):
                raise SchemeError(f"等次须从好到差排列：“{upper.label}”的最低分 {min(upper.points):g} "
                                  f"须高于“{lower.label}”的最高分 {max(lower.points):g}。")
        if not any(g.satisfied for g in self.grades):
            raise SchemeError("至少需要一个计入满意率的等次（如“好”“较好”）。")

    @property
    def labels(self) -> tuple[str, ...]:
        """Return the labels, best first."""
        return tuple(g.label for g in self.grades)

    def index(self, label: str) -> int:
        """Return the position of ``label`` (0 = best); raise KeyError if the scale has no such grade."""
        for i, grade in enumerate(self.grades):
            if grade.label == label:
                return i
        raise KeyError(label)

    def grade(self, label: str) -> Grade:
        """Return the grade called ``label``; raise KeyError if there is none."""
        return self.grades[self.index(label)]

    @property
    def satisfied(self) -> tuple[str, ...]:
        """Return the labels counted as satisfied (好 + 较好 in the central scale)."""
        return tuple(g.label for g in self.grades if g.satisfied)

    @property
    def dissatisfied(self) -> tuple[str, ...]:
        """Return the labels counted as dissatisfied (差 in the central scale)."""
        return tuple(g.label for g in self.grades if g.dissatisfied)


def central_scale() -> GradeScale:
    """Return the central 2019 述职评议考核办法 scale 好/较好/一般/差, with the marks of one local scheme.

    The central rules fix the labels only; the marks are borrowed band for band from the local scheme in
    :func:`local_scale` (好 ≈ 优秀 100/95/90, 较好 ≈ 称职 85/80/75, 一般 ≈ 基本称职 70/65/60, 差 ≈ 不称职 55).
    """
    return GradeScale((
        Grade("好", (100, 95, 90), satisfied=True),
        Grade("较好", (85, 80, 75), satisfied=True),
        Grade("一般", (70, 65, 60)),
        Grade("差", (55,), dissatisfied=True),
    ))


def local_scale() -> GradeScale:
    """Return the local scheme 优秀 100/95/90, 称职 85/80/75, 基本称职 70/65/60, 不称职 55 (DOMAIN.md)."""
    return GradeScale((
        Grade("优秀", (100, 95, 90), satisfied=True),
        Grade("称职", (85, 80, 75), satisfied=True),
        Grade("基本称职", (70, 65, 60)),
        Grade("不称职", (55,), dissatisfied=True),
    ))


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
# Rules, bands, annual assessment


@dataclass(frozen=True)
class ActionRule:
    """A rule that proposes an action when the share of valid ballots in ``grades`` compares with ``threshold``.

    E.g. 满意率 (share of 好 + 较好) ``<`` 0.6 → 约谈; 不满意率 (share of 差) ``>`` 0.5 → 不合格;
    一般 + 差 ``>=`` 1/3 → 整改通知单. The outcome is a proposal that a person confirms, never an action taken.
    """

    code: str
    metric: str
    grades: tuple[str, ...]
    op: Op
    threshold: float
    action: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "grades", tuple(self.grades))
        if not self.code:
            raise SchemeError("规则代码不能为空。")
        if not self.grades:
            raise SchemeError(f"规则“{self.code}”须指定参与计算的等次。")
        if self.op not in OPS:
            raise SchemeError(f"规则“{self.code}”的比较符须为 <、<=、> 或 >=，现为“{self.op}”。")
        if not 0 <= self.threshold <= 1:
            raise SchemeError(f"规则“{self.code}”的阈值是比例，须在 0 到 1 之间（60% 写作 0.6），现为 {self.threshold}。")

    def describe(self) -> str:
        """Return the rule in words, e.g. “满意率 < 60% → 约谈”."""
        return f"{self.metric} {self.op} {_pct(self.threshold)} → {self.action}"


@dataclass(frozen=True)
class GradeBand:
    """An assessment grade (考核等次) reached by a total of at least ``min_score``."""

    label: str
    min_score: float


@dataclass(frozen=True)
class StarBand:
    """A star grade (晋位升级) reached by a total of at least ``min_score`` (and an innovation project if required)."""

    stars: int
    min_score: float
    requires_innovation: bool = False


@dataclass(frozen=True)
class Component:
    """A component of the annual comprehensive assessment (述职评议, 日常考核 …), marked 0–100, and its weight."""

    code: str
    label: str
    weight: float


@dataclass(frozen=True)
class ScoreRule:
    """A rule on the annual total, e.g. total ``<`` 60 → 整改; proposes, never acts."""

    code: str
    op: Op
    threshold: float
    action: str

    def __post_init__(self) -> None:
        if self.op not in OPS:
            raise SchemeError(f"规则“{self.code}”的比较符须为 <、<=、> 或 >=，现为“{self.op}”。")

    def describe(self) -> str:
        """Return the rule in words, e.g. “总分 < 60 → 整改”."""
        return f"总分 {self.op} {self.threshold:g} → {self.action}"


APPRAISAL_COMPONENT = "appraisal"


@dataclass(frozen=True)
class AssessmentConfig:
    """The annual comprehensive assessment (年度工作综合考核): components, grade bands, star bands, rules.

    ``missing="renormalise"`` divides by the weights of the components present (and flags the gap);
    ``missing="zero"`` scores a missing component as 0. Bands are matched from the highest ``min_score`` down.
    """

    components: tuple[Component, ...] = (
        Component(APPRAISAL_COMPONENT, "述职评议", 0.10),
        Component("other", "其他考核（由 Excel 导入）", 0.90),
    )
    grade_bands: tuple[GradeBand, ...] = (
        GradeBand("优秀", 90), GradeBand("良好", 80), GradeBand("一般", 60), GradeBand("较差", 0),
    )
    star_bands: tuple[StarBand, ...] = (
        StarBand(5, 90, requires_innovation=True), StarBand(4, 80), StarBand(3, 70), StarBand(2, 60),
    )
    rules: tuple[ScoreRule, ...] = ()
    missing: Missing = "renormalise"

    def __post_init__(self) -> None:
        for name in ("components", "grade_bands", "star_bands", "rules"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        _check_weights("考核组成部分", [(c.code, c.weight) for c in self.components])
        if self.missing not in ("renormalise", "zero"):
            raise SchemeError(f"缺项处理须为 renormalise（按现有部分折算）或 zero（按 0 分计），现为“{self.missing}”。")
        labels = [b.label for b in self.grade_bands]
        if len(set(labels)) != len(labels):
            raise SchemeError("考核等次名称重复。")
        for b in self.star_bands:
            if b.stars < 1:
                raise SchemeError(f"星级须为正整数，现为 {b.stars}。")


# ---------------------------------------------------------------------------------------------------------------
# The scheme


def default_rules(scale: GradeScale) -> tuple[ActionRule, ...]:
    """Return the common rules of DOMAIN.md over ``scale``'s satisfied/dissatisfied grades and its two worst grades.

    满意率 < 60% → 约谈; 不满意率 > 50% → 不合格; (the two worst grades, 一般 + 差) ≥ 1/3 → 整改通知单.
    """
    worst_two = scale.labels[-2:]
    return (
        ActionRule("interview", "满意率", scale.satisfied, "<", 0.6, "约谈"),
        ActionRule("unqualified", "不满意率", scale.dissatisfied or scale.labels[-1:], ">", 0.5, "不合格"),
        ActionRule("rectify", f"{'+'.join(worst_two)}票占比", worst_two, ">=", 1 / 3, "整改通知单"),
    )


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
        _check_weights("评议人类别", [(g.code, g.weight) for g in self.groups])
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
