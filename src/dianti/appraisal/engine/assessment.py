"""The annual comprehensive assessment (年度工作综合考核): weighted totals, rankings, grade bands, star grades.

Each subject brings a 0–100 mark per component (述职评议 — the appraisal score, 10% by default — and the others,
imported from Excel). The total is Σ w_j·x_j over the components; a missing component is either renormalised away
(Σ w_j·x_j / Σ_present w_j) and flagged, or scored 0, as the scheme's ``missing`` says. The total gives the grade
band (考核等次) and the star grade for 晋位升级 (e.g. ≥ 90 with an innovation project → 5★, 80–90 → 4★ …): bands are
tried from the highest ``min_score`` down and the first the subject qualifies for wins, so a 92 without an innovation
project falls to 4★. A total with a component missing is provisional: it is shown but not ranked, and gives no band, no
stars and no proposals until every component is in (a 10 % appraisal alone must not make anyone 优秀 ★★★★).
Rankings run over all subjects and within each peer group (a town's villages).

Everything that follows from a total — a star grade, a band's consequences, a rule's action — is returned as a
:class:`~.results.Proposal` for a person to confirm; nothing here acts on its own.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from .policy import AssessmentConfig
from .results import Flag, Proposal
from .scale import compare

RankMethod = Literal["competition", "dense"]


def rank(values: Sequence[float | None], method: RankMethod = "competition", decimals: int = 2) -> list[int | None]:
    """Return the rank of each value, highest first; None values are unranked (None).

    Values equal after rounding to ``decimals`` places tie (so that 89.999999 and 90.0 from different float sums
    do not split a tie that the published, rounded figures show). ``competition`` ("1224") gives tied values the
    same rank and skips the next ranks, as sports tables and most official rankings do; ``dense`` ("1223") does not
    skip.
    """
    if method not in ("competition", "dense"):
        raise ValueError(f"method must be competition or dense, got {method!r}")
    keyed = sorted(((round(v, decimals), i) for i, v in enumerate(values) if v is not None), key=lambda t: -t[0])
    out: list[int | None] = [None] * len(values)
    prev: float | None = None
    current = 0
    for position, (value, i) in enumerate(keyed, start=1):
        if value != prev:
            current = position if method == "competition" else current + 1
            prev = value
        out[i] = current
    return out


@dataclass(frozen=True)
class AssessmentInput:
    """One subject's component marks for the year, whether it runs an innovation project, and its peer group."""

    subject: Hashable
    scores: Mapping[str, float | None]
    innovation: bool = False
    peers: Hashable | None = None
    proposals: tuple[Proposal, ...] = ()


@dataclass(frozen=True)
class Part:
    """A component's mark and its nominal and used weight in one subject's total."""

    code: str
    label: str
    weight: float
    used_weight: float
    score: float | None


@dataclass(frozen=True)
class AssessmentResult:
    """One subject's annual assessment: total, parts, band, stars, ranks, proposals and flags."""

    subject: Hashable
    total: float | None
    parts: tuple[Part, ...]
    band: str | None
    stars: int
    rank: int | None
    peers: Hashable | None
    peer_rank: int | None
    peer_count: int
    proposals: tuple[Proposal, ...]
    flags: tuple[Flag, ...]
    missing: tuple[str, ...] = ()

    @property
    def provisional(self) -> bool:
        """Return whether a component is missing: the total is then provisional and carries no band or stars."""
        return bool(self.missing)

    def explain(self) -> str:
        """Return, in Chinese, how the total, band, stars and ranks follow from the component marks."""
        lines = []
        for p in self.parts:
            if p.score is None:
                lines.append(f"{p.label}（权重 {p.weight:.0%}）：缺")
            else:
                lines.append(f"{p.label}（权重 {p.weight:.0%}，计入 {p.used_weight:.2%}）：{p.score:.2f}")
        if self.total is None:
            lines.append("总分：无（没有任何组成部分的得分）。")
            return "\n".join(lines)
        terms = " + ".join(f"{p.used_weight:.4g}×{p.score:.2f}" for p in self.parts if p.score is not None)
        lines.append(f"总分 = {terms} = {self.total:.2f}")
        if self.provisional:
            lines.append(f"暂定（缺少：{'、'.join(self.missing)}）：各项得分齐全前不评定考核等次和星级。")
        else:
            lines.append(f"考核等次：{self.band or '—'}；星级：{f'{self.stars}★' if self.stars else '未达星级'}")
        if self.rank is not None:
            lines.append(f"总排名第 {self.rank}；在同级（{self.peers}）{self.peer_count} 个中排第 {self.peer_rank}")
        lines += [f"建议：{p.action}（{p.reason}）" for p in self.proposals]
        lines += [f"提示：{f.message}" for f in self.flags]
        return "\n".join(lines)


def total(scores: Mapping[str, float | None], config: AssessmentConfig) -> tuple[float | None, tuple[Part, ...]]:
    """Return the weighted total and its parts; raise ValueError on an unknown component or a mark outside 0–100."""
    known = {c.code for c in config.components}
    for code, value in scores.items():
        if code not in known:
            raise ValueError(f"考核组成部分“{code}”不在方案中；可选：{'、'.join(sorted(known))}。")
        if value is not None and not (math.isfinite(value) and 0 <= value <= 100):
            raise ValueError(f"考核组成部分“{code}”的得分须在 0 到 100 之间，现为 {value}。")
    present = [c for c in config.components if scores.get(c.code) is not None]
    if not present:
        return None, tuple(Part(c.code, c.label, c.weight, 0.0, None) for c in config.components)
    denom = math.fsum(c.weight for c in present) if config.missing == "renormalise" else 1.0
    parts = tuple(Part(c.code, c.label, c.weight, c.weight / denom if scores.get(c.code) is not None else 0.0,
                       scores.get(c.code)) for c in config.components)
    return math.fsum(p.used_weight * p.score for p in parts if p.score is not None), parts


def band_for(score: float, config: AssessmentConfig) -> str | None:
    """Return the grade band of ``score``: the band with the highest ``min_score`` not above it (None if none)."""
    for b in sorted(config.grade_bands, key=lambda b: -b.min_score):
        if score >= b.min_score:
            return b.label
    return None


def stars_for(score: float, innovation: bool, config: AssessmentConfig) -> int:
    """Return the star grade of ``score``: the first band, highest ``min_score`` first, it qualifies for; else 0."""
    for b in sorted(config.star_bands, key=lambda b: (-b.min_score, -b.stars)):
        if score >= b.min_score and (innovation or not b.requires_innovation):
            return b.stars
    return 0


def assess(entries: Sequence[AssessmentInput], config: AssessmentConfig, *, method: RankMethod = "competition",
           decimals: int = 2) -> list[AssessmentResult]:
    """Return each subject's assessment, ranked overall and within its peer group (see :func:`rank`)."""
    totals = [total(e.scores, config) for e in entries]
    # A provisional total (a component missing) is shown but not ranked: it is not comparable with complete ones.
    values = [t if all(p.score is not None for p in parts) else None for t, parts in totals]
    overall = rank(values, method, decimals)
    by_peer: dict[Hashable, list[int]] = defaultdict(list)
    for i, e in enumerate(entries):
        by_peer[e.peers].append(i)
    peer_rank: dict[int, int | None] = {}
    for members in by_peer.values():
        for i, r in zip(members, rank([values[i] for i in members], method, decimals), strict=True):
            peer_rank[i] = r
    results = []
    for i, (e, (tot, parts)) in enumerate(zip(entries, totals, strict=True)):
        flags = [Flag("missing_component", f"缺少“{p.label}”的得分，" +
                      ("总分按其余部分折算。" if config.missing == "renormalise" else "按 0 分计入总分。"))
                 for p in parts if p.score is None]
        proposals = list(e.proposals)
        band, stars = None, 0
        missing = tuple(p.label for p in parts if p.score is None)
        if tot is not None and not missing:
            band, stars = band_for(tot, config), stars_for(tot, e.innovation, config)
            if stars:
                proposals.append(Proposal(e.subject, f"评定为 {stars} 星", "stars",
                                          f"总分 {tot:.2f}{'，有创新项目' if e.innovation else ''}", False))
            proposals += [Proposal(e.subject, r.action, r.code, f"{r.describe()}：总分 {tot:.2f}", False)
                          for r in config.rules if compare(tot, r.op, r.threshold)]
        results.append(AssessmentResult(
            subject=e.subject, total=tot, parts=parts, band=band, stars=stars, rank=overall[i], peers=e.peers,
            peer_rank=peer_rank[i], peer_count=sum(1 for j in by_peer[e.peers] if values[j] is not None),
            proposals=tuple(proposals), flags=tuple(flags), missing=missing))
    return results
