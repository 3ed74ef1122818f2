"""Demo appraisal for Haiyan: the county's own scheme (two versions), results computed from the demo meetings'
ballots, published for every campaign that goes past 评议 with some of their proposals confirmed and some not
adopted, 沈荡镇 left in 评议 with results computed but not yet published, and the annual comprehensive assessment
of 2019 and 2020 so that star grades, ranks and each organization's history show.

Hooks into the campaigns demo (``APPRAISERS``), so results are published the real way, through the services.
"""

from __future__ import annotations

import random
from dataclasses import replace
from typing import Any

from django.db import transaction

from dianti.campaigns import demo as campaigns_demo
from dianti.campaigns.models import Campaign, Phase
from dianti.meetings.models import Meeting
from dianti.orgs.demo import HAIYAN_CODE, demo_admin, demo_decider
from dianti.orgs.models import Organization

from . import annual, publication, services
from .engine import default_scheme
from .engine.policy import AssessmentConfig, Component
from .engine.scheme import EvaluatorGroup
from .models import ActionProposal, AnnualAssessment, ScoringScheme, SubjectResult

KEY = "haiyan"
# The demo meetings seat these groups (meetings/demo.py GROUPS), so the county's weights apply to them.
GROUPS = (("town_committee", "镇党委班子成员", 0.3), ("members", "党员代表", 0.3), ("public", "群众代表", 0.3),
          ("stationed", "驻村干部", 0.1))
COMPONENTS = (("appraisal", "述职评议", 0.10), ("party", "党建工作", 0.40), ("work", "中心工作", 0.30),
              ("public", "群众评价", 0.20))
DISMISS_NOTES = ["经镇党委研究，由联村领导提醒谈话，暂不约谈", "该村已主动整改到位，暂不下发整改通知单",
                 "结果不确定且差距很小，暂不采纳，下季度跟踪"]


def haiyan_scheme() -> ScoringScheme:
    """Return the county's scheme, making version 1 (2019) and version 2 (2020 revision) on first use."""
    found = ScoringScheme.objects.filter(key=KEY).order_by("-version").first()
    if found is not None:
        return found
    county = Organization.objects.get(code=HAIYAN_CODE)
    base = default_scheme()
    v1 = replace(base, name="海盐县点题述职评议考核办法",
                 groups=tuple(EvaluatorGroup(c, label, w) for c, label, w in GROUPS),
                 assessment=AssessmentConfig(components=tuple(Component(*c) for c in COMPONENTS)))
    services.scheme_save(actor=None, key=KEY, data=v1.to_dict(), organization=county)
    rules = tuple(replace(r, threshold=0.3) if r.code == "rectify" else r for r in v1.action_rules)
    v2 = replace(v1, name="海盐县点题述职评议考核办法（2020年修订）", rules=rules)
    return services.scheme_save(actor=None, key=KEY, data=v2.to_dict())


def _compute(campaign: Campaign) -> None:
    haiyan_scheme()
    if campaign.scheme_key != KEY:
        services.campaign_scheme_set(actor=None, campaign=campaign, key=KEY)
        campaign.refresh_from_db()
    services.results_compute(actor=None, campaign=campaign, version=1 if campaign.year <= 2019 else None)


def _decide(campaign: Campaign, rng: random.Random) -> None:
    """Confirm most pending proposals and leave a few not adopted, with the reason, as a committee would."""
    pending = ActionProposal.objects.filter(campaign=campaign, status=ActionProposal.Status.PENDING)
    for proposal in pending.select_related("subject", "campaign", "campaign__convener"):
        if (proposal.uncertain and rng.random() < 0.5) or rng.random() < 0.2:
            services.proposal_dismiss(actor=demo_admin(campaign.convener), proposal=proposal,
                                      note=rng.choice(DISMISS_NOTES))
        else:
            services.proposal_confirm(actor=demo_admin(campaign.convener), proposal=proposal,
                                      note="经镇党委会议研究确认")


def _appraiser(campaign: Campaign, rng: random.Random) -> None:
    """Compute, submit, approve and publish the campaign's results, then decide its proposals."""
    _compute(campaign)
    publication.results_submit(actor=demo_admin(campaign.convener), campaign=campaign)
    publication.results_publish(actor=demo_decider("appraisal.results_publish", publication.results_context(campaign)),
                             campaign=campaign)
    _decide(campaign, rng)


campaigns_demo.APPRAISERS.append(_appraiser)


def _annual(county: Organization, rng: random.Random) -> None:
    """Import the other components for every village and community, for 2019 and 2020, and compute both years."""
    orgs = list(Organization.objects.subtree(county.path).filter(
        level=Organization.Level.GRASSROOTS, field__in=[Organization.Field.VILLAGE, Organization.Field.COMMUNITY],
        parent__level=Organization.Level.TOWN).order_by("path"))
    strength = {o.pk: rng.gauss(0, 1) for o in orgs}
    for year, drift in ((2019, 0.0), (2020, 0.35)):
        rows = []
        for o in orgs:
            s = strength[o.pk] + drift + rng.gauss(0, 0.45)
            marks = {code: round(min(99.5, max(50.0, 79 + 6 * s + rng.gauss(0, 3))), 1)
                     for code, _label, _w in COMPONENTS[1:]}
            rows.append(annual.AnnualRow(o, year, marks, innovation=s > 1.0 and rng.random() < 0.5))
        annual.annual_scores_set(actor=None, rows=rows, note="演示数据")
        annual.annual_compute(actor=demo_admin(county), county=county, year=year)
        if year == 2019:  # 2019's grades were confirmed by the approver; 2020's wait for them
            annual.assessment_confirm(actor=demo_decider("appraisal.stars_confirm", annual.round_context(county, year)),
                                      county=county, year=year, note="经县委组织部部务会研究确认")


@transaction.atomic
def load(counties: int = 1, **_: Any) -> None:
    """Results for the towns still before publication (沈荡镇 in 评议, 通元镇's closed meeting), and 2019–2020
    annual assessments."""
    county = Organization.objects.filter(code=HAIYAN_CODE).first()
    if county is None or AnnualAssessment.objects.filter(org_path__startswith=county.path).exists():
        return
    rng = random.Random(2021)
    haiyan_scheme()
    for campaign in Campaign.objects.filter(year=2020, convener__parent=county,
                                            phase__in=[Phase.REPORTING, Phase.APPRAISAL]):
        if not campaign.meetings.filter(status=Meeting.Status.CLOSED).exists():
            continue
        if not SubjectResult.objects.filter(subject__campaign=campaign,
                                            status=SubjectResult.Status.PUBLISHED).exists():
            _compute(campaign)
    _annual(county, rng)
