"""述职会 endpoints for staff: meetings with their agenda and ballot progress, one meeting with its questions, a
secretary's own agenda items, and the results once voting has closed. Ballots are only ever counted here: no
operation reads an evaluator, a code or a single ballot (docs/ballot-secrecy.md). The writes are in
:mod:`.api_writes`; :mod:`.routes` mounts both."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from dianti.core.api import ID_MAX, staff_auth, subtree_of
from dianti.core.apidoc import choice_of, one_of
from dianti.core.pagination import ApiPages, Mapped

from . import selectors
from .models import AgendaItem, Meeting, Question

router = Router(tags=["meetings"], auth=staff_auth)


class ProgressOut(Schema):
    group: str = Field(description="评议人类别，如“党员代表”")
    weight: float = Field(description="该类别的权重（%）")
    submitted: int = Field(description="已投的票：已投票的评议码加已计入的纸质选票")
    phone: int = Field(description="手机投票数")
    paper: int = Field(description="已计入的纸质选票数")
    expected: int = Field(description="该类别的评议人数")


class AgendaOut(Schema):
    id: int = Field(description="议程项编号")
    order: int = Field(description="述职顺序")
    subject: int = Field(description="述职对象编号")
    organization: str = Field(description="组织编码")
    secretary: str = Field(description="书记姓名")
    topic: str = Field(description="述职题目")
    report: bool = Field(description="是否已上传述职报告")


class MeetingOut(Schema):
    id: int = Field(description="述职会编号")
    campaign: int = Field(description="述职活动编号")
    title: str = Field(description="会议名称")
    starts_at: dt.datetime = Field(description="开始时间")
    venue: str = Field(description="地点")
    status: str = Field(description=one_of("状态", Meeting.Status))
    agenda: list[AgendaOut] = Field(description="议程（述职顺序）")
    progress: list[ProgressOut] = Field(description="各评议人类别的投票进度（只有计数）")


class QuestionOut(Schema):
    id: int = Field(description="问题编号")
    item: int | None = Field(description="针对的议程项编号；没有为 null")
    text: str = Field(description="问题")
    asker: str = Field(description="提问人自报的称呼（可为空）")
    status: str = Field(description=one_of("状态", Question.Status))
    pinned: bool = Field(description="是否置顶")
    votes: int = Field(description="赞同数")
    answer: str = Field(description="回答要点")


class MeetingDetailOut(MeetingOut):
    host: str = Field(description="主持人")
    grades: list[str] = Field(description="等次，从好到差")
    items: list[str] = Field(description="分项（如德、能、勤、绩、廉）；没有为空")
    allow_revise: bool = Field(description="投票截止前是否允许修改")
    current_item: int | None = Field(description="正在述职的议程项编号；没有为 null")
    attendance: int = Field(description="参会人数（扫码签到和工作人员登记）")
    questions: list[QuestionOut] = Field(description="现场提问（待审核的在前）")


class MyItemOut(Schema):
    id: int = Field(description="议程项编号（上传报告用）")
    meeting: int = Field(description="述职会编号")
    meeting_title: str = Field(description="会议名称")
    starts_at: dt.datetime = Field(description="会议开始时间")
    venue: str = Field(description="地点")
    status: str = Field(description=one_of("会议状态", Meeting.Status))
    order: int = Field(description="述职顺序")
    topic: str = Field(description="述职题目")
    report: bool = Field(description="是否已上传述职报告")


class TallyOut(Schema):
    organization: str = Field(description="组织名称")
    secretary: str = Field(description="书记姓名")
    ballots: int = Field(description="有效票数")
    by_group: dict[str, int] = Field(description="各评议人类别的票数：类别 → 票数")
    distribution: dict[str, int] = Field(description="各等次的票数：等次 → 票数")
    score: float | None = Field(description="评分引擎计算的记录得分；尚未计算为 null")
    score_text: str = Field(description="得分的显示文字（如“58.00”或“尚未计算评议结果”）")


def _agenda(i: AgendaItem) -> dict[str, object]:
    return {"id": i.pk, "order": i.order, "subject": i.subject_id, "organization": i.subject.organization.code,
            "secretary": i.subject.secretary_name, "topic": i.subject.topic, "report": bool(i.report)}


def _meetings(page: list[Meeting]) -> list[dict[str, object]]:
    """Map a page of meetings prefetched by :func:`selectors.with_agenda`: three queries for any page."""
    progress = selectors.progress_of(page)
    return [{"id": m.pk, "campaign": m.campaign_id, "title": m.title, "starts_at": m.starts_at, "venue": m.venue,
             "status": m.status, "agenda": [_agenda(i) for i in m.agenda.all()],
             "progress": [{"group": p.group.name, "weight": float(p.group.weight), "submitted": p.submitted,
                           "phone": p.phone, "paper": p.paper, "expected": p.expected} for p in progress[m.pk]]}
            for m in page]


@router.get("", response=list[MeetingOut], summary="述职会", description="本人可见的述职会，新的在前；可按活动、状态、年度、组织筛选。")
@paginate(ApiPages)
def meetings(request: HttpRequest,
             campaign: int | None = Query(None, description="述职活动编号", ge=1, le=ID_MAX),
             status: choice_of(Meeting.Status) | None = Query(None, description=one_of("状态", Meeting.Status)),
             year: int | None = Query(None, description="活动年度", ge=2000, le=2100),
             org: str = Query("", description="组织编码：只列该组织及其下级召开的会", max_length=32)) -> Mapped:
    f = selectors.MeetingFilters(campaign=campaign, status=status or "", year=year,
                                 within=subtree_of(request.user, org) if org else "")
    return Mapped(selectors.with_agenda(selectors.meetings_filtered(request.user, f)), many=_meetings)


@router.get("/mine", response=list[MyItemOut], summary="本人的述职安排", description="本人作为书记被排入议程的述职会，新的在前。")
def my_items(request: HttpRequest) -> list[dict[str, object]]:
    return [{"id": i.pk, "meeting": i.meeting_id, "meeting_title": i.meeting.title, "starts_at": i.meeting.starts_at,
             "venue": i.meeting.venue, "status": i.meeting.status, "order": i.order, "topic": i.subject.topic,
             "report": bool(i.report)} for i in selectors.items_for_secretary(request.user)]


@router.get("/{meeting_id}", response=MeetingDetailOut, summary="述职会详情", description="议程、投票进度、参会人数和现场提问。")
def meeting_detail(request: HttpRequest, meeting_id: int) -> dict[str, Any]:
    m = selectors.meeting_get(request.user, meeting_id)
    [row] = _meetings(list(selectors.with_agenda(type(m).objects.filter(pk=m.pk))))
    questions = [{"id": q.pk, "item": q.item_id, "text": q.text, "asker": q.asker, "status": q.status,
                  "pinned": q.pinned, "votes": q.votes, "answer": q.answer}
                 for q in selectors.questions_for_moderation(m)]
    return {**row, "host": m.host, "grades": list(m.grades), "items": list(m.items or []),
            "allow_revise": m.allow_revise, "current_item": m.current_item_id,
            "attendance": selectors.attendance_count(m), "questions": questions}


@router.get("/{meeting_id}/results", response=list[TallyOut], summary="测评汇总",
            description="投票截止后每位书记的票数、等次分布和记录得分（只有汇总，不含任何一张票）。截止前返回 409。",
            openapi_extra={"responses": {409: {"description": "投票截止前不公布结果", "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}})
@paginate(ApiPages)
def results(request: HttpRequest, meeting_id: int) -> Mapped:
    m = selectors.meeting_get(request.user, meeting_id)
    if m.status != Meeting.Status.CLOSED:
        raise HttpError(409, "投票截止前不公布结果")

    def page(items: list[Any]) -> list[dict[str, object]]:
        names = dict(m.groups.values_list("pk", "name"))
        return [{"organization": r.organization, "secretary": r.secretary, "ballots": r.total,
                 "by_group": {names[g]: n for g, n in r.by_group.items()}, "distribution": r.distribution,
                 "score": r.score, "score_text": r.score_text}
                for r in selectors.results(m, items)]

    return Mapped(selectors.agenda(m), many=page)
