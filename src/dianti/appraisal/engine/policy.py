"""What a scheme decides beyond the scores: the rules that propose actions (约谈, 整改通知单 …), and the annual
assessment's components, grade bands and star bands. Part of a :class:`.scheme.Scheme`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .scale import OPS, GradeScale, Op, SchemeError, check_weights, pct

Missing = Literal["renormalise", "zero"]  # an assessment component without a mark: renormalise the weights, or count 0


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
        return f"{self.metric} {self.op} {pct(self.threshold)} → {self.action}"


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
        check_weights("考核组成部分", [(c.code, c.weight) for c in self.components])
        if self.missing not in ("renormalise", "zero"):
            raise SchemeError(f"缺项处理须为 renormalise（按现有部分折算）或 zero（按 0 分计），现为“{self.missing}”。")
        labels = [b.label for b in self.grade_bands]
        if len(set(labels)) != len(labels):
            raise SchemeError("考核等次名称重复。")
        for b in self.star_bands:
            if b.stars < 1:
                raise SchemeError(f"星级须为正整数，现为 {b.stars}。")



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
