"""评议考核 endpoints for staff: results per campaign, meeting and subject (with the explanation), proposals, and the
annual assessment with each organization's history — always scoped like the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from dianti.campaigns import selectors as campaign_selectors
from dianti.core.api import staff_auth
from dianti.core.pagination import ApiPages, Mapped
from dianti.meetings import selectors as meeting_selectors
from dianti.orgs.models import Organization

from . import annual, explanations, publication, selectors, services
from .models import ActionProposal, AnnualAssessment
from .permissions import ensure_can_view_county

router = Router(tags=["appraisal"], auth=staff_auth)


class ProposalOut(Schema):
    id: int
    subject: int
    campaign: int
    organization: str
    action: str
    rule: str
    reason: str
    uncertain: bool
    status: str
    note: str
    decided_at: dt.datetime | None


class ResultOut(Schema):
    subject: int
    organization: str
    organization_name: str
    secretary: str
    computed: bool
    score: float | None = None
    ballots: int = 0
    invalid: int = 0
    satisfaction: float | None = None
    satisfaction_low: float | None = None
    satisfaction_high: float | None = None
    dissatisfaction: float | None = None
    alpha: float | None = None
    uncertain: bool = False
    status: str = ""
    scheme: str = ""
    scheme_version: int | None = None
    groups: dict[str, float | None] = {}
    distribution: dict[str, int] = {}
    proposals: list[ProposalOut] = []


class ResultDetailOut(ResultOut):
    items: dict[str, float | None] = {}
    rules: list[dict[str, Any]] = []
    flags: list[dict[str, Any]] = []
    panel_alpha: dict[str, Any] = {}
    explanation: str | None = None


class AnnualOut(Schema):
    organization: str
    organization_name: str
    year: int
    total: float | None
    parts: list[dict[str, Any]]
    band: str
    stars: int
    innovation: bool
    rank: int | None
    rank_of: int
    peer_rank: int | None
    peer_count: int
    flags: list[dict[str, Any]]


def _proposal(p: ActionProposal) -> dict[str, Any]:
    return {"id": p.pk, "subject": p.subject_id, "campaign": p.campaign_id,
            "organization": p.subject.organization.code, "action": p.action, "rule": p.rule, "reason": p.reason,
            "uncertain": p.uncertain, "status": p.status, "note": p.note, "decided_at": p.decided_at}


def _result(row: selectors.ResultRow, detail: bool = False, full: bool = True) -> dict[str, Any]:
    s, r = row.subject, row.result
    out: dict[str, Any] = {"subject": s.pk, "organization": s.organization.code,
                           "organization_name": s.organization.name, "secretary": s.secretary_name,
                           "computed": r is not None, "proposals": [_proposal(p) for p in row.proposals]}
    if r is None:
        return out
    view = selectors.result_view(r)
    out.update(score=r.score, ballots=r.ballots, invalid=r.invalid, satisfaction=r.satisfaction,
               satisfaction_low=r.satisfaction_low, satisfaction_high=r.satisfaction_high,
               dissatisfaction=r.dissatisfaction, alpha=r.alpha, uncertain=row.uncertain, status=r.status,
               scheme=r.scheme.key, scheme_version=r.scheme.version,
               groups={g["label"]: g["score"] for g in view["groups"]},
               distribution={d["grade"]: d["n"] for d in view["distribution"]})
    if detail:
        out.update(items={i["label"]: i["score"] for i in view["items"]}, rules=view["rules"],
                   flags=view["flags"] + view["rater_flags"] if full else view["flags"],
                   panel_alpha=view["alpha"], explanation=explanations.result_explanation(r) if full else None)
    return out


def _results(subjects: list[Any]) -> list[dict[str, Any]]:
    return [_result(r) for r in selectors.result_rows(subjects)]


@router.get("/campaigns/{campaign_id}/results", response=list[ResultOut], summary="述职活动的评议结果")
@paginate(ApiPages)
def campaign_results(request: HttpRequest, campaign_id: int) -> Mapped:
    campaign = campaign_selectors.campaign_get(request.user, campaign_id)
    return Mapped(selectors.campaign_subjects(campaign), many=_results)


@router.get("/meetings/{meeting_id}/results", response=list[ResultOut], summary="述职会的评议结果（评分引擎计算）")
@paginate(ApiPages)
def meeting_results(request: HttpRequest, meeting_id: int) -> Mapped:
    meeting = meeting_selectors.meeting_get(request.user, meeting_id)
    return Mapped(selectors.meeting_subjects(meeting), many=_results)


@router.get("/subjects/{subject_id}/result", response=ResultDetailOut, summary="一位述职对象的评议结果及计算说明")
def subject_result(request: HttpRequest, subject_id: int) -> dict[str, Any]:
    subject, result, full = selectors.subject_get(request.user, subject_id)
    proposals = list(subject.proposals.select_related("subject__organization")) if full else []
    return _result(selectors.ResultRow(subject, result, proposals), detail=True, full=full)


@router.get("/proposals", response=list[ProposalOut], summary="本人可处理的处置建议")
@paginate(ApiPages)
def proposals(request: HttpRequest, status: str = "", action: str = "",
              campaign: int | None = None) -> Mapped:
    return Mapped(selectors.proposals(request.user, status=status, action=action, campaign=campaign), _proposal)


def _annual(a: AnnualAssessment) -> dict[str, Any]:
    return {"organization": a.organization.code, "organization_name": a.organization.name, "year": a.year,
            "total": a.total, "parts": a.parts, "band": a.band, "stars": a.stars, "innovation": a.innovation,
            "rank": a.rank, "rank_of": a.rank_of, "peer_rank": a.peer_rank, "peer_count": a.peer_count,
            "flags": a.flags}


@router.get("/assessment", response=list[AnnualOut], summary="年度综合考核（总分、等次、星级、排名）")
@paginate(ApiPages)
def assessment(request: HttpRequest, year: int, org: str = "") -> Mapped:
    within = selectors.org_for(request.user, org) if org else None
    return Mapped(selectors.annual_list(request.user, year, within), _annual)


@router.get("/assessment/{code}/history", response=list[AnnualOut], summary="一个组织的历年考核")
def assessment_history(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    return [_annual(a) for a in selectors.annual_history(selectors.org_for(request.user, code))]


class NoteIn(Schema):
    note: str = ""


class ActOut(Schema):
    done: str
    count: int = 1


@router.post("/campaigns/{campaign_id}/results/{action}", response=ActOut,
             summary="评议结果：submit 送审（本级）、publish 审核通过并公示（上级，非送审人）、return 退回（上级）")
def results_act(request: HttpRequest, campaign_id: int, action: str, body: NoteIn) -> dict[str, Any]:
    campaign = campaign_selectors.campaign_get(request.user, campaign_id)
    acts = {"submit": lambda: publication.results_submit(actor=request.user, campaign=campaign),
            "publish": lambda: publication.results_publish(actor=request.user, campaign=campaign),
            "return": lambda: publication.results_return(actor=request.user, campaign=campaign, note=body.note)}
    if action not in acts:
        raise Http404("没有这个操作")
    return {"done": action, "count": acts[action]()}


@router.post("/subjects/{subject_id}/withdraw", response=ActOut, summary="撤回已公示的评议结果（上级，须写理由）")
def result_withdraw(request: HttpRequest, subject_id: int, body: NoteIn) -> dict[str, Any]:
    subject, _result, full = selectors.subject_get(request.user, subject_id)
    if not full:
        raise Http404("找不到该评议结果，或您无权查看")
    publication.results_withdraw(actor=request.user, subject=subject, reason=body.note)
    return {"done": "withdraw"}


@router.post("/proposals/{proposal_id}/{decision}", response=ActOut, summary="处置建议：confirm 确认、dismiss 不采纳（本级）")
def proposal_act(request: HttpRequest, proposal_id: int, decision: str, body: NoteIn) -> dict[str, Any]:
    proposal = selectors.proposal_get(request.user, proposal_id)
    if decision == "confirm":
        services.proposal_confirm(actor=request.user, proposal=proposal, note=body.note)
    elif decision == "dismiss":
        services.proposal_dismiss(actor=request.user, proposal=proposal, note=body.note)
    else:
        raise Http404("没有这个操作")
    return {"done": decision}


@router.post("/assessment/{code}/{year}/confirm", response=ActOut, summary="确认县的年度考核等次和星级（上级或审批人，非计算人）")
def assessment_confirm(request: HttpRequest, code: str, year: int, body: NoteIn) -> dict[str, Any]:
    county = ensure_can_view_county(
        request.user, Organization.objects.filter(code=code, level=Organization.Level.COUNTY).first())
    annual.assessment_confirm(actor=request.user, county=county, year=year, note=body.note)
    return {"done": "confirm"}
