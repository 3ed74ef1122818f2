"""述职会 endpoints for staff: meetings with their agenda and ballot progress; results once voting has closed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from dianti.core.api import staff_auth
from dianti.core.pagination import ApiPages, Mapped

from . import selectors
from .models import Meeting

router = Router(tags=["meetings"], auth=staff_auth)


class ProgressOut(Schema):
    group: str
    weight: float
    submitted: int  # ballots cast: codes that have cast plus counted paper sheets
    phone: int
    paper: int
    expected: int


class AgendaOut(Schema):
    order: int
    organization: str
    secretary: str
    topic: str
    report: bool


class MeetingOut(Schema):
    id: int
    campaign: int
    title: str
    starts_at: dt.datetime
    venue: str
    status: str
    agenda: list[AgendaOut]
    progress: list[ProgressOut]


class ResultOut(Schema):
    organization: str
    secretary: str
    ballots: int
    by_group: dict[str, int]
    distribution: dict[str, int]
    score: float | None  # the appraisal engine's score of record; null until it is computed
    score_text: str


def _meetings(page: list[Meeting]) -> list[dict[str, object]]:
    """Map a page of meetings prefetched by :func:`selectors.with_agenda`: three queries for any page."""
    progress = selectors.progress_of(page)
    return [{"id": m.pk, "campaign": m.campaign_id, "title": m.title, "starts_at": m.starts_at, "venue": m.venue,
             "status": m.status,
             "agenda": [{"order": i.order, "organization": i.subject.organization.code,
                         "secretary": i.subject.secretary_name, "topic": i.subject.topic, "report": bool(i.report)}
                        for i in m.agenda.all()],
             "progress": [{"group": p.group.name, "weight": float(p.group.weight), "submitted": p.submitted,
                           "phone": p.phone, "paper": p.paper, "expected": p.expected} for p in progress[m.pk]]}
            for m in page]


@router.get("", response=list[MeetingOut], summary="本人可见的述职会")
@paginate(ApiPages)
def meetings(request: HttpRequest) -> Mapped:
    return Mapped(selectors.with_agenda(selectors.visible_meetings(request.user)), many=_meetings)


@router.get("/{meeting_id}/results", response=list[ResultOut], summary="测评结果（投票截止后）")
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
