"""Demo campaigns for Haiyan: 2019 history in three towns (通元镇's among them), a 2020 campaign in every town at
a different phase, and the county campaign over the nine town/street secretaries. Written through the services, so the audit log and the
notification centre show them. Later steps of the cycle (topics from opinions, meetings, ballots, rectification)
replace the status shortcuts used here."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from typing import Any

from django.db import transaction

from dianti.orgs.demo import HAIYAN_CODE, demo_admin, demo_decider
from dianti.orgs.models import Organization

from . import roster, services
from .models import Campaign, Category, Phase, Project, Subject

TOPICS = [
    "坚持党建引领，把美丽资源变成美丽经济", "村级集体经济如何持续增收", "农村生活垃圾分类如何长效管理",
    "村道破损和停车难怎么解决", "老年食堂如何办得长久", "闲置农房如何盘活利用", "河道保洁与水质提升",
    "农村电商如何带动农产品销售", "村级办公用房建设如何做到节俭实用", "新居民融入与出租房管理",
    "土地综合整治中如何保障群众利益", "村务公开如何做到群众看得懂", "文化礼堂如何常态化用起来",
    "乡村旅游如何让村民真正受益",
]
REASONS = {
    Category.DEVELOPMENT: ["承担美丽乡村精品村建设任务，群众期盼高", "村级集体经济薄弱，群众增收愿望强烈",
                           "土地整治和拆迁任务重，群众关注度高"],
    Category.MODEL: ["省级善治示范村，可总结推广经验", "党群服务中心服务功能重要，群众办事集中"],
    Category.PROJECT: ["实施“共富工坊”书记项目", "承担农村垃圾分类攻坚项目"],
}
RESPONSIBILITIES = ["落实“三会一课”制度，提升组织生活质量", "推进美丽乡村建设和人居环境整治",
                    "发展壮大村级集体经济", "做好新居民服务管理", "加强党员教育管理，发挥先锋模范作用"]
# Later steps of the cycle replace how the demo sets topics (群众点题 mines opinions and assigns the loudest).
TopicSetter = Callable[[Campaign, Iterator[str], random.Random], None]
TOPIC_SETTERS: list[TopicSetter] = []
# …and how subjects report (the meetings step holds a meeting with ballots and closes it).
Reporter = Callable[[Campaign, random.Random], None]
REPORTERS: list[Reporter] = []
# …how results are computed and published (the appraisal step scores the ballots) …
APPRAISERS: list[Reporter] = []
# …and how rectification runs (the rectification step opens cases from confirmed proposals and settles them).
RECTIFIERS: list[Reporter] = []

TONGYUAN = "330424105"  # 通元镇: the demo logins' town
# Phase each town's 2020 campaign is left in, to show every step of the cycle.
TOWN_PHASES = {
    "330424001": "draft", "330424002": "submitted", "330424003": Phase.TOPICS, "330424004": Phase.REPORTING,
    "330424101": Phase.APPRAISAL, "330424102": Phase.RECTIFICATION, "330424103": Phase.ARCHIVED,
    "330424104": Phase.TOPICS, "330424105": Phase.REPORTING,
}


def _villages(town: Organization) -> list[Organization]:
    return list(town.children.filter(level=Organization.Level.GRASSROOTS,
                                     field__in=[Organization.Field.VILLAGE, Organization.Field.COMMUNITY])
                .select_related("secretary").order_by("path"))


def _choices(rng: random.Random, orgs: list[Organization]) -> list[services.Choice]:
    out = []
    for org in orgs:
        category = rng.choice([Category.DEVELOPMENT, Category.DEVELOPMENT, Category.MODEL, Category.PROJECT])
        out.append(services.Choice(org, category, rng.choice(REASONS[category])))
    return out


def _publish(campaign: Campaign) -> None:
    """The convener's admin submits the list; the level above (or, at the top, the approver) approves it."""
    roster.list_submit(actor=demo_admin(campaign.convener), campaign=campaign)
    campaign.refresh_from_db()
    roster.list_approve(actor=demo_decider("campaign.list_approve", roster.list_context(campaign)),
                          campaign=campaign)


def _advance(campaign: Campaign, target: str, rng: random.Random) -> None:
    """Walk a published campaign forward to ``target``, filling in what each move needs."""
    order = Phase.values
    topics = iter(rng.sample(TOPICS, len(TOPICS)) * 10)
    S, R = Subject.Status, Subject.Rectification
    while order.index(campaign.phase) < order.index(target):
        subjects = list(campaign.subjects.select_related("organization", "campaign", "campaign__convener"))
        if campaign.phase == Phase.TOPICS:
            if TOPIC_SETTERS:
                TOPIC_SETTERS[-1](campaign, topics, rng)
            else:
                for s in subjects:
                    services.subject_topic_set(actor=None, subject=s, topic=next(topics))
        elif campaign.phase == Phase.REPORTING:
            if REPORTERS:
                REPORTERS[-1](campaign, rng)
            else:
                for s in subjects:
                    services.subject_update(actor=None, subject=s, status=S.REPORTED)
        elif campaign.phase == Phase.APPRAISAL and APPRAISERS:
            APPRAISERS[-1](campaign, rng)
        elif campaign.phase == Phase.RECTIFICATION and RECTIFIERS:
            RECTIFIERS[-1](campaign, rng)
        elif campaign.phase == Phase.APPRAISAL:
            for s in subjects:
                score = round(rng.gauss(86, 6), 1)
                services.subject_update(actor=None, subject=s, status=S.APPRAISED, score=min(score, 99.0),
                                        rectification=R.OPEN if score < 80 else R.NONE)
        elif campaign.phase == Phase.RECTIFICATION:
            for s in subjects:
                if s.rectification == R.OPEN:
                    services.subject_update(actor=None, subject=s, rectification=R.CLOSED)
        campaign = services.phase_move(actor=None, campaign=campaign, to=order[order.index(campaign.phase) + 1])


def _town_campaign(town: Organization, year: int, state: str, rng: random.Random, parent: Campaign | None) -> Campaign:
    campaign = services.campaign_create(
        actor=None, convener=town, year=year, title=f"{town.short_name}{year}年度村（社区）党组织书记点题述职",
        parent=parent, candidate_fields=[Organization.Field.VILLAGE, Organization.Field.COMMUNITY], deadlines={Phase.TOPICS: f"{year}-05-31", Phase.REPORTING: f"{year}-06-30",
                                  Phase.APPRAISAL: f"{year}-07-15", Phase.RECTIFICATION: f"{year}-10-31"})
    villages = _villages(town)
    if town.code == "330424105":  # 通元镇 chose all 14 of its administrative villages
        chosen = [v for v in villages if v.field == Organization.Field.VILLAGE]
    else:
        chosen = rng.sample(villages, min(len(villages), rng.randint(8, 12)))
    services.subjects_choose(actor=None, campaign=campaign, choices=_choices(rng, chosen))
    if state == "draft":
        return campaign
    if state == "submitted":
        roster.list_submit(actor=demo_admin(town), campaign=campaign)
        return campaign
    _publish(campaign)
    services.phase_move(actor=None, campaign=campaign, to=Phase.TOPICS)
    campaign.refresh_from_db()
    _advance(campaign, state, rng)
    return campaign


def _projects_and_lists(towns: list[Organization], rng: random.Random) -> None:
    for town in towns:
        for v in _villages(town):
            for title in rng.sample(RESPONSIBILITIES, 3):
                services.responsibility_add(actor=None, organization=v, year=2020, title=title)
            if rng.random() < 0.25:
                services.project_add(actor=None, organization=v, year=2020, kind=rng.choice(Project.Kind.values),
                                     title=rng.choice(["共富工坊", "红色物业联盟", "垃圾分类“桶长制”", "村嫂志愿服务队"]))


@transaction.atomic
def load(counties: int = 1, **_: Any) -> None:
    county = Organization.objects.filter(code=HAIYAN_CODE).first()
    if county is None or Campaign.objects.filter(convener=county, year=2020).exists():
        return
    rng = random.Random(2020)
    towns = list(county.children.filter(level=Organization.Level.TOWN).order_by("path"))
    _projects_and_lists(towns, rng)
    # 2019 history in two towns: scores and an unfinished rectification feed the 2020 suggestions.
    for town in towns[:2]:
        _town_campaign(town, 2019, Phase.RECTIFICATION, rng, None)
    # …and in 通元镇, whose secretaries (the demo's `secretary` among them) thus have two years of record: the
    # whole 2019 cycle, still in 整改 (one case running into 2020). Its own random stream, so every other town's
    # demo data stays as it was.
    tongyuan = next((t for t in towns if t.code == TONGYUAN), None)
    if tongyuan is not None:
        _town_campaign(tongyuan, 2019, Phase.RECTIFICATION, random.Random(2019), None)
    county_campaign = services.campaign_create(
        actor=None, convener=county, year=2020, title="海盐县2020年度镇（街道）党（工）委书记点题述职",
        candidate_level=Organization.Level.TOWN, deadlines={Phase.TOPICS: "2020-08-31", Phase.REPORTING: "2020-12-20"})
    services.subjects_choose(actor=None, campaign=county_campaign, choices=[
        services.Choice(t, Category.DEVELOPMENT if i % 3 else Category.MODEL,
                        "承担全县重点项目建设任务，群众关注度高" if i % 3 else "基层治理创新成效明显，示范作用强")
        for i, t in enumerate(towns)])
    _publish(county_campaign)
    services.phase_move(actor=None, campaign=county_campaign, to=Phase.TOPICS)
    for town in towns:
        _town_campaign(town, 2020, TOWN_PHASES.get(town.code, Phase.TOPICS), rng, county_campaign)
