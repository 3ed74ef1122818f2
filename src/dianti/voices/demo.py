"""Demo opinions for Haiyan: about 1,200 opinions over every channel for the 2020 subjects, mined into topics, the
loudest of which becomes each secretary's topic. Hooks into the campaigns demo so topics are set the real way."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

from django.db import transaction

from dianti.campaigns import demo as campaigns_demo
from dianti.campaigns import heat
from dianti.campaigns.models import Campaign, Phase, Subject
from dianti.core import audit, phone_codes, ratelimit
from dianti.orgs.demo import HAIYAN_CODE
from dianti.orgs.models import ContactPoint, Organization

from . import services, topics, verify
from .demo_voices import CONCERNS
from .demo_voices import wording as worded
from .mining_bridge import mine_organization
from .models import Channel, Opinion, Support, Topic

# No spot holds a word of WORDING's cues (a lamp topic at 河滨路 would read as the river's). Most are places the
# recogniser of the workbench's place view finds (mining/places.py: groups, bridges, streets, roads, an estate).
SPOTS = ["一组", "三组", "五组", "东港桥", "晒谷场", "老街", "桂花苑", "小学门口", "北横路", "南港路"]
# Each village has a trouble spot where many different things go wrong (the place view shows it as a concern).
HOT_SPOTS = ["老街", "桂花苑", "北横路", "东港桥", "三组"]
HOT_WEIGHT = 6
# Haiyan's own setting: a door-to-door visit weighs a little more than the default, each person met counts 0.8.
DEMO_HEAT_WEIGHTS = {"participant_weight": 0.8, "channel_visit": 1.8}
CHANNEL_MIX = [Channel.ONLINE] * 5 + [Channel.VISIT] * 2 + [Channel.SYMPOSIUM, Channel.DIRECT_REPORT,
                                                                          Channel.OBSERVATION, Channel.SELF_INSPECTION]


def _code(taken: set[str]) -> str:
    code = services.new_tracking_code()
    while code in taken:
        code = services.new_tracking_code()
    taken.add(code)
    return code


def _opinions_for(subject: Subject, rng: random.Random, points: list[ContactPoint], taken: set[str]) -> list[Opinion]:
    """Return 8–18 opinions on 3–4 concerns for the subject's organization, the first loudest, each worded anew
    (:func:`.demo_voices.wording`: no text twice in one organization), many at the village's trouble spot, as
    :func:`.services.opinion_submit` (online) and :func:`.services.opinion_record` (the other channels) store them."""
    org = subject.organization
    village = org.short_name or org.name
    campaign = services.open_campaign_for(org)
    themes = rng.sample(CONCERNS, rng.randint(3, 4))
    spots = [rng.choice(HOT_SPOTS)] * HOT_WEIGHT + SPOTS
    seen = set(Opinion.objects.filter(organization=org).values_list("text", flat=True))
    weights = [rng.randint(5, 9), rng.randint(2, 5), rng.randint(1, 3), rng.randint(1, 2)]
    made = []
    for concern, n in zip(themes, weights, strict=False):
        title = concern.title
        for _ in range(n):
            text = services.clean_text(worded(concern, village, spots, rng, seen))
            channel = rng.choice(CHANNEL_MIX)
            common = {"organization": org, "org_path": org.path, "campaign": campaign, "channel": channel, "text": text,
                      "tracking_code": _code(taken)}
            if channel == Channel.ONLINE:
                phone = "" if rng.random() < 0.6 else f"139{rng.randint(10000000, 99999999)}"
                shown = title if rng.random() < 0.3 else ""
                name = rng.choice(["王阿姨", "李师傅", "老张", "陈先生"]) if phone else ""
                rng.random()  # the submitter's address, which only the rate limit reads
                device = ratelimit.digest(f"demo-dev-{rng.random()}")
                made.append(Opinion(**common, title=shown, anonymous=not phone, author_name=name, author_phone=phone,
                                    author_key=services._author_key(phone, device)))
            else:
                point = next((p for p in points if p.organization_id == org.pk), None) if channel in (
                    Channel.DIRECT_REPORT, Channel.OBSERVATION) else None
                met = rng.randint(5, 20) if channel == Channel.VISIT else rng.randint(8, 30) if channel == Channel.SYMPOSIUM else 0
                made.append(Opinion(**common, point=point, title=title if rng.random() < 0.5 else "", anonymous=True,
                                    author_key=services._author_key("", ""), people_met=met))
    return made


def _supports(org_topics: list[Topic], rng: random.Random) -> None:
    for t in org_topics[:2]:
        # Every third supporter proved a phone by SMS code (Haiyan asks for it): the workbench shows them apart.
        Support.objects.bulk_create([Support(device_hash=ratelimit.digest(f"demo-support-{t.pk}-{k}"), topic=t,
                                             phone_hash=phone_codes.phone_key(f"139{t.pk:04d}{k:04d}") if k % 3 == 0
                                             else "")
                                     for k in range(rng.randint(2, 12))])
        topics.refresh(t.pk)


def _mine_and_assign(campaign: Campaign, fallback: Iterator[str], rng: random.Random, assign: bool = True) -> None:
    """Collect opinions for every subject, mine them, and (if ``assign``) make the loudest topic the subject's.

    The opinions and the +1s are the public's and the points' input, which the demo does not act out one request
    at a time: they are inserted as the services store them (one audit record for the campaign's, instead of one
    each) and then mined, ranked and assigned the real way."""
    points = list(ContactPoint.objects.filter(org_path__startswith=campaign.org_path))
    taken = set(Opinion.objects.values_list("tracking_code", flat=True))
    loaded = 0
    for subject in campaign.subjects.select_related("organization", "campaign", "campaign__convener"):
        if not Opinion.objects.filter(organization=subject.organization, campaign=campaign).exists():
            loaded += len(Opinion.objects.bulk_create(_opinions_for(subject, rng, points, taken)))
        mine_organization(subject.organization, campaign)
        ranked = list(Topic.objects.filter(organization=subject.organization, campaign=campaign).order_by("-heat"))
        _supports(ranked, rng)
        if not assign:
            continue
        top = max(ranked, key=lambda t: t.heat, default=None)
        text = _own_wording(subject, _as_question(top.title) if top else next(fallback))
        topics.topic_assign(actor=None, subject=subject, text=text, topic=top)
    if loaded:
        audit.record(actor="演示数据", action="demo.load", target=campaign, org_path=campaign.org_path,
                     note=f"载入演示意见：{loaded} 条")


# How the committee words each kind of concern as the topic a secretary must answer.
_CUES = {"如何让村里的路灯常亮、夜路安全": "路灯 灯", "河道保洁与水质提升如何见效": "河",
         "垃圾清运和分类如何长效管理": "垃圾 分类桶", "老年食堂如何办得长久、办到老人心坎上": "食堂",
         "村道破损和出行难怎么解决": "村道 道路 路面 积水 路烂 路太窄 压坏",
         "村民到镇上、县城出行难如何破解": "公交 班车 站台 末班车 趟车",
         "村级集体经济如何持续增收": "集体 厂房 产业 项目", "闲置农房如何盘活利用": "农房 老房子 老屋 空房 空置",
         "村务公开如何做到群众看得懂": "村务公开 公开栏 账", "文化礼堂如何常态化用起来": "礼堂",
         "出租房安全隐患如何整治": "出租 租房"}
# The first cue found in a topic's title picks its wording (lamps before rivers before rubbish: 河里漂满垃圾).
WORDING = {cue: question for question, cues in _CUES.items() for cue in cues.split()}


def _as_question(title: str) -> str:
    """Word a topic's title as the topic a secretary answers (the demo's stand-in for the committee's wording)."""
    for cue, wording in WORDING.items():
        if cue in title:
            return wording
    return f"群众反映“{title.rstrip('。！!？?，,')[:40]}”，如何解决"


def _own_wording(subject: Any, text: str) -> str:
    """Word the topic for this organization when another secretary of the campaign already has it, as a committee
    does: different secretaries get different topics."""
    if topics.same_topic_elsewhere(subject, text):
        return f"{subject.organization.display_name}{text}"
    return text


def _county_heat_scheme() -> None:
    """Set Haiyan's heat knobs, which every campaign under it inherits, before any topic is mined."""
    county = Organization.objects.filter(code=HAIYAN_CODE).first()
    if county is not None and not heat.scheme_of(county):
        heat.heat_scheme_set(actor=_county_admin(), organization=county, weights=DEMO_HEAT_WEIGHTS)


def _county_admin() -> Any:
    """The demo's county admin, who sets the county's knobs as core/rules.py says (None on a tree without logins)."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(username="county_admin").first()


def _setter(campaign: Campaign, fallback: Iterator[str], rng: random.Random) -> None:
    _county_heat_scheme()
    _mine_and_assign(campaign, fallback, rng)


campaigns_demo.TOPIC_SETTERS.append(_setter)


@transaction.atomic
def load(counties: int = 1, **_: Any) -> None:
    """Towns still collecting (点名, 点题): opinions and mined topics, with some topics already chosen."""
    if not Campaign.objects.filter(org_path__isnull=False, convener__code=HAIYAN_CODE).exists():
        return
    rng = random.Random(1200)
    _county_heat_scheme()
    # Haiyan proves phones by SMS code on its QR pages (voices/verify.py); under `make run` the code is in the
    # console log only (README: 试用短信验证码).
    county = Organization.objects.filter(code=HAIYAN_CODE).first()
    if county is not None and not verify.required_for(county):  # loaded once: a second `dianti demo` changes nothing
        verify.setting_set(actor=_county_admin(), county=county, on=True)
    open_campaigns = Campaign.objects.filter(year=2020, phase__in=[Phase.NOMINATE, Phase.TOPICS],
                                             convener__parent__code=HAIYAN_CODE)
    for campaign in open_campaigns:
        if Opinion.objects.filter(campaign=campaign).exists():
            continue
        if campaign.phase == Phase.TOPICS:
            subjects = list(campaign.subjects.all())
            _mine_and_assign(campaign, iter(campaigns_demo.TOPICS * 10), rng, assign=False)
            for subject in subjects[: len(subjects) // 2] if campaign.convener.code == "330424003" else []:
                top = Topic.objects.filter(organization=subject.organization, campaign=campaign).order_by("-heat").first()
                if top is not None:
                    topics.topic_assign(actor=None, subject=subject, topic=top,
                                        text=_own_wording(subject, _as_question(top.title)))
        else:
            _mine_and_assign(campaign, iter(campaigns_demo.TOPICS * 10), rng, assign=False)
