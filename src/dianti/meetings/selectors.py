"""Reads for meetings: scoped lookups, ballot progress (counts only while voting is open) and, after closing,
counts and means per secretary (the appraisal step adds the full scoring)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, QuerySet
from django.http import Http404

from dianti.core import scope

from .models import AgendaItem, Ballot, Meeting, PanelGroup, PaperEntry, Question

# Points of each grade until the campaign's scoring scheme says otherwise (好/较好/一般/差 → 95/85/70/55).
DEFAULT_POINTS = [95.0, 85.0, 70.0, 55.0]


def visible_meetings(user: Any) -> QuerySet[Meeting]:
    return scope.restrict(Meeting.objects.all(), user, "org_path").select_related("campaign").order_by("-starts_at")


def meeting_get(user: Any, pk: int) -> Meeting:
    meeting = Meeting.objects.select_related("campaign", "campaign__convener", "current_item").filter(pk=pk).first()
    if meeting is None or not scope.scope_for(user).can_view_path(meeting.org_path):
        raise Http404("找不到该述职会，或您无权查看")
    return meeting


def public_meeting(key: str) -> Meeting:
    meeting = (Meeting.objects.select_related("campaign", "current_item", "current_item__subject",
                                              "current_item__subject__organization").filter(public_key=key).first())
    if meeting is None:
        raise Http404("找不到该会议")
    return meeting


def agenda(meeting: Meeting) -> QuerySet[AgendaItem]:
    return meeting.agenda.select_related("subject", "subject__organization", "subject__secretary").order_by("order")


@dataclass(frozen=True)
class GroupProgress:
    group: PanelGroup
    submitted: int

    @property
    def expected(self) -> int:
        return self.group.size


def progress(meeting: Meeting, item: AgendaItem | None = None) -> list[GroupProgress]:
    """Ballots received per group (for one item, or the evaluators who have voted on anything): counts only."""
    groups = list(meeting.groups.all())
    if item is not None:
        counts = dict(Ballot.objects.filter(item=item).values_list("group").annotate(n=Count("id")))
    else:
        counts = dict(meeting.codes.filter(used=True).values_list("group").annotate(n=Count("id")))
        paper = dict(PaperEntry.objects.filter(meeting=meeting, accepted=True).values_list("group")
                     .annotate(n=Count("serial", distinct=True)))
        counts = {g: counts.get(g, 0) + paper.get(g, 0) for g in set(counts) | set(paper)}
    return [GroupProgress(g, counts.get(g.pk, 0)) for g in groups]


@dataclass
class ResultRow:
    item: AgendaItem
    organization: str
    secretary: str
    by_group: dict[int, int] = field(default_factory=dict)
    distribution: dict[str, int] = field(default_factory=dict)
    mean: float | None = None

    @property
    def total(self) -> int:
        return sum(self.by_group.values())


def points_of(meeting: Meeting) -> dict[str, float]:
    grades = list(meeting.grades)
    if len(grades) == len(DEFAULT_POINTS):
        return dict(zip(grades, DEFAULT_POINTS, strict=True))
    step = 45.0 / max(1, len(grades) - 1)
    return {g: 100.0 - i * step for i, g in enumerate(grades)}


def results(meeting: Meeting) -> list[ResultRow]:
    """Return, per secretary, ballots per group, the grade distribution and the mean points (one query)."""
    if meeting.status != Meeting.Status.CLOSED:
        raise PermissionError("投票截止前不显示结果")
    points = points_of(meeting)
    rows = {item.pk: ResultRow(item, item.subject.organization.display_name, item.subject.secretary_name)
            for item in agenda(meeting)}
    sums: dict[int, float] = defaultdict(float)
    grade_counts: dict[int, Counter[str]] = defaultdict(Counter)
    for item_id, group_id, grade, n in (Ballot.objects.filter(meeting=meeting)
                                        .values_list("item", "group", "grade").annotate(n=Count("id"))):
        row = rows[item_id]
        row.by_group[group_id] = row.by_group.get(group_id, 0) + n
        grade_counts[item_id][grade] += n
        sums[item_id] += points.get(grade, 0.0) * n
    for item_id, row in rows.items():
        row.distribution = {g: grade_counts[item_id].get(g, 0) for g in meeting.grades}
        row.mean = round(sums[item_id] / row.total, 2) if row.total else None
    return list(rows.values())


def questions_for_screen(meeting: Meeting) -> QuerySet[Question]:
    qs = meeting.questions.filter(status__in=[Question.Status.APPROVED, Question.Status.ANSWERED])
    if meeting.current_item_id:
        qs = qs.filter(item_id=meeting.current_item_id)
    return qs.order_by("-pinned", "-votes", "created_at")[:8]


def questions_for_moderation(meeting: Meeting) -> QuerySet[Question]:
    return meeting.questions.select_related("item__subject__organization").order_by("status", "-pinned", "-votes",
                                                                                      "created_at")


def items_for_secretary(user: Any) -> QuerySet[AgendaItem]:
    return (AgendaItem.objects.filter(subject__secretary__user=user).select_related("meeting", "subject")
            .order_by("-meeting__starts_at"))


def paper_entries(meeting: Meeting) -> dict[int, list[PaperEntry]]:
    out: dict[int, list[PaperEntry]] = defaultdict(list)
    for e in PaperEntry.objects.filter(meeting=meeting).select_related("clerk", "group").order_by("serial", "id"):
        out[e.serial].append(e)
    return dict(out)
