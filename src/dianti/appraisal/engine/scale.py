"""The grade scale of a scoring scheme (等次 and their points) and what every part of a scheme shares: the comparison a
rule makes, the check on weights that must sum to 100%, and :class:`SchemeError`, whose message (in Chinese) says
what to change. See :mod:`.scheme` for the whole scheme.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

Op = Literal["<", "<=", ">", ">="]
OPS: tuple[Op, ...] = ("<", "<=", ">", ">=")
_WEIGHT_TOLERANCE = 1e-6


class SchemeError(ValueError):
    """A scheme is not valid; the message (in Chinese) says what to change."""


def pct(x: float) -> str:
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


def check_weights(kind: str, pairs: Sequence[tuple[str, float]]) -> None:
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
        raise SchemeError(f"{kind}的权重之和须为 100%，现为 {pct(total)}；请调整各项权重。")


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
