"""The scale counties' campaigns, by bulk inserts (``demo_bulk``, see :mod:`dianti.core.demo`).

Each synthetic county gets the county's campaign (list published, at 述职, rolling up its towns) and one campaign
per town, in the states Haiyan's towns show (:data:`TOWN_STATES`, by the town's place in the county): a list being
drawn up, one awaiting approval, topics being set, a meeting under way, appraisal, rectification, archived. Each
town chooses 8–12 of its villages and communities as Haiyan's do, or — for the province benchmark
(``Scale.everyone``) — every grassroots organization under it, all at 评议. Subjects carry what the services leave
at that phase (the topic from 点题 on; 已述职 once the meeting is held); 已评议 and the score of record are set by
the appraisal step when it publishes.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.utils import timezone

from dianti.core import paths
from dianti.core.demo import Scale
from dianti.orgs.models import Organization

from .demo import REASONS, TOPICS
from .models import Campaign, Category, Phase, Subject

YEAR = 2020
P, LS = Phase, Campaign.ListStatus
TOWN_STATES = [(P.NOMINATE, LS.DRAFT), (P.NOMINATE, LS.SUBMITTED), (P.TOPICS, LS.PUBLISHED), (P.TOPICS, LS.PUBLISHED),
               (P.REPORTING, LS.PUBLISHED), (P.APPRAISAL, LS.PUBLISHED), (P.APPRAISAL, LS.PUBLISHED),
               (P.RECTIFICATION, LS.PUBLISHED), (P.ARCHIVED, LS.PUBLISHED)]
DEADLINES = {P.TOPICS: f"{YEAR}-05-31", P.REPORTING: f"{YEAR}-06-30", P.APPRAISAL: f"{YEAR}-07-15",
             P.RECTIFICATION: f"{YEAR}-10-31"}
HEARD = (P.APPRAISAL, P.RECTIFICATION, P.ARCHIVED)  # phases after the meeting: subjects 已述职


def _campaign(convener: Organization, parent: Campaign | None, phase: str, list_status: str) -> Campaign:
    published = list_status == LS.PUBLISHED
    when = timezone.make_aware(dt.datetime(YEAR, 4, 1, 9))
    return Campaign(title=f"{convener.short_name or convener.name}{YEAR}年度村（社区）党组织书记点题述职", year=YEAR,
                    convener=convener, org_path=convener.path, parent=parent, phase=phase, list_status=list_status,
                    candidate_fields=[Organization.Field.VILLAGE, Organization.Field.COMMUNITY],
                    list_submitted_at=when if list_status != LS.DRAFT else None,
                    list_published_at=when if published else None, deadlines=DEADLINES)


def _subjects(campaign: Campaign, town: Organization, scale: Scale, rng: random.Random) -> list[Subject]:
    orgs = Organization.objects.subtree(town.path).filter(level=Organization.Level.GRASSROOTS)
    if not scale.everyone:
        orgs = orgs.filter(parent=town, field__in=[Organization.Field.VILLAGE, Organization.Field.COMMUNITY])
    chosen = list(orgs.order_by("path").values_list("pk", "path", "secretary_id", "secretary__name"))
    if not scale.everyone:
        chosen = sorted(rng.sample(chosen, min(len(chosen), rng.randint(8, 12))), key=lambda o: o[1])
    with_topic = campaign.phase not in (P.NOMINATE, P.TOPICS)
    status = (Subject.Status.REPORTED if campaign.phase in HEARD
              else Subject.Status.TOPIC_SET if with_topic else Subject.Status.CHOSEN)
    out = []
    for n, (pk, path, secretary, name) in enumerate(chosen, start=1):
        category = rng.choice([Category.DEVELOPMENT, Category.DEVELOPMENT, Category.MODEL, Category.PROJECT])
        topic = rng.choice(TOPICS) if with_topic or (campaign.phase == P.TOPICS and n % 2) else ""
        out.append(Subject(campaign=campaign, organization_id=pk, org_path=path, secretary_id=secretary,
                           secretary_name=name or "", category=category, reason=rng.choice(REASONS[category]),
                           status=Subject.Status.TOPIC_SET if topic and status == Subject.Status.CHOSEN else status,
                           topic=topic, topic_assigned_at=campaign.list_published_at if topic else None, order=n))
    return out


def fill(scale: Scale) -> dict[str, Any]:
    """Give every scale county its campaign and its towns' campaigns with their subjects."""
    made = subjects = 0
    for path in scale.counties:
        county = Organization.objects.get(path=path)
        rng = random.Random(f"{scale.seed}:{path}")
        top = Campaign.objects.bulk_create([_campaign(county, None, P.REPORTING, LS.PUBLISHED)])[0]
        towns = list(Organization.objects.filter(parent=county, level=Organization.Level.TOWN).order_by("path"))
        states = [(P.APPRAISAL, LS.PUBLISHED)] * len(towns) if scale.everyone else TOWN_STATES
        rows = Campaign.objects.bulk_create([_campaign(t, top, *states[i % len(states)])
                                             for i, t in enumerate(towns)])
        batch = [s for c, t in zip(rows, towns, strict=True) for s in _subjects(c, t, scale, rng)]
        Subject.objects.bulk_create(batch, batch_size=5000)
        made += len(rows) + 1
        subjects += len(batch)
    return {"campaigns": made, "subjects": subjects}


def of_scale(scale: Scale) -> Any:
    """Return the campaigns of the scale counties (for the steps after this one)."""
    from django.db.models import Q

    q = Q(pk__in=[])
    for path in scale.counties:
        q |= Q(org_path__gte=path, org_path__lt=paths.successor(path))
    return Campaign.objects.filter(q)
