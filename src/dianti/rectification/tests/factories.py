"""Test helpers for 整改: a campaign walked to the 整改 phase through the services, and cases in any state."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from dianti.campaigns import services as campaign_services
from dianti.campaigns.models import Campaign, Phase, Subject
from dianti.campaigns.tests.factories import in_topics
from dianti.rectification import services
from dianti.rectification.models import Case, State

PROBLEMS = ["“三会一课”落实不到位，组织生活流于形式", "村务公开不及时，群众看不懂集体账目"]


def rectification_campaign(tree: Any, **fields: Any) -> Campaign:
    """Town A's campaign in 整改: 雪水港村 scored 72 (to rectify), 丰义村 88."""
    campaign = in_topics(tree, **fields)
    for s in campaign.subjects.all():
        campaign_services.subject_topic_set(actor=None, subject=s, topic="村道破损和停车难怎么解决")
    for phase, status in ((Phase.REPORTING, Subject.Status.REPORTED), (Phase.APPRAISAL, Subject.Status.APPRAISED)):
        campaign = campaign_services.phase_move(actor=None, campaign=campaign, to=phase)
        for s in campaign.subjects.select_related("organization"):
            score = 72.0 if s.organization_id == tree.village_a1.pk else 88.0
            campaign_services.subject_update(actor=None, subject=s, status=status,
                                             score=score if status == Subject.Status.APPRAISED else None)
    return campaign_services.phase_move(actor=None, campaign=campaign, to=Phase.RECTIFICATION)


def in_days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def measures_for(case: Case, days: int = 30) -> list[services.MeasureIn]:
    return [services.MeasureIn(p.pk, f"针对问题{p.order}逐条整改落实", "李主任", in_days(days), "群众满意")
            for p in case.problems.all()]


def case_in(state: str, subject: Subject, *, actor: Any = None, secretary: Any = None, deadline: int = 60) -> Case:
    """Return a case of ``subject`` walked to ``state`` (through the services, as the system by default)."""
    case = services.case_open(actor=actor, subject=subject, problems=PROBLEMS, deadline=in_days(deadline))
    if state == State.DRAFT:
        return case
    services.case_issue(actor=actor, case=case)
    if state == State.ISSUED:
        return _fresh(case)
    services.commitment_submit(actor=secretary, case=case, measures=measures_for(case, min(30, deadline)),
                               mechanisms="每月公开一次村务\n党员联户制度")
    if state == State.COMMITTED:
        return _fresh(case)
    services.commitment_approve(actor=actor, case=_fresh(case))
    if state == State.IN_PROGRESS:
        return _fresh(case)
    for m in case.measures.all():
        services.progress_report(actor=secretary, measure=m, percent=100, text="已全部完成整改")
    services.case_submit(actor=secretary, case=_fresh(case))
    if state == State.AWAITING:
        return _fresh(case)
    services.case_close(actor=actor, case=_fresh(case), reason="经核查已整改到位，同意销号")
    return _fresh(case)


def _fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)
