"""Two years of the cycle over the conftest tree, small enough to count by hand (the counts are in ``HAND``).

2020 — 通元镇 (town A) holds its meeting: 雪水港村 and 丰义村 report with topics, the panel of test_results votes
(``appraisal.tests.factories.HAND``), the county publishes both results, two clerks' names and 3 more heads are
recorded as attendance, 雪水港村's case is issued and runs past its deadline, 丰义村's is closed. 澉浦镇 (town B) has
only chosen 长墙山村. The county itself chose both towns (its own row). Opinions: three about 雪水港村 (two online,
classed 环境保护; one visit meeting 10 people, classed 城乡建设, relayed by a 民情直报点), one about 长墙山村 (not yet
sorted). Annual assessment: 雪水港村 良好 ★★★★, 丰义村 一般 ★★★, 长墙山村 provisional (no grade).
2019 — 通元镇 chose 雪水港村, who reported; one opinion (基层治理).

Written through the services wherever a page would write it; an opinion's campaign and category and the annual
grades are then set as the later steps leave them (mining and the annual import are tested in their own apps).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from dianti.appraisal import publication
from dianti.appraisal import services as appraisal_services
from dianti.appraisal.models import ActionProposal, AnnualAssessment
from dianti.appraisal.tests.factories import HAND as VOTES
from dianti.appraisal.tests.factories import closed
from dianti.campaigns import services as campaign_services
from dianti.campaigns.models import Campaign, Category, Phase, Subject
from dianti.meetings import services as meeting_services
from dianti.orgs.models import ContactPoint
from dianti.rectification.models import Case, State
from dianti.rectification.tests.factories import case_in
from dianti.voices.models import Opinion
from dianti.voices.tests.factories import opinion, visit

#: What the fixture holds, counted by hand: {year: {group: {figure: n}}}; groups are "A", "B" and "county" (the
#: county's own row). Figures not named are 0.
HAND: dict[int, dict[str, dict[str, int]]] = {
    2020: {
        "A": {"subjects": 2, "topics_assigned": 2, "reported": 2, "organizations_covered": 2, "appraised": 2,
              "meetings": 1, "participants": 10 + 5, "opinions": 3, "opinions_sorted": 3, "points_active": 1,
              "campaigns": 1, "rectifications_open": 1, "rectifications_overdue": 1, "rectifications_closed": 1},
        "B": {"subjects": 1, "opinions": 1, "campaigns": 1},
        "county": {"subjects": 2, "campaigns": 1},
    },
    2019: {"A": {"subjects": 1, "reported": 1, "organizations_covered": 1, "opinions": 1, "opinions_sorted": 1,
                 "campaigns": 1}},
}
#: As of now: grassroots organizations (雪水港村, its branch, 丰义村 | 长墙山村) and contact points.
NOW = {"A": {"organizations": 3, "points": 1}, "B": {"organizations": 1, "points": 1}}
#: 2020's distributions. Ballots: 雪水港村 好 3 较好 3 一般 1 差 1; 丰义村 好 1 较好 3 一般 2 差 2. Satisfaction
#: (好 + 较好) / valid: 6/8 = 75 % (the 70–80 class), 4/8 = 50 % (below 60).
DISTRIBUTIONS = {
    "grades": {"好": 4, "较好": 6, "一般": 3, "差": 3},
    "satisfaction": {"70": 1, "0": 1},
    "bands": {"良好": 1, "一般": 1},
    "stars": {"4": 1, "3": 1},
    "categories": {"环境保护": 2, "城乡建设": 1},
}


@dataclass
class TwoYears:
    town_a_2020: Campaign
    town_b_2020: Campaign
    county_2020: Campaign
    town_a_2019: Campaign
    overdue: Case
    closed: Case


def _set(op: Opinion, campaign: Campaign, category: str, **fields: Any) -> None:
    Opinion.objects.filter(pk=op.pk).update(campaign=campaign, category=category, topic=None, **fields)


def two_years(tree: Any, users: Any) -> TwoYears:
    c = closed(tree, VOTES)  # town A's 2020 campaign, its meeting closed, moved on to 评议
    meeting_services.attendance_add(actor=None, meeting=c.meeting, names=["李四", "王五"], unnamed=3)
    publication.results_submit(actor=users.town_admin, campaign=c.campaign)
    publication.results_publish(actor=users.county_admin, campaign=c.campaign)
    for p in ActionProposal.objects.filter(campaign=c.campaign, status=ActionProposal.Status.PENDING):
        appraisal_services.proposal_dismiss(actor=users.town_admin, proposal=p, note="由镇党委另行处理")
    campaign_services.phase_move(actor=None, campaign=c.campaign, to=Phase.RECTIFICATION)
    overdue = case_in(State.ISSUED, c.va1)
    Case.objects.filter(pk=overdue.pk).update(deadline=timezone.localdate() - dt.timedelta(days=1))
    done = case_in(State.CLOSED, c.va2)

    town_b = campaign_services.campaign_create(actor=None, convener=tree.town_b, year=2020, title="澉浦镇2020年度述职")
    campaign_services.subjects_choose(actor=None, campaign=town_b, choices=[
        campaign_services.Choice(tree.village_b1, Category.DEVELOPMENT, "村级集体经济薄弱")])
    county = campaign_services.campaign_create(actor=None, convener=tree.county, year=2020, title="海盐县2020年度述职",
                                               candidate_level="town")
    campaign_services.subjects_choose(actor=None, campaign=county, choices=[
        campaign_services.Choice(t, Category.MODEL, "基层治理创新") for t in (tree.town_a, tree.town_b)])
    earlier = campaign_services.campaign_create(actor=None, convener=tree.town_a, year=2019, title="通元镇2019年度述职")
    [subject_2019] = campaign_services.subjects_choose(actor=None, campaign=earlier, choices=[
        campaign_services.Choice(tree.village_a1, Category.DEVELOPMENT, "美丽乡村建设任务重")])
    campaign_services.subject_update(actor=None, subject=subject_2019, status=Subject.Status.REPORTED)

    point = ContactPoint.objects.create(kind=ContactPoint.Kind.DIRECT_REPORT, name="雪水港村民情直报点",
                                        organization=tree.village_a1)
    ContactPoint.objects.create(kind=ContactPoint.Kind.OBSERVATION, name="长墙山村观察点", organization=tree.village_b1)
    for who in ("a", "b"):
        _set(opinion(tree.village_a1, "河道有垃圾，水质变差", who=who), c.campaign, "环境保护")
    _set(visit(tree.village_a1, "村道破损，停车难", met=10), c.campaign, "城乡建设", point=point)
    _set(opinion(tree.village_b1, "希望多办几场文艺演出", who="c"), town_b, "")
    _set(opinion(tree.village_a1, "村务公开看不懂", who="d"), earlier, "基层治理")

    for org, band, stars in ((tree.village_a1, "良好", 4), (tree.village_a2, "一般", 3), (tree.village_b1, "", 0)):
        AnnualAssessment.objects.create(organization=org, org_path=org.path, year=2020, band=band, stars=stars,
                                        total=85.0 if band else None)
    return TwoYears(c.campaign, town_b, county, earlier, overdue, done)
