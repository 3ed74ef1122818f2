"""整改 endpoints for staff: cases (filtered like the list page) and one case with its problems, measures, progress,
supervision and timeline. The writes are in :mod:`.api_writes`; :mod:`.routes` mounts both."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from dianti.core.api import staff_auth
from dianti.core.apidoc import one_of
from dianti.core.pagination import ApiPages, Mapped

from . import selectors
from .models import Case, EventKind, Evidence, Rating, State

router = Router(tags=["rectification"], auth=staff_auth)


class CaseOut(Schema):
    id: int = Field(description="整改编号")
    number: str = Field(description="整改通知单文号；未下发为空")
    issuer: str = Field(description="发文单位（召集组织）的编码")
    organization: str = Field(description="整改组织的编码")
    secretary: str = Field(description="书记姓名")
    campaign: int = Field(description="述职活动编号")
    state: str = Field(description=one_of("状态", State))
    overdue: bool = Field(description="是否已逾期")
    deadline: dt.date = Field(description="整改期限")
    issued_on: dt.date | None = Field(description="通知单成文日期；未下发为 null")
    closed_at: dt.datetime | None = Field(description="销号时间；未销号为 null")


class EvidenceOut(Schema):
    name: str = Field(description="文件名")
    kind: str = Field(description=one_of("类型", Evidence.Kind))
    url: str = Field(description="下载地址（登录后访问）")


class ReportOut(Schema):
    percent: int = Field(description="报告时的进度（%）")
    text: str = Field(description="进展情况")
    author: str = Field(description="报告人")
    at: dt.datetime = Field(description="报告时间")
    evidence: list[EvidenceOut] = Field(description="佐证材料")


class MeasureOut(Schema):
    id: int = Field(description="措施编号（报告进展用）")
    problem: str = Field(description="针对的问题")
    text: str = Field(description="整改措施")
    owner: str = Field(description="责任人")
    deadline: dt.date = Field(description="完成时限")
    expected: str = Field(description="预期成效")
    percent: int = Field(description="进度（%）")
    late: bool = Field(description="是否已过完成时限而未完成")
    reports: list[ReportOut] = Field(description="进展报告，新的在前")


class ProblemOut(Schema):
    id: int = Field(description="问题编号（提交承诺时用）")
    text: str = Field(description="问题")


class SupervisionOut(Schema):
    visited_on: dt.date = Field(description="走访日期")
    point: str | None = Field(description="点位名称；委员会自己督查为 null")
    seen: str = Field(description="看到的情况")
    rating: str = Field(description=one_of("评价", Rating))


class EventOut(Schema):
    at: dt.datetime = Field(description="时间")
    kind: str = Field(description=one_of("事项", EventKind))
    from_state: str = Field(description="原状态（同 state 的取值；没有变化为空）")
    to_state: str = Field(description="新状态（没有变化为空）")
    actor: str = Field(description="办理人")
    note: str = Field(description="说明")


class CaseDetailOut(CaseOut):
    requirements: str = Field(description="整改要求")
    problems: list[str] = Field(description="发现的问题（理）")
    problem_list: list[ProblemOut] = Field(description="发现的问题及其编号")
    measures: list[MeasureOut] = Field(description="整改措施（改）")
    mechanisms: list[str] = Field(description="长效机制（立）")
    progress: int = Field(description="整体进度（各措施进度的平均，%）")
    supervisions: list[SupervisionOut] = Field(description="直报点、观察点的督查记录")
    events: list[EventOut] = Field(description="全过程记录")


def case_out(c: Case) -> dict[str, object]:
    return {"id": c.pk, "number": c.number, "issuer": c.issuer.code, "organization": c.subject.organization.code,
            "secretary": c.subject.secretary_name, "campaign": c.campaign_id, "state": c.state,
            "overdue": c.is_overdue, "deadline": c.deadline, "issued_on": c.issued_on, "closed_at": c.closed_at}


@router.get("/cases", response=list[CaseOut], summary="整改",
            description="本人可见的整改（发文单位、整改组织在本人组织及其下级；书记只看到本人的），可按镇、状态、逾期、年度筛选或查找。")
@paginate(ApiPages)
def cases(request: HttpRequest,
          town: str = Query("", description="发文单位（镇党委等）的编码", max_length=32),
          state: str = Query("", description=one_of("状态（active 表示未办结的全部）", State), max_length=16),
          overdue: bool = Query(False, description="只列逾期的"),
          year: int | None = Query(None, description="述职活动年度", ge=2000, le=2100),
          q: str = Query("", description="组织名称、书记姓名或文号的一部分", max_length=100)) -> Mapped:
    # Plain query parameters: django-ninja's paginate cannot resolve a Query[Schema] argument.
    f = selectors.CaseFilters(town=town, state=state, overdue=overdue, year=year, q=q)
    return Mapped(selectors.case_list(request.user, f), case_out)


def _measures(c: Case) -> list[dict[str, Any]]:
    out = []
    for problem in selectors.measures(c):
        for m in problem.measures.all():
            reports = [{"percent": r.percent, "text": r.text, "author": r.author_name, "at": r.created_at,
                        "evidence": [{"name": e.name, "kind": e.kind, "url": reverse("rectification_evidence",
                                                                                     args=[e.pk])}
                                     for e in r.evidence.all()]} for r in m.reports.all()]
            out.append({"id": m.pk, "problem": problem.text, "text": m.text, "owner": m.owner,
                        "deadline": m.deadline, "expected": m.expected, "percent": m.percent, "late": m.is_late(),
                        "reports": reports})
    return out


@router.get("/cases/{case_id}", response=CaseDetailOut, summary="整改详情",
            description="问题（理）、措施（改）及其进展、长效机制（立）、督查记录和全过程记录。")
def case(request: HttpRequest, case_id: int) -> dict[str, object]:
    c = selectors.case_get(request.user, case_id)
    problems = list(c.problems.all())
    return {**case_out(c), "requirements": c.requirements, "problems": [p.text for p in problems],
            "problem_list": [{"id": p.pk, "text": p.text} for p in problems], "measures": _measures(c),
            "mechanisms": list(c.mechanisms.values_list("text", flat=True)),
            "progress": selectors.progress_percent(c),
            "supervisions": [{"visited_on": s.visited_on, "point": s.point.name if s.point_id else None,
                              "seen": s.seen, "rating": s.rating} for s in c.supervisions.select_related("point")],
            "events": [{"at": e.at, "kind": e.kind, "from_state": e.from_state, "to_state": e.to_state,
                        "actor": e.actor_name, "note": e.note} for e in selectors.events(c)]}
