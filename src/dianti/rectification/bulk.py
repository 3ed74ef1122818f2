"""The scale counties' rectification cases, by bulk inserts (``demo_bulk``, see :mod:`dianti.core.demo`).

Every confirmed 整改通知 proposal of a scale campaign gets its case, issued by the campaign's convener with a
notice number as :func:`.services.notice_issue` numbers them: in a campaign at 整改 the cases spread over the
running states (issued, committed, in progress, awaiting acceptance, overdue), in an archived one they are closed
(销号). Each case has one problem, the proposal's reason; the subject's 整改 field follows its case. No events,
documents or audit records.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from dianti.appraisal.models import ActionProposal
from dianti.campaigns import bulk as campaigns_bulk
from dianti.campaigns.models import Phase, Subject
from dianti.core.demo import Scale

from .models import Case, Problem, State

RUNNING = [State.ISSUED, State.COMMITTED, State.IN_PROGRESS, State.AWAITING, State.OVERDUE]


def fill(scale: Scale) -> dict[str, Any]:
    """Open (and move along) a case for every confirmed rectification proposal of the scale campaigns."""
    year = campaigns_bulk.YEAR
    issued = timezone.make_aware(dt.datetime(year, 7, 20, 10))
    proposals = (ActionProposal.objects.filter(campaign__in=campaigns_bulk.of_scale(scale),
                                               action=ActionProposal.Action.RECTIFICATION,
                                               status=ActionProposal.Status.CONFIRMED)
                 .select_related("subject", "campaign", "campaign__convener").order_by("campaign_id", "pk"))
    cases, seq = [], {}
    for n, p in enumerate(proposals):
        archived = p.campaign.phase == Phase.ARCHIVED
        state = State.CLOSED if archived else RUNNING[n % len(RUNNING)]
        issuer = p.campaign.convener
        seq[issuer.pk] = seq.get(issuer.pk, 0) + 1
        cases.append(Case(subject=p.subject, campaign=p.campaign, proposal=p, org_path=p.subject.org_path,
                          issuer=issuer, issuer_path=p.campaign.org_path, state=state,
                          deadline=dt.date(year, 10, 31), number=f"{issuer.short_name}整改〔{year}〕{seq[issuer.pk]}号",
                          year=year, seq=seq[issuer.pk], issued_on=issued.date(), issued_at=issued,
                          committed_at=issued if state != State.ISSUED else None,
                          closed_at=issued + dt.timedelta(days=60) if archived else None,
                          close_reason="整改到位，经验收销号" if archived else ""))
    Case.objects.bulk_create(cases, batch_size=2000)
    Problem.objects.bulk_create([Problem(case=c, order=1, text=c.proposal.reason) for c in cases], batch_size=2000)
    subjects = [c.subject for c in cases]
    for c in cases:
        c.subject.rectification = (Subject.Rectification.CLOSED if c.state == State.CLOSED
                                   else Subject.Rectification.OPEN)
    Subject.objects.bulk_update(subjects, ["rectification"], batch_size=2000)
    return {"cases": len(cases)}
