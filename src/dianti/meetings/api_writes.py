"""述职会 writes for staff, through the pages' form and services: schedule a meeting, open it, set who is
reporting, record attendance, close the voting, moderate questions, and upload a secretary's report. They register
on :data:`.api.router`.

Not here, on purpose: issuing evaluator codes (the printed slips are the only copy of the codes, so no answer may
carry them) and the double entry of paper ballots (two clerks at the hall, on the page)."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Schema, Status, UploadedFile

from dianti.campaigns import selectors as campaign_selectors
from dianti.campaigns.permissions import ensure_can_manage_campaign
from dianti.core.apierrors import form_invalid

from . import permissions, selectors, services
from .api import MeetingDetailOut, MyItemOut, QuestionOut, meeting_detail, router
from .forms import GROUP_ROWS, ScheduleForm
from .models import DEFAULT_GRADES, AgendaItem, Question


class GroupIn(Schema):
    name: str = Field(description="评议人类别，如“党员代表”", max_length=50)
    weight: float = Field(description="权重（%），各类别之和须为 100", ge=0, le=100)
    size: int = Field(description="该类别的评议人数", ge=1, le=2000)


class ScheduleIn(Schema):
    campaign: int = Field(description="述职活动编号（须在“点题”或“述职”阶段）", ge=1)
    subjects: list[int] = Field(description="按述职顺序排列的述职对象编号", min_length=1, max_length=500)
    title: str = Field(description="会议名称", max_length=200)
    starts_at: dt.datetime = Field(description="开始时间，如 2026-05-20T09:00:00+08:00")
    venue: str = Field(description="地点", max_length=200)
    host: str = Field("", description="主持人", max_length=100)
    minutes_each: int = Field(15, description="每人述职时长（分钟）", ge=3, le=120)
    groups: list[GroupIn] = Field(description=f"评议人类别（至多 {GROUP_ROWS} 个）", min_length=1, max_length=GROUP_ROWS)
    grades: list[str] = Field(list(DEFAULT_GRADES), description="等次，从好到差", min_length=2, max_length=10)
    items: list[str] = Field([], description="分项（可不填），如 [\"德\", \"能\", \"勤\", \"绩\", \"廉\"]", max_length=20)
    allow_revise: bool = Field(True, description="投票截止前允许修改")


class ActIn(Schema):
    item: int | None = Field(None, description="current：正在述职的议程项编号", ge=1)
    drop_single_entries: bool = Field(False, description="close：只录入了一次的纸质选票不计入，照常截止")
    names: list[str] = Field([], description="attendance：参会人员姓名", max_length=2000)
    role: str = Field("", description="attendance：身份，如“党员代表”", max_length=50)
    unnamed: int = Field(0, description="attendance：未登记姓名的参会人数", ge=0, le=100000)


class ModerateIn(Schema):
    action: str = Field(description="approve 通过（上屏）、hide 不采纳、pin 置顶或取消置顶、answer 记录回答要点", max_length=16)
    answer: str = Field("", description="answer：回答要点", max_length=2000)


def _manageable(request: HttpRequest, meeting_id: int) -> Any:
    meeting = selectors.meeting_get(request.user, meeting_id)
    permissions.ensure_can_manage_meeting(request.user, meeting)
    return meeting


@router.post("", url_name="meetings", response={201: MeetingDetailOut}, summary="安排述职会",
             description="与“安排述职会”页面相同（召集组织的管理员）：议程、评议人类别与权重、等次。会通知各位书记。"
                         "之后在页面上发放评议码（评议码只印在纸条上，不经接口提供）。")
def meeting_schedule(request: HttpRequest, body: ScheduleIn) -> Status[dict[str, Any]]:
    campaign = campaign_selectors.campaign_get(request.user, body.campaign)
    ensure_can_manage_campaign(request.user, campaign, "只有召集组织的管理员可以安排述职会")
    subjects = campaign_selectors.subjects_of(campaign)
    if not 2000 <= body.starts_at.year <= 2100:
        raise ValidationError({"starts_at": _("开始时间应在 2000 年至 2100 年之间")})
    starts = body.starts_at if timezone.is_aware(body.starts_at) else timezone.make_aware(body.starts_at)
    data: dict[str, Any] = {
        "title": body.title, "starts_at": timezone.localtime(starts).strftime("%Y-%m-%d %H:%M"),
        "venue": body.venue, "host": body.host, "minutes_each": body.minutes_each, "grades": ",".join(body.grades),
        "items": ",".join(body.items), "allow_revise": body.allow_revise}
    for i, g in enumerate(body.groups):
        data |= {f"group_{i}_name": g.name, f"group_{i}_weight": g.weight, f"group_{i}_size": g.size}
    form = ScheduleForm(data, subjects=subjects)
    if not form.is_valid():
        raise form_invalid(form)
    by_id = {s.pk: s for s in subjects}
    unknown = [i for i in body.subjects if i not in by_id]
    if unknown:
        raise ValidationError(_("述职对象必须属于本次活动：%(ids)s") % {"ids": "、".join(map(str, unknown))})
    d = form.cleaned_data
    meeting = services.meeting_schedule(
        actor=request.user, campaign=campaign, title=d["title"], starts_at=starts, venue=d["venue"],
        host=d["host"], subjects=[by_id[i] for i in body.subjects], groups=form.groups(),
        grades=form.split(d["grades"]), items=form.split(d["items"]), allow_revise=d["allow_revise"],
        minutes_each=d["minutes_each"])
    return Status(201, meeting_detail(request, meeting.pk))


@router.post("/{meeting_id}/do/{name}", response=MeetingDetailOut, summary="会议进程",
             description="name：open 开会（开始投票）、current 设定正在述职的对象（item）、attendance 登记参会人员、"
                         "close 截止投票并生成结果（纸质选票须已两次录入一致）。召集组织的管理员办理。返回办理后的会议。")
def meeting_act(request: HttpRequest, meeting_id: int, name: str, body: ActIn) -> dict[str, Any]:
    meeting = _manageable(request, meeting_id)
    if name == "open":
        services.meeting_open(actor=request.user, meeting=meeting)
    elif name == "close":
        services.meeting_close(actor=request.user, meeting=meeting, drop_single_entries=body.drop_single_entries)
    elif name == "current":
        item = AgendaItem.objects.filter(pk=body.item or 0, meeting=meeting).first()
        if item is None:
            raise ValidationError({"item": _("请选择议程中的述职对象")})
        services.meeting_set_current(actor=request.user, meeting=meeting, item=item)
    elif name == "attendance":
        services.attendance_add(actor=request.user, meeting=meeting, names=body.names, role=body.role,
                                unnamed=body.unnamed)
    else:
        raise Http404(_("没有这个操作：可用 open、current、attendance、close"))
    return meeting_detail(request, meeting.pk)


@router.post("/{meeting_id}/questions/{question_id}", response=QuestionOut, summary="审核现场提问",
             description="通过后问题上大屏；也可不采纳、置顶或记录回答要点。")
def question_moderate(request: HttpRequest, meeting_id: int, question_id: int, body: ModerateIn) -> dict[str, Any]:
    meeting = _manageable(request, meeting_id)
    question = Question.objects.filter(pk=question_id, meeting=meeting).first()
    if question is None:
        raise Http404(_("找不到该问题"))
    q = services.question_moderate(actor=request.user, question=question, action=body.action, answer=body.answer)
    return {"id": q.pk, "item": q.item_id, "text": q.text, "asker": q.asker, "status": q.status, "pinned": q.pinned,
            "votes": q.votes, "answer": q.answer}


@router.post("/items/{item_id}/report", response=MyItemOut, summary="上传述职报告",
             description="书记本人或召集组织的管理员上传 .docx 或 .pdf 述职报告（会议结束后不能再换）。")
def report_upload(request: HttpRequest, item_id: int,
                  file: UploadedFile = File(..., description="述职报告（.docx 或 .pdf）")) -> dict[str, Any]:
    item = AgendaItem.objects.select_related("meeting", "subject", "subject__secretary").filter(pk=item_id).first()
    if item is None:
        raise Http404(_("找不到该议程项，或您无权查看"))
    if not permissions.is_item_secretary(request.user, item):
        selectors.meeting_get(request.user, item.meeting_id)  # out of scope answers like a missing item
    item = services.report_upload(actor=request.user, item=item, upload=file)
    m = item.meeting
    return {"id": item.pk, "meeting": m.pk, "meeting_title": m.title, "starts_at": m.starts_at, "venue": m.venue,
            "status": m.status, "order": item.order, "topic": item.subject.topic, "report": bool(item.report)}
