"""Campaign endpoints for staff: list, detail with subjects, and the chain roll-up — always scoped."""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from dianti.core.api import staff_auth
from dianti.core.pagination import ApiPages, Mapped

from . import selectors, services
from .models import Campaign, Subject

router = Router(tags=["campaigns"], auth=staff_auth)


class CampaignOut(Schema):
    id: int
    title: str
    year: int
    batch: str
    convener: str
    convener_name: str
    parent: int | None
    phase: str
    list_status: str
    published_at: dt.datetime | None
    subjects: int


class SubjectOut(Schema):
    id: int
    organization: str
    organization_name: str
    secretary: str
    category: str
    reason: str
    status: str
    topic: str
    score: float | None
    rectification: str


class RollupOut(Schema):
    campaign: CampaignOut
    subjects: int
    topics_set: int
    reported: int
    appraised: int
    rectification_open: int
    rectification_closed: int


class CampaignDetailOut(CampaignOut):
    subject_list: list[SubjectOut]
    rollup: list[RollupOut]


def _campaign(c: Campaign, n_subjects: int | None = None) -> dict[str, object]:
    return {"id": c.pk, "title": c.title, "year": c.year, "batch": c.batch, "convener": c.convener.code,
            "convener_name": c.convener.name, "parent": c.parent_id, "phase": c.phase,
            "list_status": c.list_status, "published_at": c.list_published_at,
            "subjects": n_subjects if n_subjects is not None else getattr(c, "n_subjects", 0)}


def _subject(s: Subject) -> dict[str, object]:
    return {"id": s.pk, "organization": s.organization.code, "organization_name": s.organization.name,
            "secretary": s.secretary_name, "category": s.category, "reason": s.reason, "status": s.status,
            "topic": s.topic, "score": s.score, "rectification": s.rectification}


@router.get("", response=list[CampaignOut], summary="本人可见的述职活动")
@paginate(ApiPages)
def campaign_list(request: HttpRequest, year: int | None = None) -> Mapped:
    return Mapped(selectors.visible_campaigns(request.user, year), _campaign)


@router.get("/{campaign_id}", response=CampaignDetailOut, summary="述职活动详情：述职对象与下级活动汇总")
def campaign_detail(request: HttpRequest, campaign_id: int) -> dict[str, object]:
    c = selectors.campaign_get(request.user, campaign_id)
    subjects = [_subject(s) for s in selectors.subjects_of(c)]
    rows, _totals = selectors.rollup(c)
    rollup = [{"campaign": _campaign(r.campaign, r.subjects), "subjects": r.subjects, "topics_set": r.topics_set,
               "reported": r.reported, "appraised": r.appraised, "rectification_open": r.rectification_open,
               "rectification_closed": r.rectification_closed} for r in rows]
    return {**_campaign(c, len(subjects)), "subject_list": subjects, "rollup": rollup}


class NoteIn(Schema):
    note: str = ""


class PhaseIn(Schema):
    to: str
    note: str = ""


@router.post("/{campaign_id}/list/{action}", response=CampaignOut,
             summary="名单：submit 提交审批（本级）、approve 审批并公示（上级，非提交人）、return 退回（上级）")
def list_act(request: HttpRequest, campaign_id: int, action: str, body: NoteIn) -> dict[str, object]:
    campaign = selectors.campaign_get(request.user, campaign_id)
    if action == "submit":
        services.list_submit(actor=request.user, campaign=campaign)
    elif action == "approve":
        services.list_approve(actor=request.user, campaign=campaign)
    elif action == "return":
        services.list_return(actor=request.user, campaign=campaign, note=body.note)
    else:
        raise Http404("没有这个操作")
    return _campaign(campaign)


@router.post("/{campaign_id}/phase", response=CampaignOut, summary="推进（本级）或退回（上级）述职活动阶段")
def phase_act(request: HttpRequest, campaign_id: int, body: PhaseIn) -> dict[str, object]:
    campaign = selectors.campaign_get(request.user, campaign_id)
    services.phase_move(actor=request.user, campaign=campaign, to=body.to, note=body.note)
    return _campaign(campaign)
