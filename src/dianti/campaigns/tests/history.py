"""A two-year history of 雪水港村's secretary (the conftest's ``secretary``), built through the services, for the
record's tests and its browser test (see test_record.py for what each year holds)."""

from __future__ import annotations

from typing import Any

from dianti.appraisal import annual, publication
from dianti.appraisal import services as appraisal_services
from dianti.appraisal.models import ActionProposal
from dianti.appraisal.tests.factories import HAND, POOR, close_meeting
from dianti.campaigns import services
from dianti.campaigns.models import Phase
from dianti.campaigns.tests.factories import in_topics
from dianti.rectification.models import State
from dianti.rectification.tests.factories import case_in
from dianti.voices import topics
from dianti.voices.models import Opinion, Topic
from dianti.voices.tests.factories import opinion

NAMED, ANONYMOUS = "村口路灯坏了很久，晚上出行不方便", "路灯不亮，希望尽快修好路灯"


def one_year(tree: Any, users: Any, year: int, votes: Any, *, publish: bool) -> Any:
    campaign = in_topics(tree, year=year)
    va1, va2 = campaign.subjects.order_by("order", "id")
    if year == 2019:
        named = opinion(tree.village_a1, NAMED, who="a", phone="13900001111", anonymous=False, name="王大伯")
        anonymous = opinion(tree.village_a1, ANONYMOUS, who="b")
        topic = Topic.objects.create(organization=tree.village_a1, org_path=tree.village_a1.path, campaign=campaign,
                                     title="路灯")
        Opinion.objects.filter(pk__in=[named.pk, anonymous.pk]).update(topic=topic)
        topics.refresh(topic.pk)
        topics.topic_assign(actor=users.town_admin, subject=va1, text="如何让村里的路灯常亮、夜路安全", topic=topic)
    else:
        services.subject_topic_set(actor=users.town_admin, subject=va1, topic="村级集体经济如何持续增收")
    services.subject_topic_set(actor=users.town_admin, subject=va2, topic=f"{year}年丰义村老年食堂如何办得长久")
    campaign = services.phase_move(actor=users.town_admin, campaign=campaign, to=Phase.REPORTING)
    close_meeting(campaign, votes)
    campaign = services.phase_move(actor=users.town_admin, campaign=campaign, to=Phase.APPRAISAL)
    if publish:
        publication.results_submit(actor=users.town_admin, campaign=campaign)
        publication.results_publish(actor=users.county_admin, campaign=campaign)
        for p in ActionProposal.objects.filter(campaign=campaign):
            appraisal_services.proposal_dismiss(actor=users.town_admin, proposal=p, note="经研究暂不采纳")
        campaign = services.phase_move(actor=users.town_admin, campaign=campaign, to=Phase.RECTIFICATION)
        case_in(State.CLOSED, campaign.subjects.get(organization=tree.village_a1), secretary=users.secretary)
    annual.annual_scores_set(actor=users.town_admin, rows=[annual.AnnualRow(o, year, {"other": 90})
                                                           for o in (tree.village_a1, tree.village_a2)])
    annual.annual_compute(actor=users.county_admin, county=tree.county, year=year)
    if publish:
        annual.assessment_confirm(actor=users.county_approver, county=tree.county, year=year, note="同意")
    return campaign


def two_years(tree: Any, users: Any) -> dict[int, Any]:
    """Return {year: 雪水港村's subject} for 2019 (published, case closed, confirmed) and 2020 (draft, unconfirmed)."""
    first = one_year(tree, users, 2019, HAND, publish=True)
    second = one_year(tree, users, 2020, POOR, publish=False)
    return {2019: first.subjects.get(organization=tree.village_a1),
            2020: second.subjects.get(organization=tree.village_a1)}
