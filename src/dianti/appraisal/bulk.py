"""The scale counties' results, set-based (``demo_bulk``, see :mod:`dianti.core.demo`).

The scores of record are not drawn: :func:`.recompute.results_recompute` computes every draft result of each scale
county from its stored ballots, exactly as closing the meetings would have. Campaigns past 评议 then have their
results published as :func:`.publication.results_publish` leaves them — status, a :class:`.models.ResultPublication`
row, the subject 已评议 with the rounded score — and their proposals confirmed (a person's decision the demo
takes for them), so the rectification step can open cases. No notifications, no per-row audit records.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from dianti.campaigns import bulk as campaigns_bulk
from dianti.campaigns.models import Phase, Subject
from dianti.core.demo import Scale
from dianti.orgs.models import Organization

from .models import ActionProposal, ResultPublication, SubjectResult
from .recompute import results_recompute

PUBLISHED = (Phase.RECTIFICATION, Phase.ARCHIVED)


def fill(scale: Scale) -> dict[str, Any]:
    """Compute every scale county's results, then publish those of campaigns past 评议."""
    computed = 0
    for path in scale.counties:
        computed += results_recompute(actor=None, scope=Organization.objects.get(path=path)).computed
    when = timezone.make_aware(dt.datetime(campaigns_bulk.YEAR, 7, 10, 10))
    campaigns = campaigns_bulk.of_scale(scale).filter(phase__in=PUBLISHED)
    rows = list(SubjectResult.objects.filter(subject__campaign__in=campaigns).select_related("scheme", "subject"))
    subjects = []
    for r in rows:
        r.status, r.published_at = SubjectResult.Status.PUBLISHED, when
        r.subject.status = Subject.Status.APPRAISED
        r.subject.score = round(r.score, 2) if r.score is not None else None
        subjects.append(r.subject)
    SubjectResult.objects.bulk_update(rows, ["status", "published_at"], batch_size=2000)
    Subject.objects.bulk_update(subjects, ["status", "score"], batch_size=2000)
    ResultPublication.objects.bulk_create([
        ResultPublication(result=r, score=r.score, satisfaction=r.satisfaction, ballots=r.ballots,
                          scheme_label=f"{r.scheme.name} 第 {r.scheme.version} 版", published_at=when)
        for r in rows], batch_size=2000)
    confirmed = ActionProposal.objects.filter(campaign__in=campaigns, status=ActionProposal.Status.PENDING).update(
        status=ActionProposal.Status.CONFIRMED, decided_at=when, note="演示数据：确认")
    return {"results": computed, "published": len(rows), "confirmed": confirmed}
