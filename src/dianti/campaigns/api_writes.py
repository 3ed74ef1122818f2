"""Campaign writes for staff, through the pages' own forms and services: open and edit a campaign, choose, edit and
remove subjects, submit / approve / return the list, move the phase, and keep the responsibility list. They
register on :data:`.api.router`, so a path shared with a read (``/{campaign_id}``) is one URL for every method."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, File, Schema, Status, UploadedFile

from dianti.core.api import JobOut, job_out
from dianti.core.apidoc import choice_of, one_of
from dianti.core.apierrors import form_invalid
from dianti.orgs import selectors as org_selectors
from dianti.orgs.models import Organization

from . import importers, permissions, roster, selectors, services
from .api import router
from .api_schemas import (
    CampaignOut,
    ResponsibilityOut,
    SubjectOut,
    campaign_out,
    responsibility_out,
    subject_out,
)
from .forms import CampaignEditForm, CampaignForm, ResponsibilityForm
from .models import Category, Phase


class CampaignIn(Schema):
    convener: str = Field(description="召集组织的编码（本人管理的县、乡镇等党委）", max_length=32)
    year: int = Field(description="年度", ge=2000, le=2100)
    title: str = Field(description="活动名称", max_length=200)
    batch: str = Field("", description="批次（可选）", max_length=50)
    candidate_fields: list[choice_of(Organization.Field)] = Field(
        [], description=one_of("述职对象的领域（不填表示全部）", Organization.Field))
    direct_only: bool = Field(True, description="只从召集组织的直属下级中点名")
    deadlines: dict[choice_of(Phase), dt.date] = Field(
        {}, description=one_of("各阶段截止日期，阶段 → 日期，如 {\"nominate\": \"2026-03-31\"}；阶段", Phase))


class CampaignEditIn(Schema):
    title: str | None = Field(None, description="活动名称；不填则不改", max_length=200)
    parent: int | None = Field(None, description="上级述职活动的编号（县、镇、村三级联述）；0 表示取消；不填则不改", ge=0)
    deadlines: dict[choice_of(Phase), dt.date] | None = Field(
        None, description="各阶段截止日期（整体替换，阶段同 deadlines）；不填则不改")


class ChoiceIn(Schema):
    organization: str = Field(description="被点名组织的编码（须在召集组织之下）", max_length=32)
    category: choice_of(Category) = Field(description=one_of("点名类别", Category))
    reason: str = Field(description="点名理由（至少 10 个字）", max_length=2000)


class ChooseIn(Schema):
    choices: list[ChoiceIn] = Field(description="点名的组织，一次可点多个：全部成功或一个也不加", min_length=1,
                                    max_length=500)


class SubjectEditIn(Schema):
    category: choice_of(Category) | None = Field(None, description=one_of("点名类别（不填则不改）", Category))
    reason: str | None = Field(None, description="点名理由；不填则不改", max_length=2000)


class ListNoteIn(Schema):
    note: str = Field("", description="说明（退回时写明理由）", max_length=2000)


class PhaseIn(Schema):
    to: choice_of(Phase) = Field(description=one_of("目标阶段（推进到下一阶段，或由上级退回上一阶段）", Phase))
    note: str = Field("", description="说明", max_length=2000)


class ResponsibilityIn(Schema):
    year: int = Field(description="年度", ge=2000, le=2100)
    title: str = Field(description="责任事项", max_length=200)
    detail: str = Field("", description="具体内容", max_length=5000)


class DoneOut(Schema):
    done: str = Field(description="已办理的操作")
    count: int = Field(1, description="涉及的条数")


def _campaign(request: HttpRequest, campaign_id: int) -> dict[str, Any]:
    c = selectors.campaign_get(request.user, campaign_id)
    return campaign_out(c, c.subjects.count())


def _deadline_fields(deadlines: dict[str, dt.date]) -> dict[str, str]:
    return {f"deadline_{phase}": day.isoformat()
            for phase, day in deadlines.items()}


@router.post("", url_name="campaign_list", response={201: CampaignOut}, summary="发起述职活动",
             description="与“发起述职活动”页面相同：召集组织须由本人管理；同一组织同一年度同一批次只能有一项。返回新活动。")
def campaign_create(request: HttpRequest, body: CampaignIn) -> Status[dict[str, Any]]:
    permissions.ensure_can_create_campaign(request.user)
    convener = org_selectors.org_get(request.user, body.convener)
    form = CampaignForm({"convener": convener.pk, "year": body.year, "title": body.title, "batch": body.batch,
                         "candidate_fields": [str(f) for f in body.candidate_fields], "direct_only": body.direct_only,
                         **_deadline_fields(body.deadlines)}, user=request.user)
    if not form.is_valid():
        raise form_invalid(form)
    campaign = services.campaign_create(actor=request.user, **form.service_kwargs())
    return Status(201, _campaign(request, campaign.pk))


@router.patch("/{campaign_id}", url_name="campaign_detail", response=CampaignOut, summary="修改述职活动",
              description="修改名称、上级活动或截止日期（已归档的不能改）。只写要改的字段。")
def campaign_edit(request: HttpRequest, campaign_id: int, body: CampaignEditIn) -> dict[str, Any]:
    campaign = selectors.campaign_get(request.user, campaign_id)
    parent = campaign.parent_id if body.parent is None else (body.parent or "")
    if body.deadlines is None:
        deadlines = {f"deadline_{p}": v for p, v in (campaign.deadlines or {}).items()}
    else:
        deadlines = _deadline_fields(body.deadlines)
    form = CampaignEditForm({"title": campaign.title if body.title is None else body.title, "parent": parent,
                             **deadlines}, campaign=campaign)
    if not form.is_valid():
        raise form_invalid(form)
    services.campaign_update(actor=request.user, campaign=campaign, **form.service_kwargs())
    return _campaign(request, campaign.pk)


@router.post("/{campaign_id}/subjects", url_name="subject_list", response={201: list[SubjectOut]}, summary="点名述职对象",
             description="在“点名”阶段、名单拟定中时点名（召集组织的管理员）。有任何一个不符合要求则一个也不加，并逐个说明原因。")
def subjects_choose(request: HttpRequest, campaign_id: int, body: ChooseIn) -> Status[list[dict[str, Any]]]:
    campaign = selectors.campaign_get(request.user, campaign_id)
    permissions.ensure_can_manage_campaign(request.user, campaign, "只有召集组织的管理员可以点名")
    codes = [c.organization for c in body.choices]
    orgs = {o.code: o for o in Organization.objects.subtree(campaign.org_path).filter(code__in=codes)
            .select_related("secretary")}
    unknown = [code for code in codes if code not in orgs]
    if unknown:
        raise ValidationError([f"找不到组织编码“{code}”（须在召集组织之下）" for code in unknown])
    made = services.subjects_choose(actor=request.user, campaign=campaign, choices=[
        services.Choice(orgs[c.organization], str(c.category), c.reason) for c in body.choices])
    return Status(201, [subject_out(s) for s in made])


def _subject(request: HttpRequest, campaign_id: int, subject_id: int) -> Any:
    campaign = selectors.campaign_get(request.user, campaign_id)
    return selectors.subject_get(request.user, campaign, subject_id)


@router.patch("/{campaign_id}/subjects/{subject_id}", response=SubjectOut, summary="修改点名类别或理由",
              description="名单拟定中时修改一个述职对象的点名类别或理由。")
def subject_edit(request: HttpRequest, campaign_id: int, subject_id: int, body: SubjectEditIn) -> dict[str, Any]:
    subject = _subject(request, campaign_id, subject_id)
    fields = {k: str(v) for k, v in {"category": body.category, "reason": body.reason}.items() if v is not None}
    return subject_out(services.subject_update(actor=request.user, subject=subject, **fields))


@router.delete("/{campaign_id}/subjects/{subject_id}", url_name="subject_edit", response=DoneOut, summary="移出名单",
               description="名单拟定中时把一个述职对象移出名单；已通知过的书记会收到移出的通知。")
def subject_remove(request: HttpRequest, campaign_id: int, subject_id: int) -> dict[str, Any]:
    services.subject_remove(actor=request.user, subject=_subject(request, campaign_id, subject_id))
    return {"done": "remove"}


@router.post("/{campaign_id}/list/{action}", response=CampaignOut, summary="名单的审批",
             description="action：submit 提交审批（本级）、approve 审批并公示（上级，非提交人）、return 退回（上级，写明理由）。"
                         "谁可以办理见 GET /api/v1/rules。返回办理后的活动。")
def list_act(request: HttpRequest, campaign_id: int, action: str, body: ListNoteIn) -> dict[str, Any]:
    campaign = selectors.campaign_get(request.user, campaign_id)
    if action == "submit":
        roster.list_submit(actor=request.user, campaign=campaign)
    elif action == "approve":
        roster.list_approve(actor=request.user, campaign=campaign)
    elif action == "return":
        roster.list_return(actor=request.user, campaign=campaign, note=body.note)
    else:
        raise Http404("没有这个操作：可用 submit、approve、return")
    return _campaign(request, campaign.pk)


@router.post("/{campaign_id}/phase", response=CampaignOut, summary="推进或退回阶段",
             description="推进到下一阶段（本级，须满足该阶段的要求），或退回上一阶段（上级）。返回办理后的活动。")
def phase_act(request: HttpRequest, campaign_id: int, body: PhaseIn) -> dict[str, Any]:
    campaign = selectors.campaign_get(request.user, campaign_id)
    services.phase_move(actor=request.user, campaign=campaign, to=str(body.to), note=body.note)
    return _campaign(request, campaign.pk)


@router.post("/responsibilities/{code}", url_name="responsibility_list", response={201: ResponsibilityOut}, summary="添加党建责任事项",
             description="为本人管理的组织添加一项党建责任事项。")
def responsibility_add(request: HttpRequest, code: str, body: ResponsibilityIn) -> Status[dict[str, Any]]:
    org = org_selectors.org_get(request.user, code)
    form = ResponsibilityForm(body.dict())
    if not form.is_valid():
        raise form_invalid(form)
    item = services.responsibility_add(actor=request.user, organization=org, **form.cleaned_data)
    return Status(201, responsibility_out(item, org.code))


@router.post("/import/responsibilities", response=JobOut, summary="导入党建责任清单",
             description="上传按模板填写的 .xlsx 或 .csv，在后台导入；返回任务，用 GET /api/v1/jobs/{id} 查看进度。"
                         "要么全部成功，要么一条也不写入。")
def responsibility_import(request: HttpRequest,
                          file: UploadedFile = File(..., description="要导入的文件（.xlsx 或 .csv，至多 20 MB）")) -> Any:
    return job_out(importers.responsibility_import_submit(actor=request.user, upload=file))
