"""群众点题 endpoints for staff: opinions (filtered like the moderation queue; never the villager's name or phone),
an organization's topics and a subject's topic workbench. The writes are in :mod:`.api_writes`; :mod:`.routes` mounts both."""

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from dianti.campaigns import selectors as campaign_selectors
from dianti.campaigns.models import Subject
from dianti.core.api import staff_auth
from dianti.core.apidoc import choice_of, one_of
from dianti.core.pagination import ApiPages, Mapped
from dianti.orgs import selectors as org_selectors

from . import permissions, selectors
from .models import Channel, Opinion, Topic

router = Router(tags=["voices"], auth=staff_auth)


class OpinionOut(Schema):
    id: int = Field(description="意见编号")
    tracking_code: str = Field(description="查询码（群众凭它查看办理进度）")
    organization: str = Field(description="意见所涉组织的编码")
    channel: str = Field(description=one_of("来源渠道", Channel))
    title: str = Field(description="标题")
    text: str = Field(description="意见内容")
    people_met: int = Field(description="接触人次（走访、座谈）")
    status: str = Field(description=one_of("状态", Opinion.Status))
    category: str = Field(description="政策类别（分类器或工作人员给出）；未分类为空")
    topic: int | None = Field(description="所属话题的编号；未归入话题为 null")
    supports: int = Field(description="“我也关心”的人数")
    created_at: dt.datetime = Field(description="提交时间")


class OpinionDetailOut(OpinionOut):
    anonymous: bool = Field(description="是否匿名（反映人姓名和手机号从不经接口提供）")
    hidden_reason: str = Field(description="屏蔽理由；未屏蔽为空")
    duplicate_of: str | None = Field(description="若为重复意见，原件的查询码；否则为 null")
    point: int | None = Field(description="经由的民情直报点或观察点的编号；没有为 null")
    category_source: str = Field(description=one_of("类别来源", Opinion.CategorySource))
    category_confidence: float | None = Field(description="分类器的把握（0–1）；人工分类为 1")


class TopicOut(Schema):
    id: int = Field(description="话题编号")
    title: str = Field(description="话题")
    keywords: list[str] = Field(description="关键词")
    category: str = Field(description="政策类别")
    size: int = Field(description="意见数")
    people: int = Field(description="反映人数（同一人多条只算一次）")
    supports: int = Field(description="“我也关心”的人数")
    heat: float = Field(description="呼声指数（意见、人数、关心数和新近程度的综合，越大越受关注）")
    channels: dict[str, int] = Field(description="各渠道的意见数：渠道 → 条数")
    first_at: dt.datetime | None = Field(description="最早一条意见的时间")
    last_at: dt.datetime | None = Field(description="最近一条意见的时间")
    opinions: list[int] = Field(description="话题下意见的编号")


class AssignedOut(Schema):
    topic: int | None = Field(description="题目来自的话题编号（群众呼声）；没有为 null")
    responsibility: int | None = Field(description="题目来自的党建责任事项编号；没有为 null")
    assigned_at: dt.datetime = Field(description="点题时间")


class WorkbenchOut(Schema):
    subject: int = Field(description="述职对象编号")
    organization: str = Field(description="组织编码")
    topic: str = Field(description="当前的述职题目；未点题为空")
    assigned: AssignedOut | None = Field(description="题目的来源；未点题为 null")
    topics: list[TopicOut] = Field(description="本组织的话题（本活动及未归属活动的），按呼声排序")
    unsorted: int = Field(description="尚未归入任何话题的意见数")


def opinion_out(o: Opinion) -> dict[str, object]:
    return {"id": o.pk, "tracking_code": o.tracking_code, "organization": o.organization.code, "channel": o.channel,
            "title": o.title, "text": o.text, "people_met": o.people_met, "status": o.status,
            "category": o.category, "topic": o.topic_id, "supports": o.supports, "created_at": o.created_at}


def topic_out(t: Topic) -> dict[str, object]:
    return {"id": t.pk, "title": t.title, "keywords": t.keywords, "category": t.category, "size": t.size,
            "people": t.people, "supports": t.supports, "heat": t.heat, "channels": t.channels,
            "first_at": t.first_at, "last_at": t.last_at, "opinions": [o.pk for o in t.opinions.all()]}


@router.get("/opinions", response=list[OpinionOut], summary="群众意见",
            description="本人可处理的意见（含已屏蔽的），新的在前；可按组织（含下级）、渠道、状态、是否未归类筛选或查找。"
                        "不含反映人的姓名和联系方式。")
@paginate(ApiPages)
def opinions(request: HttpRequest,
             org: str = Query("", description="组织编码：只列该组织及其下级的意见", max_length=32),
             channel: choice_of(Channel) | None = Query(None, description=one_of("来源渠道", Channel)),
             status: choice_of(Opinion.Status) | None = Query(None, description=one_of("状态", Opinion.Status)),
             q: str = Query("", description="意见内容、标题的一部分，或查询码", max_length=100),
             unsorted: bool = Query(False, description="只列既未归入话题、也未分类的意见"),
             review: bool = Query(False, description="只列分类器没有把握、需要人工确认类别的意见")) -> Mapped:
    f = selectors.OpinionFilters(q=q.strip(), org=org.strip(), channel=channel or "", status=status or "",
                                 unsorted=unsorted, review=review)
    return Mapped(selectors.opinion_queue(request.user, f), opinion_out)


@router.get("/opinions/{int:opinion_id}", response=OpinionDetailOut, summary="一条意见", description="不含反映人的姓名和联系方式。")
def opinion_detail(request: HttpRequest, opinion_id: int) -> dict[str, object]:
    o = selectors.opinion_get(request.user, opinion_id)
    return {**opinion_out(o), "anonymous": o.anonymous, "hidden_reason": o.hidden_reason,
            "duplicate_of": o.duplicate_of.tracking_code if o.duplicate_of_id else None, "point": o.point_id,
            "category_source": o.category_source, "category_confidence": o.category_confidence}


@router.get("/orgs/{code}/topics", response=list[TopicOut], summary="组织的话题",
            description="由群众意见梳理出的话题，按呼声排序。")
def topics(request: HttpRequest, code: str) -> list[dict[str, object]]:
    org = org_selectors.org_get(request.user, code)
    found = Topic.objects.filter(organization=org).prefetch_related("opinions").order_by("-heat", "id")
    return [topic_out(t) for t in found]


@router.get("/subjects/{subject_id}", response=WorkbenchOut, summary="点题工作台",
            description="为一位述职对象点题所需：本组织的话题（按呼声）、未归类意见数和当前题目的来源。")
def workbench(request: HttpRequest, subject_id: int) -> dict[str, object]:
    subject = permissions.ensure_can_view_subject(request.user, Subject.objects.select_related(
        "campaign", "organization").filter(pk=subject_id).first())
    campaign_selectors.campaign_get(request.user, subject.campaign_id)
    source = getattr(subject, "topic_source", None)
    assigned = None if source is None else {"topic": source.topic_id, "responsibility": source.responsibility_id,
                                            "assigned_at": source.assigned_at}
    return {"subject": subject.pk, "organization": subject.organization.code, "topic": subject.topic,
            "assigned": assigned, "unsorted": selectors.unsorted_for_subject(subject).count(),
            "topics": [topic_out(t) for t in selectors.topics_for_subject(subject).prefetch_related("opinions")]}
