"""The API's view of campaigns: the answers' schemas and the mappers from models, shared by the reads
(:mod:`.api`) and the writes (:mod:`.api_writes`)."""

import datetime as dt

from ninja import Field, Schema

from dianti.core.apidoc import one_of
from dianti.orgs.models import Organization

from .models import Campaign, Category, Phase, ResponsibilityItem, Subject


class CampaignOut(Schema):
    id: int = Field(description="述职活动编号")
    title: str = Field(description="活动名称")
    year: int = Field(description="年度")
    batch: str = Field(description="批次（同一年度多批时区分）")
    convener: str = Field(description="召集组织的编码")
    convener_name: str = Field(description="召集组织的名称")
    parent: int | None = Field(description="上级述职活动的编号（县、镇、村三级联述）；没有为 null")
    phase: str = Field(description=one_of("阶段", Phase))
    list_status: str = Field(description=one_of("名单状态", Campaign.ListStatus))
    published_at: dt.datetime | None = Field(description="名单公示时间；未公示为 null")
    subjects: int = Field(description="述职对象数")
    candidate_level: str = Field(description=one_of("述职对象的层级", Organization.Level))
    candidate_fields: list[str] = Field(description="述职对象的领域（空表示全部）")
    direct_only: bool = Field(description="是否只从召集组织的直属下级中点名")
    deadlines: dict[str, str] = Field(description="各阶段截止日期：阶段 → 日期（如 2026-05-31）")
    scheme: str = Field(description="评分方案的代号；空为默认方案")


class SubjectOut(Schema):
    id: int = Field(description="述职对象编号")
    organization: str = Field(description="组织编码")
    organization_name: str = Field(description="组织名称")
    secretary: str = Field(description="书记姓名（点名时的书记）")
    category: str = Field(description=one_of("点名类别", Category))
    reason: str = Field(description="点名理由")
    status: str = Field(description=one_of("状态", Subject.Status))
    topic: str = Field(description="述职题目；未点题为空")
    score: float | None = Field(description="评议得分（评分引擎的记录得分）；未评议为 null")
    rectification: str = Field(description=one_of("整改", Subject.Rectification))


class MySubjectOut(SubjectOut):
    campaign: int = Field(description="述职活动编号")
    campaign_title: str = Field(description="述职活动名称")
    year: int = Field(description="年度")
    phase: str = Field(description=one_of("活动当前阶段", Phase))


class RollupOut(Schema):
    campaign: CampaignOut = Field(description="下级述职活动")
    subjects: int = Field(description="述职对象数")
    topics_set: int = Field(description="已点题数")
    reported: int = Field(description="已述职数")
    appraised: int = Field(description="已评议数")
    rectification_open: int = Field(description="整改中")
    rectification_closed: int = Field(description="已销号")


class CampaignDetailOut(CampaignOut):
    subject_list: list[SubjectOut] = Field(description="述职对象（全部；分页读取请用 /campaigns/{id}/subjects）")
    rollup: list[RollupOut] = Field(description="下级述职活动的汇总（县、镇、村三级联述）")


class ResponsibilityOut(Schema):
    id: int = Field(description="责任事项编号")
    organization: str = Field(description="组织编码")
    year: int = Field(description="年度")
    title: str = Field(description="责任事项")
    detail: str = Field(description="具体内容")


def campaign_out(c: Campaign, n_subjects: int | None = None) -> dict[str, object]:
    return {"id": c.pk, "title": c.title, "year": c.year, "batch": c.batch, "convener": c.convener.code,
            "convener_name": c.convener.name, "parent": c.parent_id, "phase": c.phase,
            "list_status": c.list_status, "published_at": c.list_published_at,
            "subjects": n_subjects if n_subjects is not None else getattr(c, "n_subjects", 0),
            "candidate_level": c.candidate_level, "candidate_fields": list(c.candidate_fields or []),
            "direct_only": c.direct_only, "deadlines": dict(c.deadlines or {}), "scheme": c.scheme_key}


def subject_out(s: Subject) -> dict[str, object]:
    return {"id": s.pk, "organization": s.organization.code, "organization_name": s.organization.name,
            "secretary": s.secretary_name, "category": s.category, "reason": s.reason, "status": s.status,
            "topic": s.topic, "score": s.score, "rectification": s.rectification}


def responsibility_out(r: ResponsibilityItem, code: str) -> dict[str, object]:
    return {"id": r.pk, "organization": code, "year": r.year, "title": r.title, "detail": r.detail}
