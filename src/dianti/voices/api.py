"""群众点题 endpoints for staff: opinions (filtered like the moderation queue) and an organization's topics."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from dianti.core.api import staff_auth
from dianti.core.pagination import ApiPages, Mapped
from dianti.orgs import selectors as org_selectors

from . import selectors
from .models import Opinion, Topic

router = Router(tags=["voices"], auth=staff_auth)


class OpinionOut(Schema):
    id: int
    tracking_code: str
    organization: str
    channel: str
    title: str
    text: str
    people_met: int
    status: str
    category: str
    topic: int | None
    supports: int
    created_at: dt.datetime


class TopicOut(Schema):
    id: int
    title: str
    keywords: list[str]
    category: str
    size: int
    people: int
    supports: int
    heat: float
    channels: dict[str, int]
    first_at: dt.datetime | None
    last_at: dt.datetime | None
    opinions: list[int]


def _opinion(o: Opinion) -> dict[str, object]:
    return {"id": o.pk, "tracking_code": o.tracking_code, "organization": o.organization.code, "channel": o.channel,
            "title": o.title, "text": o.text, "people_met": o.people_met, "status": o.status,
            "category": o.category, "topic": o.topic_id, "supports": o.supports, "created_at": o.created_at}


@router.get("/opinions", response=list[OpinionOut], summary="意见列表（按组织、渠道、状态筛选；不含联系方式）")
@paginate(ApiPages)
def opinions(request: HttpRequest, org: str = "", channel: str = "", status: str = "", q: str = "") -> Mapped:
    f = selectors.OpinionFilters(q=q, org=org, channel=channel, status=status)
    return Mapped(selectors.opinion_queue(request.user, f), _opinion)


@router.get("/orgs/{code}/topics", response=list[TopicOut], summary="某组织由群众意见梳理出的话题，按呼声排序")
def topics(request: HttpRequest, code: str) -> list[dict[str, object]]:
    org = org_selectors.org_get(request.user, code)
    found = Topic.objects.filter(organization=org).prefetch_related("opinions").order_by("-heat", "id")
    return [{"id": t.pk, "title": t.title, "keywords": t.keywords, "category": t.category, "size": t.size,
             "people": t.people, "supports": t.supports, "heat": t.heat, "channels": t.channels,
             "first_at": t.first_at, "last_at": t.last_at, "opinions": [o.pk for o in t.opinions.all()]}
            for t in found]
