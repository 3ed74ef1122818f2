"""评议考核 writes for staff, through the pages' services: compute a campaign's results, choose its scheme, submit /
publish / return / withdraw results, decide proposals, save a scoring scheme, compute, import and confirm the
annual assessment. They register on :data:`.api.router`."""

from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Schema, UploadedFile

from dianti.campaigns import selectors as campaign_selectors
from dianti.core.api import JobOut, job_out
from dianti.orgs.models import Organization
from dianti.orgs.selectors import org_get

from . import annual, importers, permissions, publication, selectors, services
from .api import SchemeDetailOut, router, scheme
from .permissions import ensure_can_view_county


class ReviewNoteIn(Schema):
    note: str = Field("", description="说明（退回、撤回、不采纳时写明理由）", max_length=2000)


class ComputeIn(Schema):
    version: int | None = Field(None, description="按评分方案的第几版计算；不填为最新版", ge=1, le=100000)


class SchemeChoiceIn(Schema):
    scheme: str = Field(description="评分方案编号（见 GET /appraisal/schemes）", max_length=64)


class SchemeIn(Schema):
    data: dict[str, Any] = Field(description="方案内容，格式同 GET /appraisal/schemes/{key} 的 data（评分引擎校验，"
                                             "不合要求时逐项说明）")
    organization: str = Field("", description="制定单位的编码（仅新建方案时；须由本人管理）", max_length=32)


class ActOut(Schema):
    done: str = Field(description="已办理的操作")
    count: int = Field(1, description="涉及的结果或组织数")


@router.post("/campaigns/{campaign_id}/results/{action}", response=ActOut, summary="评议结果的审核公示",
             description="action：compute 计算（本级；已公布的不改动，可指定方案版本）、submit 送审（本级）、"
                         "publish 审核通过并公示（上级，非送审人）、return 退回（上级，写明理由）。谁可以办理见 GET /api/v1/rules。")
def results_act(request: HttpRequest, campaign_id: int, action: str, body: ReviewNoteIn,
                version: int | None = Query(None, description="compute：评分方案的版本", ge=1, le=100000)) -> dict[str, Any]:
    permissions.ensure_appraisal_staff(request.user)
    campaign = campaign_selectors.campaign_get(request.user, campaign_id)
    if action == "compute":
        report = services.results_compute(actor=request.user, campaign=campaign, version=version)
        return {"done": action, "count": report.computed}
    acts = {"submit": lambda: publication.results_submit(actor=request.user, campaign=campaign),
            "publish": lambda: publication.results_publish(actor=request.user, campaign=campaign),
            "return": lambda: publication.results_return(actor=request.user, campaign=campaign, note=body.note)}
    if action not in acts:
        raise Http404(_("没有这个操作：可用 compute、submit、publish、return"))
    return {"done": action, "count": acts[action]()}


@router.post("/campaigns/{campaign_id}/scheme", response=ActOut, summary="选用评分方案",
             description="为述职活动选用评分方案（本级）；已算的结果保留原版本，重新计算后才按新方案。")
def campaign_scheme(request: HttpRequest, campaign_id: int, body: SchemeChoiceIn) -> dict[str, Any]:
    permissions.ensure_appraisal_staff(request.user)
    campaign = campaign_selectors.campaign_get(request.user, campaign_id)
    services.campaign_scheme_set(actor=request.user, campaign=campaign, key=body.scheme)
    return {"done": "scheme"}


@router.post("/subjects/{subject_id}/withdraw", response=ActOut, summary="撤回已公示的评议结果",
             description="上级撤回一个已公示的结果，须写明理由。")
def result_withdraw(request: HttpRequest, subject_id: int, body: ReviewNoteIn) -> dict[str, Any]:
    subject, _result, full = selectors.subject_get(request.user, subject_id)
    if not full:
        raise Http404(_("找不到该评议结果，或您无权查看"))
    publication.results_withdraw(actor=request.user, subject=subject, reason=body.note)
    return {"done": "withdraw"}


@router.post("/proposals/{proposal_id}/{decision}", response=ActOut, summary="处理处置建议",
             description="decision：confirm 确认、dismiss 不采纳（本级，写明理由）。确认的整改通知建议会出现在整改的待办中。")
def proposal_act(request: HttpRequest, proposal_id: int, decision: str, body: ReviewNoteIn) -> dict[str, Any]:
    proposal = selectors.proposal_get(request.user, proposal_id)
    if decision == "confirm":
        services.proposal_confirm(actor=request.user, proposal=proposal, note=body.note)
    elif decision == "dismiss":
        services.proposal_dismiss(actor=request.user, proposal=proposal, note=body.note)
    else:
        raise Http404(_("没有这个操作：可用 confirm、dismiss"))
    return {"done": decision}


@router.put("/schemes/{key}", url_name="scheme", response=SchemeDetailOut, summary="保存评分方案",
            description="保存为方案的新版本（新编号则新建，须写制定单位）；已算的结果仍按原版本，重新计算后才按新版本。"
                        "本单位的方案由本单位管理员修改，默认方案只有系统管理员能改。")
def scheme_save(request: HttpRequest, key: str, body: SchemeIn) -> dict[str, Any]:
    permissions.ensure_appraisal_staff(request.user)
    owner = org_get(request.user, body.organization) if body.organization else None
    row = services.scheme_save(actor=request.user, key=key, data=body.data, organization=owner)
    return scheme(request, row.key, row.version)


class AnnualIn(Schema):
    county: str = Field(description="县级组织的编码", max_length=32)
    year: int = Field(description="年度", ge=2000, le=2100)


def _county(request: HttpRequest, code: str) -> Organization:
    return ensure_can_view_county(
        request.user, Organization.objects.filter(code=code, level=Organization.Level.COUNTY).first())


@router.post("/assessment/compute", response=ActOut, summary="计算年度综合考核",
             description="按导入的各部分得分重新计算全县的总分、等次、星级和排名（县级管理员）。")
def assessment_compute(request: HttpRequest, body: AnnualIn) -> dict[str, Any]:
    permissions.ensure_appraisal_staff(request.user)
    county = selectors.org_for(request.user, body.county)
    return {"done": "compute", "count": annual.annual_compute(actor=request.user, county=county, year=body.year)}


@router.post("/assessment/import", response=JobOut, summary="导入年度考核得分",
             description="上传按模板填写的 .xlsx 或 .csv，在后台导入；返回任务，用 GET /api/v1/jobs/{id} 查看进度。")
def assessment_import(request: HttpRequest,
                      file: UploadedFile = File(..., description="要导入的文件（.xlsx 或 .csv）")) -> Any:
    return job_out(importers.annual_import_submit(actor=request.user, upload=file))


@router.post("/assessment/{code}/{year}/confirm", response=ActOut, summary="确认年度考核等次和星级",
             description="上级或审批人确认县的年度等次和星级（不能是计算的人）。")
def assessment_confirm(request: HttpRequest, code: str, year: int, body: ReviewNoteIn) -> dict[str, Any]:
    county = _county(request, code)
    annual.assessment_confirm(actor=request.user, county=county, year=year, note=body.note)
    return {"done": "confirm"}
