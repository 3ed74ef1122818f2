"""评议考核 endpoints for staff: results per campaign, meeting and subject (with the explanation), proposals, the
scoring schemes, and the annual assessment with each organization's history — always scoped like the pages. A
result is a subject's aggregate: no operation names an evaluator or reads a single ballot. The writes are in
:mod:`.api_writes`; :mod:`.routes` mounts both."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from dianti.campaigns import selectors as campaign_selectors
from dianti.core.api import ID_MAX, staff_auth
from dianti.core.apidoc import choice_of, one_of
from dianti.core.pagination import ApiPages, Mapped
from dianti.meetings import selectors as meeting_selectors

from . import explanations, scheme_reads, selectors
from .models import ActionProposal, AnnualAssessment, ScoringScheme, SubjectResult

router = Router(tags=["appraisal"], auth=staff_auth)


class ProposalOut(Schema):
    id: int = Field(description="处置建议编号")
    subject: int = Field(description="述职对象编号")
    campaign: int = Field(description="述职活动编号")
    organization: str = Field(description="组织编码")
    action: str = Field(description=one_of("建议的处置", ActionProposal.Action))
    rule: str = Field(description="触发建议的评分方案规则")
    reason: str = Field(description="建议理由")
    uncertain: bool = Field(description="是否“不确定”：满意率区间跨过门槛，须人工斟酌")
    status: str = Field(description=one_of("状态", ActionProposal.Status))
    note: str = Field(description="处理说明")
    decided_at: dt.datetime | None = Field(description="处理时间；未处理为 null")


class ResultOut(Schema):
    subject: int = Field(description="述职对象编号")
    organization: str = Field(description="组织编码")
    organization_name: str = Field(description="组织名称")
    secretary: str = Field(description="书记姓名")
    computed: bool = Field(description="是否已计算评议结果（未计算时以下得分字段为空）")
    score: float | None = Field(None, description="得分（评分引擎的记录得分，0–100）")
    ballots: int = Field(0, description="有效票数")
    invalid: int = Field(0, description="无效票数")
    satisfaction: float | None = Field(None, description="满意率：（好 + 较好）÷ 有效票（按方案的等次定义，0–1）")
    satisfaction_low: float | None = Field(None, description="满意率 Wilson 区间的下限（置信水平按评分方案，默认 95%）")
    satisfaction_high: float | None = Field(None, description="满意率 Wilson 区间的上限")
    dissatisfaction: float | None = Field(None, description="不满意率：差 ÷ 有效票（0–1）")
    alpha: float | None = Field(None, description="评议一致性 Krippendorff α（1 完全一致，0 相当于随机）")
    uncertain: bool = Field(False, description="处置规则是否“不确定”：满意率区间跨过门槛，须人工斟酌")
    status: str = Field("", description=one_of("结果状态", SubjectResult.Status))
    scheme: str = Field("", description="计算所用评分方案的代号")
    scheme_version: int | None = Field(None, description="评分方案的版本")
    groups: dict[str, float | None] = Field({}, description="各评议人类别的得分：类别 → 得分")
    distribution: dict[str, int] = Field({}, description="各等次的票数：等次 → 票数（汇总，不含任何一张票）")
    proposals: list[ProposalOut] = Field([], description="由结果触发的处置建议")


class ResultDetailOut(ResultOut):
    items: dict[str, float | None] = Field({}, description="各分项的得分：分项 → 得分")
    rules: list[dict[str, Any]] = Field([], description="评分方案的各条规则及其对本结果的作用")
    flags: list[dict[str, Any]] = Field([], description="提示（如某类评议人票数过少、疑似雷同票的比例）")
    panel_alpha: dict[str, Any] = Field({}, description="本场会议评议人一致性的详情")
    explanation: str | None = Field(None, description="计算说明（按评分方案逐步写明得分如何得来）；书记本人看不到")


class AnnualOut(Schema):
    organization: str = Field(description="组织编码")
    organization_name: str = Field(description="组织名称")
    year: int = Field(description="年度")
    total: float | None = Field(description="综合考核总分")
    parts: list[dict[str, Any]] = Field(description="各部分的得分和权重")
    band: str = Field(description="等次")
    stars: int = Field(description="星级（总分暂缺某部分时为 0）")
    innovation: bool = Field(description="是否有创新项目加分")
    rank: int | None = Field(description="在全县的排名")
    rank_of: int = Field(description="全县参与排名的组织数")
    peer_rank: int | None = Field(description="在同领域（如农村、社区）中的排名")
    peer_count: int = Field(description="同领域参与排名的组织数")
    flags: list[dict[str, Any]] = Field(description="提示（如缺少某部分的分数）")


class SchemeOut(Schema):
    key: str = Field(description="方案编号（default 为平台默认方案）")
    version: int = Field(description="版本（每次保存加一；已算的结果保留当时的版本）")
    name: str = Field(description="方案名称")
    organization: str | None = Field(description="制定单位的编码；默认方案为 null")
    created_at: dt.datetime | None = Field(description="保存时间；尚未保存的默认方案为 null")


class SchemeDetailOut(SchemeOut):
    data: dict[str, Any] = Field(description="方案内容（评分引擎的格式；修改时按此格式提交）")
    versions: list[int] = Field(description="全部版本号，新的在前")


def proposal_out(p: ActionProposal) -> dict[str, Any]:
    return {"id": p.pk, "subject": p.subject_id, "campaign": p.campaign_id,
            "organization": p.subject.organization.code, "action": p.action, "rule": p.rule, "reason": p.reason,
            "uncertain": p.uncertain, "status": p.status, "note": p.note, "decided_at": p.decided_at}


def _result(row: selectors.ResultRow, detail: bool = False, full: bool = True) -> dict[str, Any]:
    s, r = row.subject, row.result
    out: dict[str, Any] = {"subject": s.pk, "organization": s.organization.code,
                           "organization_name": s.organization.name, "secretary": s.secretary_name,
                           "computed": r is not None, "proposals": [proposal_out(p) for p in row.proposals]}
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


def scheme_out(s: ScoringScheme) -> dict[str, Any]:
    return {"key": s.key, "version": s.version, "name": s.name,
            "organization": s.organization.code if s.organization_id else None,
            "created_at": s.created_at if s.pk else None}


@router.get("/campaigns/{campaign_id}/results", response=list[ResultOut], summary="述职活动的评议结果",
            description="一项述职活动全部述职对象的评议结果（按名单顺序），含触发的处置建议。")
@paginate(ApiPages)
def campaign_results(request: HttpRequest, campaign_id: int) -> Mapped:
    campaign = campaign_selectors.campaign_get(request.user, campaign_id)
    return Mapped(selectors.campaign_subjects(campaign), many=_results)


@router.get("/meetings/{meeting_id}/results", response=list[ResultOut], summary="述职会的评议结果",
            description="一场述职会各述职对象的评议结果（评分引擎计算）。")
@paginate(ApiPages)
def meeting_results(request: HttpRequest, meeting_id: int) -> Mapped:
    meeting = meeting_selectors.meeting_get(request.user, meeting_id)
    return Mapped(selectors.meeting_subjects(meeting), many=_results)


@router.get("/subjects/{subject_id}/result", response=ResultDetailOut, summary="一位述职对象的评议结果",
            description="得分、分项、规则、提示和计算说明。书记本人只能看到自己已公布的结果，且不含计算说明。")
def subject_result(request: HttpRequest, subject_id: int) -> dict[str, Any]:
    subject, result, full = selectors.subject_get(request.user, subject_id)
    proposals = list(subject.proposals.select_related("subject__organization")) if full else []
    return _result(selectors.ResultRow(subject, result, proposals), detail=True, full=full)


@router.get("/proposals", response=list[ProposalOut], summary="处置建议",
            description="本人管理的述职活动中由评议结果触发的处置建议（约谈、不合格、整改通知），待本级确认或不采纳。")
@paginate(ApiPages)
def proposals(request: HttpRequest,
              status: choice_of(ActionProposal.Status) | None = Query(None, description=one_of("状态", ActionProposal.Status)),
              action: choice_of(ActionProposal.Action) | None = Query(None, description=one_of("建议的处置", ActionProposal.Action)),
              campaign: int | None = Query(None, description="述职活动编号", ge=1, le=ID_MAX)) -> Mapped:
    rows = selectors.proposals(request.user, status=status or "", action=action or "", campaign=campaign)
    return Mapped(rows, proposal_out)


@router.get("/schemes", response=list[SchemeOut], summary="评分方案", description="每个评分方案的最新版本（评分规则对所有管理员公开）。")
def schemes(request: HttpRequest) -> list[dict[str, Any]]:
    return [scheme_out(s) for s in scheme_reads.latest_schemes()]


@router.get("/schemes/{key}", response=SchemeDetailOut, summary="评分方案详情", description="某一版本（默认最新）的方案内容。")
def scheme(request: HttpRequest, key: str,
           version: int | None = Query(None, description="版本；不填为最新", ge=1, le=100000)) -> dict[str, Any]:
    versions = scheme_reads.scheme_versions(key)
    shown = next((v for v in versions if v.version == version), versions[0]) if version else versions[0]
    return {**scheme_out(shown), "data": shown.data, "versions": [v.version for v in versions]}


def annual_out(a: AnnualAssessment) -> dict[str, Any]:
    return {"organization": a.organization.code, "organization_name": a.organization.name, "year": a.year,
            "total": a.total, "parts": a.parts, "band": a.band, "stars": a.stars, "innovation": a.innovation,
            "rank": a.rank, "rank_of": a.rank_of, "peer_rank": a.peer_rank, "peer_count": a.peer_count,
            "flags": a.flags}


@router.get("/assessment", response=list[AnnualOut], summary="年度综合考核",
            description="某年度本人可见组织的综合考核（总分、等次、星级、排名），按全县排名。")
@paginate(ApiPages)
def assessment(request: HttpRequest, year: int = Query(..., description="年度", ge=2000, le=2100),
               org: str = Query("", description="组织编码：只列该组织及其下级", max_length=32)) -> Mapped:
    within = selectors.org_for(request.user, org) if org else None
    return Mapped(selectors.annual_list(request.user, year, within), annual_out)


@router.get("/assessment/{code}/history", response=list[AnnualOut], summary="一个组织的历年考核", description="从早到晚。")
def assessment_history(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    return [annual_out(a) for a in selectors.annual_history(selectors.org_for(request.user, code))]
