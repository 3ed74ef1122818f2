"""Reads for meetings: scoped lookups, ballot progress (counts only while voting is open) and, after closing,
counts per secretary beside the score of record, which the appraisal step provides (see :func:`scores_of_record`)."""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, connections, router
from django.db.models import Count, Prefetch, QuerySet, Sum
from django.http import Http404
from django.utils.translation import gettext_lazy

from dianti.core import components, paths, scope
from dianti.orgs.models import Organization

from . import ballot_sql
from .models import AgendaItem, Ballot, EvaluatorCode, Meeting, PanelGroup, PaperEntry, Question
from .permissions import ensure_can_view_meeting


def visible_meetings(user: Any, *, org: str = "", year: int | None = None) -> QuerySet[Meeting]:
    """Return the meetings in the user's scope, newest first; convened within the subtree of the organization whose
    code is ``org``, for campaigns of ``year`` (when given)."""
    qs = scope.restrict(Meeting.objects.all(), user, "org_path").select_related("campaign").order_by("-starts_at")
    if org:
        found = Organization.objects.filter(code=org).only("path").first()
        qs = qs.filter(org_path__gte=found.path, org_path__lt=paths.successor(found.path)) if found else qs.none()
    if year:
        qs = qs.filter(campaign__year=year)
    return qs


@dataclass(frozen=True)
class MeetingFilters:
    """A meeting list's filters (the API's)."""

    campaign: int | None = None
    status: str = ""
    year: int | None = None
    within: str = ""  # a materialized path: meetings convened in this subtree


def meetings_filtered(user: Any, f: MeetingFilters) -> QuerySet[Meeting]:
    """Return :func:`visible_meetings` narrowed by ``f``."""
    qs = visible_meetings(user)
    if f.campaign:
        qs = qs.filter(campaign_id=f.campaign)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.year:
        qs = qs.filter(campaign__year=f.year)
    if f.within:
        qs = qs.filter(org_path__gte=f.within, org_path__lt=paths.successor(f.within))
    return qs.order_by("-starts_at", "-id")


def meeting_get(user: Any, pk: int) -> Meeting:
    # Rehearsals too: their staff pages are the real meeting's pages, in their own rows.
    meeting = (Meeting.with_rehearsals.select_related("campaign", "campaign__convener", "current_item")
               .filter(pk=pk).first())
    return ensure_can_view_meeting(user, meeting)


def public_meeting(key: str) -> Meeting:
    meeting = (Meeting.with_rehearsals.select_related("campaign", "current_item", "current_item__subject",
                                              "current_item__subject__organization").filter(public_key=key).first())
    if meeting is None:
        raise Http404("找不到该会议")
    return meeting


def agenda_items() -> QuerySet[AgendaItem]:
    """Return agenda items in order, with what an agenda line shows (subject, organization, secretary)."""
    return AgendaItem.objects.select_related("subject", "subject__organization", "subject__secretary").order_by("order")


def agenda(meeting: Meeting) -> QuerySet[AgendaItem]:
    return agenda_items().filter(meeting=meeting)


def _from_row(model: type[Any], alias: str, values: dict[str, Any]) -> Any:
    """Return an instance of ``model`` holding ``values`` (by attribute name) and the rest deferred, as ``only()``
    would."""
    names = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(alias, names, [values[name] for name in names])


def evaluator_code(code_hash: str) -> EvaluatorCode | None:
    """Return the evaluator code with this hash, with what the phone's ballot page and the ballot service read of
    its meeting and group (the rest deferred), or None.

    One plain statement: every phone request runs it, and the ORM built the same join (``select_related`` with
    ``only``) in about ten times the CPU the database took to answer it."""
    alias = router.db_for_read(EvaluatorCode)
    codes, meetings, groups = EvaluatorCode._meta.db_table, Meeting._meta.db_table, PanelGroup._meta.db_table
    with connections[alias].cursor() as cursor:
        cursor.execute(
            f'SELECT c.id, c.meeting_id, c.group_id, c.used, c."cast", c.device_hash, c.revoked, m.title, m.status, '
            f"m.grades, m.items, m.allow_revise, m.public_key, g.name "
            f'FROM "{codes}" c JOIN "{meetings}" m ON m.id = c.meeting_id JOIN "{groups}" g ON g.id = c.group_id '
            f"WHERE c.code_hash = %s", [code_hash])
        row = cursor.fetchone()
    if row is None:
        return None
    pk, meeting_id, group_id, used, cast, device, revoked, title, status, grades, items, revise, key, name = row
    as_json = Meeting._meta.get_field("grades").from_db_value
    found = _from_row(EvaluatorCode, alias, {
        "id": pk, "meeting_id": meeting_id, "group_id": group_id, "code_hash": code_hash, "used": bool(used),
        "cast": bool(cast), "device_hash": device, "revoked": bool(revoked)})
    EvaluatorCode.meeting.field.set_cached_value(found, _from_row(Meeting, alias, {
        "id": meeting_id, "title": title, "status": status, "grades": as_json(grades, None, None),
        "items": as_json(items, None, None), "allow_revise": bool(revise), "public_key": key}))
    EvaluatorCode.group.field.set_cached_value(found, _from_row(PanelGroup, alias, {"id": group_id, "name": name}))
    return found


@dataclass(frozen=True)
class SheetRow:
    """One secretary on the evaluator's sheet: the agenda item and what the card shows of its subject."""

    pk: int
    order: int
    organization: str
    secretary: str
    topic: str


# The sheet is read once per meeting and state, not once per ballot: a hall of 500 phones would otherwise read the
# same 14 rows (and their subjects and organizations) 500 times within a minute. The agenda's rows are written once,
# when the meeting is scheduled; the names on a card belong to other steps (an organization renamed, a topic
# corrected), which this step is not told of, so a sheet is read again after SHEET_TTL_S at the latest.
SHEET_TTL_S = 60.0
_SHEET_CACHE_MAX = 256
_sheets: dict[tuple[int, str, str], tuple[float, tuple[SheetRow, ...]]] = {}


def ballot_sheet(meeting: Meeting) -> tuple[SheetRow, ...]:
    """Return the secretaries on ``meeting``'s ballot, in agenda order: kept per process by meeting and status,
    read again when the meeting's status changes or after :data:`SHEET_TTL_S` seconds. The meeting's random public
    key is part of the key: a meeting that took the id of one rolled back (SQLite reuses them) is another sheet."""
    key = (meeting.pk, meeting.public_key, meeting.status)
    now = time.monotonic()
    kept = _sheets.get(key)
    if kept is not None and now - kept[0] < SHEET_TTL_S:
        return kept[1]
    rows = tuple(SheetRow(item.pk, item.order, item.subject.organization.display_name, item.subject.secretary_name,
                          item.subject.topic) for item in agenda(meeting))
    if len(_sheets) >= _SHEET_CACHE_MAX:
        _sheets.clear()
    _sheets[key] = (now, rows)
    return rows


@dataclass(frozen=True)
class GroupProgress:
    """Ballots cast in one group — codes that have cast plus counted paper sheets — against the group's size."""

    group: PanelGroup
    phone: int
    paper: int

    @property
    def submitted(self) -> int:
        return self.phone + self.paper

    @property
    def expected(self) -> int:
        return self.group.size

    @property
    def over(self) -> bool:
        return self.submitted > self.group.size


def _counted_sheets(meeting_ids: list[int]) -> dict[tuple[int, int], int]:
    """Return {(meeting id, serial): group id} of the counted (accepted) paper sheets of the meetings."""
    sheets: dict[tuple[int, int], int] = {}
    for meeting_id, serial, group_id in (PaperEntry.objects.filter(meeting_id__in=meeting_ids, accepted=True)
                                         .order_by("id").values_list("meeting_id", "serial", "group_id")):
        sheets.setdefault((meeting_id, serial), group_id)
    return sheets


def progress(meeting: Meeting) -> list[GroupProgress]:
    """Return, per group, the ballots cast (phone and paper) against its size: the one figure the staff console,
    the projector and the API show. A code merely opened is not a ballot; a paper sheet counts once both entries
    agree (or one was chosen). Counts only."""
    return progress_of([meeting])[meeting.pk]


def progress_of(meetings: list[Meeting]) -> dict[int, list[GroupProgress]]:
    """Return :func:`progress` of each meeting by its id, in three queries however many meetings there are when
    their ``groups`` are prefetched (:func:`with_agenda`), two plus one a meeting otherwise."""
    ids = [m.pk for m in meetings]
    phone = {(m, g): n for m, g, n in EvaluatorCode.objects.filter(meeting_id__in=ids, cast=True).order_by()
             .values_list("meeting_id", "group").annotate(n=Count("id"))}
    paper = Counter((m, g) for (m, _serial), g in _counted_sheets(ids).items())
    return {m.pk: [GroupProgress(g, phone.get((m.pk, g.pk), 0), paper.get((m.pk, g.pk), 0)) for g in m.groups.all()]
            for m in meetings}


def with_agenda(meetings: QuerySet[Meeting]) -> QuerySet[Meeting]:
    """Return ``meetings`` with their agendas (as :func:`agenda` orders them) and panel groups prefetched."""
    return meetings.prefetch_related(Prefetch("agenda", queryset=agenda_items()), "groups")


def ballots_cast_in(group: PanelGroup) -> int:
    """Return the ballots cast in ``group`` as :func:`progress` counts them: codes that have cast, plus counted
    paper sheets (every accepted entry of a sheet names the group it counts in, so a sheet is one distinct serial
    among the group's accepted entries).

    One plain statement (:data:`.ballot_sql.BALLOTS_CAST_IN_GROUP`, which a phone's claim also counts with)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {ballot_sql.BALLOTS_CAST_IN_GROUP}", [group.pk, group.pk])
        return int(cursor.fetchone()[0])


@dataclass(frozen=True)
class PaperPending:
    """Paper sheets not yet counted: typed twice and disagreeing, or typed only once."""

    disputed: list[int]
    single: list[int]


def paper_pending(meeting: Meeting) -> PaperPending:
    return papers_pending([meeting.pk])[meeting.pk]


def papers_pending(meeting_ids: Iterable[int]) -> dict[int, PaperPending]:
    """Return :class:`PaperPending` of each of the meetings (one query for all)."""
    ids = list(meeting_ids)
    entries: dict[int, Counter[int]] = {m: Counter() for m in ids}
    counted: set[tuple[int, int]] = set()
    for meeting_id, serial, accepted in (PaperEntry.objects.filter(meeting__in=ids)
                                         .values_list("meeting_id", "serial", "accepted")):
        entries[meeting_id][serial] += 1
        if accepted:
            counted.add((meeting_id, serial))
    out = {}
    for m, by_serial in entries.items():
        waiting = {s: n for s, n in by_serial.items() if (m, s) not in counted}
        out[m] = PaperPending(sorted(s for s, n in waiting.items() if n >= 2),
                              sorted(s for s, n in waiting.items() if n == 1))
    return out


def scores_of_record(meeting: Meeting) -> dict[int, float | None]:
    """Return {subject id: the appraisal engine's score, or None while it is not computed} for the meeting.

    Meetings cannot import the appraisal step (it comes after, and imports meetings): the appraisal component
    provides ``"meeting_scores"`` (core/components.py), the one place the score of record is read from."""
    scores: dict[int, float | None] = {}
    if meeting.is_rehearsal:  # a rehearsal shares its subjects with the real meeting, never their scores
        return scores
    for provider in components.providers("meeting_scores"):
        scores.update(provider(meeting))
    return scores


NOT_COMPUTED = gettext_lazy("尚未计算评议结果")


def score_text(score: float | None) -> str:
    """Return the score of record as every page, export and document prints it ("58.00"), or say it is missing."""
    return str(NOT_COMPUTED) if score is None else f"{score:.2f}"


@dataclass
class ResultRow:
    item: AgendaItem
    organization: str
    secretary: str
    by_group: dict[int, int] = field(default_factory=dict)
    distribution: dict[str, int] = field(default_factory=dict)
    score: float | None = None

    @property
    def total(self) -> int:
        return sum(self.by_group.values())

    @property
    def score_text(self) -> str:
        return score_text(self.score)


def results(meeting: Meeting, items: Iterable[AgendaItem] | None = None) -> list[ResultRow]:
    """Return, per secretary, ballots per group, the grade distribution (counts), and the score of record as the
    appraisal engine computed it — never a mean of our own (one truth per figure). ``items`` (a page of
    :func:`agenda`) limits the rows to those agenda items; by default the whole agenda."""
    if meeting.status != Meeting.Status.CLOSED:
        raise PermissionError("投票截止前不显示结果")
    scores = scores_of_record(meeting)
    rows = {item.pk: ResultRow(item, item.subject.organization.display_name, item.subject.secretary_name,
                               score=scores.get(item.subject_id)) for item in (agenda(meeting) if items is None else items)}
    grade_counts: dict[int, Counter[str]] = defaultdict(Counter)
    for item_id, group_id, grade, n in (Ballot.objects.filter(meeting=meeting, item__in=list(rows))
                                        .values_list("item", "group", "grade").annotate(n=Count("id"))):
        row = rows[item_id]
        row.by_group[group_id] = row.by_group.get(group_id, 0) + n
        grade_counts[item_id][grade] += n
    for item_id, row in rows.items():
        row.distribution = {g: grade_counts[item_id].get(g, 0) for g in meeting.grades}
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
    return (AgendaItem.objects.filter(subject__secretary__user=user, meeting__rehearsal_of=None)
            .select_related("meeting", "subject")
            .order_by("-meeting__starts_at"))


def attendance_count(meeting: Meeting) -> int:
    """Return how many people attended: phone sign-ins and those staff recorded, by name or by count."""
    return meeting.attendance.aggregate(n=Sum("headcount"))["n"] or 0


def paper_entries(meeting: Meeting) -> dict[int, list[PaperEntry]]:
    out: dict[int, list[PaperEntry]] = defaultdict(list)
    for e in PaperEntry.objects.filter(meeting=meeting).select_related("clerk", "group").order_by("serial", "id"):
        out[e.serial].append(e)
    return dict(out)
