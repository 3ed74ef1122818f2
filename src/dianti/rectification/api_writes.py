"""整改 writes, through the pages' forms and services: open a case (by hand or from every confirmed proposal), edit
a draft, move a case (issue, approve, return, submit, close …), the secretary's commitment and progress reports,
and supervision by point staff. They register on :data:`.api.router`."""

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Schema, Status, UploadedFile

from dianti.appraisal.models import ActionProposal
from dianti.campaigns import selectors as campaign_selectors
from dianti.campaigns.models import Subject
from dianti.core.apidoc import choice_of, one_of
from dianti.core.apierrors import form_invalid

from . import permissions, selectors, services
from .api import CaseDetailOut, CaseOut, case, case_out, router
from .forms import OpenForm, SupervisionForm
from .models import Measure, Rating


class OpenIn(Schema):
    subject: int = Field(description="述职对象编号", ge=1)
    problems: list[str] = Field(description="发现的问题（理），每条一项", min_length=1, max_length=50)
    requirements: str = Field("", description="整改要求（不填则用标准要求）", max_length=5000)
    deadline: dt.date = Field(description="整改期限")


class DraftIn(Schema):
    problems: list[str] = Field(description="发现的问题（整体替换）", min_length=1, max_length=50)
    requirements: str = Field("", description="整改要求", max_length=5000)
    deadline: dt.date = Field(description="整改期限")


class BatchIn(Schema):
    deadline: dt.date = Field(description="这批整改的期限")


class MoveIn(Schema):
    note: str = Field("", description="说明（退回、不通过、撤销时写明理由）", max_length=2000)
    deadline: dt.date | None = Field(None, description="extend：新的整改期限")


class MeasureIn(Schema):
    problem: int = Field(description="针对的问题编号（见整改详情的 problem_list）", ge=1)
    text: str = Field(description="整改措施", max_length=2000)
    owner: str = Field(description="责任人", max_length=50)
    deadline: dt.date = Field(description="完成时限")
    expected: str = Field(description="预期成效", max_length=300)


class CommitIn(Schema):
    measures: list[MeasureIn] = Field(description="整改措施（改）：每个问题至少一条", min_length=1, max_length=200)
    mechanisms: list[str] = Field([], description="长效机制（立）", max_length=50)
    pledge: str = Field("", description="承诺（三责联诺）", max_length=2000)


class SupervisionIn(Schema):
    visited_on: dt.date = Field(description="走访日期")
    seen: str = Field(description="看到的情况", max_length=5000)
    rating: choice_of(Rating) = Field(description=one_of("评价", Rating))
    point: int | None = Field(None, description="点位编号（本镇的民情直报点或观察点，可不填）", ge=1)


def _draft_form(problems: list[str], requirements: str, deadline: dt.date) -> dict[str, Any]:
    form = OpenForm({"problems": "\n".join(problems), "requirements": requirements, "deadline": deadline})
    if not form.is_valid():
        raise form_invalid(form)
    return dict(form.cleaned_data)


@router.post("/cases", url_name="cases", response={201: CaseDetailOut}, summary="开立整改",
             description="为一个述职对象开立整改（召集组织的管理员），状态为拟定中；如有已确认的“整改通知”处置建议，则依据它。")
def case_open(request: HttpRequest, body: OpenIn) -> Status[dict[str, object]]:
    subject = Subject.objects.select_related("campaign", "campaign__convener", "organization").filter(
        pk=body.subject).first()
    if subject is None or not permissions.can_open_cases(request.user, subject.campaign):
        raise Http404(_("找不到该述职对象，或您无权为其开立整改"))
    proposal = ActionProposal.objects.filter(subject=subject, status=ActionProposal.Status.CONFIRMED,
                                             action=ActionProposal.Action.RECTIFICATION).first()
    d = _draft_form(body.problems, body.requirements, body.deadline)
    made = services.case_open(actor=request.user, subject=subject, problems=d["problems"],
                              requirements=d["requirements"], deadline=d["deadline"], proposal=proposal)
    return Status(201, case(request, made.pk))


@router.post("/campaigns/{campaign_id}/open", response={201: list[CaseOut]}, summary="依据处置建议开立整改",
             description="为述职活动中每个已确认、尚无整改的“整改通知”处置建议各开立一项整改（拟定中），逐项核对后下发。")
def cases_open(request: HttpRequest, campaign_id: int, body: BatchIn) -> Status[list[dict[str, object]]]:
    campaign = campaign_selectors.campaign_get(request.user, campaign_id)
    permissions.ensure_can_open_cases(request.user, campaign)
    made = services.cases_open_from_proposals(actor=request.user, campaign=campaign, deadline=body.deadline)
    return Status(201, [case_out(selectors.case_get(request.user, c.pk)) for c in made])


@router.put("/cases/{case_id}", url_name="case", response=CaseDetailOut, summary="修改拟定中的整改",
            description="下发前修改问题、要求和期限（召集组织的管理员）。")
def case_edit(request: HttpRequest, case_id: int, body: DraftIn) -> dict[str, object]:
    c = selectors.case_get(request.user, case_id)
    permissions.ensure_can_manage_case(request.user, c)
    d = _draft_form(body.problems, body.requirements, body.deadline)
    services.case_draft_update(actor=request.user, case=c, problems=d["problems"], requirements=d["requirements"],
                               deadline=d["deadline"])
    return case(request, c.pk)


@router.post("/cases/{case_id}/moves/{name}", response=CaseOut, summary="整改办理",
             description="name：issue 下发、approve 承诺通过、return 承诺退回、submit 申请验收（书记）、close 销号、"
                         "reject 验收不通过、reopen 重新打开、carry_over 转下年度、withdraw 撤销、extend 调整期限（写 deadline）。"
                         "谁可以办理见 GET /api/v1/rules。")
def case_move(request: HttpRequest, case_id: int, name: str, body: MoveIn) -> dict[str, object]:
    c = selectors.case_get(request.user, case_id)
    if name not in services.CASE_ACTIONS:
        raise Http404(_("没有这个操作"))
    return case_out(services.case_act(actor=request.user, case=c, name=name, note=body.note, deadline=body.deadline))


@router.post("/cases/{case_id}/commitment", response=CaseDetailOut, summary="提交整改承诺（三责联诺）",
             description="书记本人针对每个问题提交整改措施和长效机制，由党委审核。")
def commitment(request: HttpRequest, case_id: int, body: CommitIn) -> dict[str, object]:
    c = selectors.case_get(request.user, case_id)
    permissions.ensure_is_secretary(request.user, c)
    measures = [services.MeasureIn(m.problem, m.text, m.owner, m.deadline, m.expected) for m in body.measures]
    services.commitment_submit(actor=request.user, case=c, measures=measures, mechanisms=body.mechanisms,
                               pledge=body.pledge)
    return case(request, c.pk)


@router.post("/measures/{measure_id}/progress", response=CaseDetailOut, summary="报告整改进展",
             description="书记本人报告一条措施的进度，可附照片或文件作佐证（multipart/form-data）。")
def progress(request: HttpRequest, measure_id: int,
             percent: int = Form(..., description="完成进度（%）", ge=0, le=100),
             text: str = Form(..., description="进展情况", max_length=5000),
             files: list[UploadedFile] = File(None, description="佐证：照片或文件（可多个）")) -> dict[str, object]:
    measure = Measure.objects.select_related("case", "problem").filter(pk=measure_id).first()
    if measure is None:
        raise Http404(_("找不到该整改措施"))
    c = selectors.case_get(request.user, measure.case_id)
    permissions.ensure_is_secretary(request.user, c)
    services.progress_report(actor=request.user, measure=measure, percent=percent, text=text, files=files or [])
    return case(request, c.pk)


@router.post("/cases/{case_id}/supervision", response=CaseDetailOut, summary="填写督查记录",
             description="本辖区民情直报点、观察点的工作人员或管理员走访后记录看到的情况和评价。")
def supervise(request: HttpRequest, case_id: int, body: SupervisionIn) -> dict[str, object]:
    c = selectors.case_get(request.user, case_id)
    permissions.ensure_can_supervise(request.user, c)
    form = SupervisionForm({"visited_on": body.visited_on, "seen": body.seen, "rating": body.rating,
                            "point": body.point or ""}, case=c)
    if not form.is_valid():
        raise form_invalid(form)
    d = form.cleaned_data
    services.supervision_add(actor=request.user, case=c, visited_on=d["visited_on"], seen=d["seen"],
                                rating=d["rating"], point=d["point"])
    return case(request, c.pk)
