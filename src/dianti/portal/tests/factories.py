"""A whole cycle of the conftest tree, through the services, seeded with personal data the public must never see.

通元镇's campaign: villagers (named, with phones) raise 雪水港村's street lamps — one also types a phone and an ID
number into the text —, the topic is set from those voices, a meeting is held (an attendee signs in by name, a named
villager asks a question, twelve evaluators with one-time codes grade 雪水港村 差 and comment by name), the results are
published, the rectification proposal confirmed, the notice issued, measures committed (a named owner) and progress
reported. :data:`SECRETS` lists every piece of personal data planted; the public pages and files must hold none.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

from dianti.appraisal import publication
from dianti.appraisal import services as appraisal_services
from dianti.appraisal.models import ActionProposal
from dianti.campaigns import services as campaign_services
from dianti.campaigns.models import Campaign, Phase, Subject
from dianti.campaigns.tests.factories import in_topics
from dianti.core import ratelimit
from dianti.meetings import services as meeting_services
from dianti.meetings.models import Meeting
from dianti.rectification import services as rectification_services
from dianti.rectification.models import Case
from dianti.voices import topics as voice_topics
from dianti.voices.mining_bridge import mine_organization
from dianti.voices.models import Opinion
from dianti.voices.tests.factories import opinion

LAMPS = ["雪水港村三组路灯坏了好几盏，晚上出行很不方便", "三组的路灯晚上不亮，老人走夜路容易摔倒，希望尽快修好",
         "晚上三组路段漆黑一片，路灯年久失修", "雪水港村三组路灯损坏无人维修，孩子放学不安全"]
VILLAGERS = [("李秀英", "13912345670"), ("周建华", "13912345671"), ("吴桂兰", "13912345672"), ("郑国强", "13912345673")]
TYPED_PHONE, TYPED_ID = "13700001111", "330424199001011234"
TYPED = f"三组路灯坏了，我的电话{TYPED_PHONE}，身份证号{TYPED_ID}，修好了请告诉我"
ATTENDEE, ASKER, COMMENTER, OWNER = "王桂花", "赵大伯", "孙建国", "钱主任"
PROBLEM = "组织生活流于形式，三会一课记录后补"
# The secretary's own phone (conftest's users fixture): the published list names the secretary, never this.
SECRETARY_PHONE = "13812345678"


@dataclass
class World:
    campaign: Campaign
    meeting: Meeting
    va1: Subject
    va2: Subject
    case: Case
    codes: list[str]
    secrets: list[str] = field(default_factory=list)


def _voices(tree: Any, campaign: Campaign) -> None:
    for (name, phone), text in zip(VILLAGERS, LAMPS, strict=True):
        opinion(tree.village_a1, text, who=name, anonymous=False, name=name, phone=phone)
    typed = opinion(tree.village_a1, TYPED, who="typed")
    mine_organization(tree.village_a1, campaign)
    topic = Opinion.objects.get(text=LAMPS[3]).topic
    for op in Opinion.objects.filter(organization=tree.village_a1).exclude(topic=topic):
        voice_topics.opinion_set_topic(actor=None, opinion=op, topic=topic)
    typed.refresh_from_db()
    va1 = campaign.subjects.get(organization=tree.village_a1)
    voice_topics.topic_assign(actor=None, subject=va1, text="三组路灯如何修好管好", topic=topic)
    va2 = campaign.subjects.get(organization=tree.village_a2)
    campaign_services.subject_topic_set(actor=None, subject=va2, topic="丰义村如何发展集体经济")


def _meeting(campaign: Campaign) -> tuple[Meeting, list[str]]:
    subjects = list(campaign.subjects.order_by("order", "id"))
    meeting = meeting_services.meeting_schedule(
        actor=None, campaign=campaign, title="通元镇村党组织书记点题述职评议会", venue="通元镇党群服务中心",
        starts_at=timezone.make_aware(dt.datetime(campaign.year, 6, 20, 9)), subjects=subjects,
        groups=[meeting_services.GroupSpec("群众代表", Decimal(100), 12)])
    codes = [code for _, code in meeting_services.codes_issue(actor=None, meeting=meeting)]
    meeting_services.meeting_open(actor=None, meeting=meeting)
    meeting_services.attendance_sign_in(meeting=meeting, name=ATTENDEE, role="群众代表",
                                        device_hash=ratelimit.digest("attendee"))
    meeting_services.question_ask(meeting=meeting, text="三组的路灯什么时候能修好？", asker=ASKER,
                                  device_hash=ratelimit.digest("asker"))
    items = list(meeting.agenda.order_by("order"))
    for code in codes:
        meeting_services.ballot_submit(meeting=meeting, code=code, marks={
            items[0].pk: meeting_services.Mark("差", None, f"{COMMENTER}说路灯一直没人修"),
            items[1].pk: meeting_services.Mark("好")})
    meeting_services.meeting_close(actor=None, meeting=meeting)
    meeting.refresh_from_db()
    return meeting, codes


def _rectification(campaign: Campaign, va1: Subject, users: Any) -> Case:
    case = Case.objects.get(subject=va1)
    case.problems.update(text=PROBLEM)
    rectification_services.case_issue(actor=None, case=case)
    case = Case.objects.get(pk=case.pk)
    measures = [rectification_services.MeasureIn(p.pk, "每月一次主题党日，记录当场签字", OWNER,
                                                 timezone.localdate() + dt.timedelta(days=30), "组织生活规范")
                for p in case.problems.all()]
    rectification_services.commitment_submit(actor=users.secretary, case=case, measures=measures,
                                             mechanisms="党员联户制度")
    rectification_services.commitment_approve(actor=None, case=Case.objects.get(pk=case.pk))
    for m in Case.objects.get(pk=case.pk).measures.all():
        rectification_services.progress_report(actor=users.secretary, measure=m, percent=50,
                                               text=f"已召开主题党日，{OWNER}负责记录")
    return Case.objects.get(pk=case.pk)


def world(tree: Any, users: Any) -> World:
    """Return 通元镇's campaign walked from 点题 to 整改 with every kind of personal data planted (see the module)."""
    campaign = in_topics(tree)
    _voices(tree, campaign)
    campaign = campaign_services.phase_move(actor=None, campaign=campaign, to=Phase.REPORTING)
    meeting, codes = _meeting(campaign)
    campaign = campaign_services.phase_move(actor=None, campaign=campaign, to=Phase.APPRAISAL)
    publication.results_submit(actor=users.town_admin, campaign=campaign)
    publication.results_publish(actor=users.county_admin, campaign=campaign)
    for p in ActionProposal.objects.filter(campaign=campaign):
        appraisal_services.proposal_confirm(actor=users.town_admin, proposal=p)
    campaign = campaign_services.phase_move(actor=None, campaign=campaign, to=Phase.RECTIFICATION)
    subjects = list(campaign.subjects.order_by("order", "id"))
    case = _rectification(campaign, subjects[0], users)
    secrets = [name for name, _ in VILLAGERS] + [phone for _, phone in VILLAGERS] + [
        TYPED_PHONE, TYPED_ID, ATTENDEE, ASKER, COMMENTER, OWNER, PROBLEM, SECRETARY_PHONE, *codes]
    return World(campaign, meeting, subjects[0], subjects[1], case, codes, secrets)
