"""What the public (公示) reads of published results: figures only — never a ballot, never the explanation trace;
a withdrawn publication said as such."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page
from django.db.models import QuerySet

from dianti.campaigns.models import Campaign
from dianti.core import pagination

from .models import SubjectResult
from .selectors import as_percent


@dataclass(frozen=True)
class PublicResult:
    """What the public site shows of a published result: figures only."""

    score: float | None
    ballots: int
    satisfaction: float | None
    satisfaction_low: float | None
    satisfaction_high: float | None
    distribution: list[tuple[str, int]]
    published_at: Any
    confidence: int


def public_results(campaign: Campaign) -> dict[int, PublicResult]:
    """Return {subject id: figures} for the campaign's published results."""
    return _public(SubjectResult.objects.filter(subject__campaign=campaign))


def public_results_of(subject_ids: Iterable[int]) -> dict[int, PublicResult]:
    """Return {subject id: figures} for the published results among ``subject_ids`` (one query)."""
    return _public(SubjectResult.objects.filter(subject_id__in=list(subject_ids)))


def public_result_of(result: SubjectResult) -> PublicResult:
    """Return what the public may see of one published ``result`` (the figures, never a ballot or the trace); the
    score to two decimals, as publication writes it on the subject and tells the secretary."""
    d = result.detail or {}
    dist = d.get("distribution", {})
    score = round(result.score, 2) if result.score is not None else None
    return PublicResult(score, result.ballots, as_percent(result.satisfaction), as_percent(result.satisfaction_low),
                        as_percent(result.satisfaction_high), [(g, dist.get(g, 0)) for g in d.get("grades", list(dist))],
                        result.published_at, round((d.get("satisfaction", {}).get("confidence") or 0.95) * 100))


def _public(results: QuerySet[SubjectResult]) -> dict[int, PublicResult]:
    out = {}
    for r in results.filter(status=SubjectResult.Status.PUBLISHED):
        out[r.subject_id] = public_result_of(r)
    return out


def public_subjects(campaign: Campaign, number: object = 1) -> Page:
    """Return page ``number`` of the campaign's subjects, each with ``public_result`` (None until its result is
    published) and ``withdrawn`` (the latest withdrawal of an earlier publication, when the result is not
    published again yet: the public sees that a published figure was withdrawn and why, never a silent change)."""
    from .models import ResultPublication

    results = public_results(campaign)
    withdrawn: dict[int, Any] = {}
    for p in ResultPublication.objects.filter(result__subject__campaign=campaign, withdrawn_at__isnull=False).order_by(
            "withdrawn_at").values("result__subject_id", "withdrawn_at", "withdraw_reason"):
        withdrawn[p["result__subject_id"]] = p
    page = pagination.page_of(campaign.subjects.select_related("organization").order_by("order", "id"), number)
    for s in page:
        s.public_result = results.get(s.pk)  # type: ignore[attr-defined]
        s.withdrawn = None if s.pk in results else withdrawn.get(s.pk)  # type: ignore[attr-defined]
    return page
