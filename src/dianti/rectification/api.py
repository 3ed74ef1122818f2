"""整改 endpoints for staff: cases (filtered like the list page) and one case with its measures and timeline."""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from dianti.core.api import staff_auth
from dianti.core.pagination import ApiPages, Mapped

from . import selectors, services
from .models import Case

router = Router(tags=["rectification"], auth=staff_auth)


class CaseOut(Schema):
    id: int
    number: str
    issuer: str
    organization: str
    secretary: str
    campaign: int
    state: str
    overdue: bool
    deadline: dt.date
    issued_on: dt.date | None
    closed_at: dt.datetime | None


class MeasureOut(Schema):
    problem: str
    text: str
    owner: str
    deadline: dt.date
    expected: str
    percent: int
    late: bool


class EventOut(Schema):
    at: dt.datetime
    kind: str
    from_state: str
    to_state: str
    actor: str
    note: str


class CaseDetailOut(CaseOut):
    problems: list[str]
    measures: list[MeasureOut]
    mechanisms: list[str]
    events: list[EventOut]


def _case(c: Case) -> dict[str, object]:
    return {"id": c.pk, "number": c.number, "issuer": c.issuer.code, "organization": c.subject.organization.code,
            "secretary": c.subject.secretary_name, "campaign": c.campaign_id, "state": c.state,
            "overdue": c.is_overdue, "deadline": c.deadline, "issued_on": c.issued_on, "closed_at": c.closed_at}


@router.get("/cases", response=list[CaseOut], summary="本人可见的整改（可按镇、状态、逾期、年度筛选）")
@paginate(ApiPages)
def cases(request: HttpRequest, town: str = "", state: str = "", overdue: bool = False, year: int | None = None,
          q: str = "") -> Mapped:
    # Plain query parameters: django-ninja's paginate cannot resolve a Query[Schema] argument under postponed
    # annotations (QueryParams "is not fully defined").
    f = selectors.CaseFilters(town=town, state=state, overdue=overdue, year=year, q=q)
    return Mapped(selectors.case_list(request.user, f), _case)


@router.get("/cases/{case_id}", response=CaseDetailOut, summary="整改详情：问题、措施、长效机制、全过程记录")
def case(request: HttpRequest, case_id: int) -> dict[str, object]:
    c = selectors.case_get(request.user, case_id)
    return {**_case(c), "problems": list(c.problems.values_list("text", flat=True)),
            "measures": [{"problem": m.problem.text, "text": m.text, "owner": m.owner, "deadline": m.deadline,
                          "expected": m.expected, "percent": m.percent, "late": m.is_late()}
                         for m in c.measures.select_related("problem")],
            "mechanisms": list(c.mechanisms.values_list("text", flat=True)),
            "events": [{"at": e.at, "kind": e.kind, "from_state": e.from_state, "to_state": e.to_state,
                        "actor": e.actor_name, "note": e.note} for e in selectors.events(c)]}


class MoveIn(Schema):
    note: str = ""
    deadline: dt.date | None = None


@router.post("/cases/{case_id}/moves/{name}", response=CaseOut,
             summary="整改办理：issue/approve/return/submit/close/reject/reopen/carry_over/withdraw/extend（谁可办理见 /rules）")
def case_move(request: HttpRequest, case_id: int, name: str, body: MoveIn) -> dict[str, object]:
    case = selectors.case_get(request.user, case_id)
    if name not in services.CASE_ACTIONS:
        raise Http404("没有这个操作")
    return _case(services.case_act(actor=request.user, case=case, name=name, note=body.note, deadline=body.deadline))
