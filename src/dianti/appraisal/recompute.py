"""Recompute every result under an organization at once (a town, a county, a province), set-based.

:func:`.services.results_compute` scores one campaign's closed meetings with about ten queries a subject (its
meeting's rows, then an upsert and the proposals per subject). Here every table is read once for the whole
subtree — meetings, panel groups, agenda, accepted paper sheets, campaigns, existing results and proposals, and the
ballots streamed in (meeting, id) order through a server-side cursor — and the writes are batched upserts, so the
number of queries does not grow with the number of subjects and memory holds one meeting's ballots at a time. A
meeting whose subjects are all published or heard again later is not read. On PostgreSQL a province's meetings are
scored by worker processes, one per core (:mod:`.parallel`); this process still reads the scope and writes.

The figures are the per-meeting path's own, to the bit: each meeting is scored at once by
:func:`.vectorised.score_meeting` (numpy over the meeting's ballots, then the engine's own
:func:`~.engine.scoring.assemble` per subject), or, where that does not apply (paper ballots, marks that are not
whole numbers), mapped by :func:`.adapter.build_input` and scored by :func:`.services.score_meeting` (the engine
per subject, the panel's alpha and rater flags); the rows written are :func:`.services.result_fields` (through
:func:`.upsert.results_upsert`: COPY and one upsert on PostgreSQL) and :func:`.services.proposal_fields`. As
there, published results are left alone, a subject heard at several closed meetings takes the last one's ballots
(by close time, then id), and decided proposals are kept. One audit record covers the recompute (the per-meeting
path writes one per campaign). Measured by ``dianti bench recompute``.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import json
import operator
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Case, F, Q, TextField, Value, When
from django.db.models.functions import Cast
from django.utils import timezone
from threadpoolctl import threadpool_limits

from dianti.campaigns.models import Campaign
from dianti.core import audit, paths
from dianti.meetings.models import AgendaItem, Meeting, PanelGroup, PaperEntry
from dianti.meetings.models import Ballot as BallotRow
from dianti.meetings.paper import paper_ballot_token
from dianti.orgs.models import Organization
from dianti.orgs.permissions import ensure_can_manage

from . import adapter, selectors, services, vectorised
from .engine import Scheme
from .models import ActionProposal, ScoringScheme, SubjectResult
from .upsert import proposals_upsert, results_upsert, stored

RESULT_FIELDS = ("scheme", "meeting", "score", "ballots", "invalid", "satisfaction", "satisfaction_low",
                 "satisfaction_high", "dissatisfaction", "alpha", "detail", "explanation", "status", "computed_at",
                 "submitted_at", "submitted_by")
PROPOSAL_FIELDS = ("campaign", "org_path", "rule", "reason", "uncertain", "status")


@dataclass(frozen=True)
class RecomputeReport:
    meetings: int
    computed: int
    skipped_published: int
    proposals: int
    ballots: int
    vectorised: int = 0  # meetings scored at once (appraisal/vectorised.py); the others subject by subject
    scoring_s: float = 0.0  # of the wall time: mapping and scoring (the engine, alpha, traces)
    writing_s: float = 0.0  # the batched upserts and deletions; the rest is reading


def _in(path: str, field: str = "org_path") -> Q:
    return Q(**{f"{field}__gte": path, f"{field}__lt": paths.successor(path)})


@dataclass
class _Scope:
    """What the recompute reads before the ballots: one query per table for the whole subtree."""

    meetings: dict[int, Meeting]
    campaigns: dict[int, Campaign]
    panel: dict[int, list[PanelGroup]]
    subject_of: dict[int, dict[int, int]]       # meeting → {agenda item: subject}
    last_meeting: dict[int, int]                 # subject → the meeting whose ballots it takes
    serials: dict[int, dict[str, int]]           # meeting → {ballot token: paper serial}
    published: set[int]
    existing_proposals: dict[int, dict[str, str]]  # subject → {action: status}

    @classmethod
    def read(cls, path: str) -> _Scope:
        closed = _in(path) & Q(status=Meeting.Status.CLOSED)
        meetings = {m.pk: m for m in Meeting.objects.filter(closed).order_by("closed_at", "pk")
                    .only("pk", "campaign_id", "title", "grades", "items", "closed_at")}
        of_meetings = Q(meeting__status=Meeting.Status.CLOSED) & _in(path, "meeting__org_path")
        panel: dict[int, list[PanelGroup]] = defaultdict(list)
        for group in PanelGroup.objects.filter(of_meetings).order_by("order", "pk"):
            panel[group.meeting_id].append(group)
        subject_of: dict[int, dict[int, int]] = defaultdict(dict)
        last_meeting: dict[int, int] = {}
        rank = {pk: n for n, pk in enumerate(meetings)}  # close order
        for item, meeting_id, subject_id in AgendaItem.objects.filter(of_meetings).values_list(
                "pk", "meeting_id", "subject_id"):
            subject_of[meeting_id][item] = subject_id
            held = last_meeting.get(subject_id)
            if held is None or rank[meeting_id] > rank[held]:
                last_meeting[subject_id] = meeting_id
        serials: dict[int, dict[str, int]] = defaultdict(dict)
        for meeting_id, serial, grades in PaperEntry.objects.filter(of_meetings & Q(accepted=True)).values_list(
                "meeting_id", "serial", "grades"):
            for item_id in grades:
                serials[meeting_id][paper_ballot_token(meeting_id, serial, item_id)] = serial
        campaigns = {c.pk: c for c in Campaign.objects.filter(pk__in={m.campaign_id for m in meetings.values()})
                     .only("pk", "org_path", "scheme_key")}
        of_subjects = _in(path, "subject__campaign__org_path")
        published = set(SubjectResult.objects.filter(of_subjects, status=SubjectResult.Status.PUBLISHED)
                        .values_list("subject_id", flat=True))
        existing: dict[int, dict[str, str]] = defaultdict(dict)
        for subject_id, action, status in ActionProposal.objects.filter(of_subjects).values_list(
                "subject_id", "action", "status"):
            existing[subject_id][action] = status
        return cls(meetings, campaigns, panel, subject_of, last_meeting, serials, published, existing)


def read_ballots(meeting_ids: Sequence[int], chunk_size: int) -> Iterator[tuple[int, list[adapter.BallotValues]]]:
    """Yield (meeting id, its ballot rows in id order) for these meetings, streamed, meeting by meeting.

    The rows are read with a plain (server-side) cursor and each meeting's item marks parsed as one JSON document:
    Django's per-row JSON conversion would cost more than scoring them. Only paper ballots need their token (to
    find their serial, :func:`.adapter.paper_serials`); a phone ballot's reads as "".
    """
    query = (BallotRow.objects.filter(meeting_id__in=list(meeting_ids))
             .order_by("meeting_id", "pk")
             .annotate(marks=Cast("scores", TextField()),
                       paper=Case(When(kind=BallotRow.Kind.PHONE, then=Value("")), default=F("token")))
             .values_list("meeting_id", "pk", "item_id", "group_id", "grade", "marks", "paper"))
    sql, params = query.query.sql_with_params()
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        rows = itertools.chain.from_iterable(iter(lambda: cursor.fetchmany(chunk_size), []))
        for meeting_id, group in itertools.groupby(rows, key=operator.itemgetter(0)):
            _, pks, items, groups, grades, marks, tokens = zip(*group, strict=True)
            scores = json.loads("[" + ",".join(m or "null" for m in marks) + "]")
            yield meeting_id, list(zip(pks, items, groups, grades, scores, tokens, strict=True))


@dataclass(frozen=True)
class Work:
    """What scoring one meeting needs besides its ballots — read once by the recompute, picklable, so a worker
    process scores it as well (:mod:`.parallel`)."""

    meeting: Meeting
    row: ScoringScheme
    base: Scheme
    panel: list[PanelGroup]
    subject_of: dict[int, int]  # agenda item → subject
    serials: dict[str, int]  # paper ballot token → serial
    mine: list[int]  # the subjects that take this meeting's ballots


@dataclass(frozen=True)
class Scores:
    """One meeting scored: its ballots read, whether at once (:mod:`.vectorised`), the seconds scoring took, and
    per subject that takes its ballots the proposals the rules make and the result as the writer stores it."""

    meeting_id: int
    ballots: int
    at_once: bool
    seconds: float
    subjects: list[tuple[int, dict[str, tuple[str, str, bool]], Any]]


def score(work: Work, rows: list[adapter.BallotValues], now: Any) -> Scores:
    """Score the meeting's subjects that take its ballots: the whole meeting at once (:mod:`.vectorised`), or
    subject by subject where that does not apply — the same fields either way."""
    started = time.perf_counter()
    m = work.meeting
    scored = vectorised.score_meeting(m, work.base, work.row, work.panel, work.subject_of, rows, bool(work.serials),
                                      work.mine)
    at_once = scored is not None
    if scored is None:
        scored = services.score_meeting(adapter.build_input(m, work.base, work.panel, work.subject_of, rows,
                                                            work.serials), work.row, work.mine)
    subjects = [(sid, services.wanted_proposals(res), stored(sid, fields, RESULT_FIELDS, now))
                for sid, res, fields in scored]
    return Scores(m.pk, len(rows), at_once, time.perf_counter() - started, subjects)


def scored_here(works: Sequence[Work], chunk_size: int, now: Any) -> Iterator[Scores]:
    """Score ``works`` in this process, streaming their ballots; meetings without a ballot last."""
    by_id = {w.meeting.pk: w for w in works}
    for meeting_id, rows in read_ballots(list(by_id), chunk_size):
        yield score(by_id.pop(meeting_id), rows, now)
    for work in by_id.values():
        yield score(work, [], now)


class _Writer:
    """Batched upserts of results and proposals, and deletions of pending proposals the rules no longer make."""

    def __init__(self, batch: int) -> None:
        self.batch = batch
        self.results: list[Any] = []
        self.proposals: list[tuple[int, str, dict[str, Any]]] = []
        self.stale: list[tuple[int, str]] = []
        self.seconds = 0.0

    def result(self, row: Any) -> None:
        self.results.append(row)
        if len(self.results) >= self.batch:
            self.flush()

    def proposal(self, subject_id: int, action: str, fields: dict[str, Any]) -> None:
        self.proposals.append((subject_id, action, fields))

    def flush(self) -> None:
        started = time.perf_counter()
        self._flush()
        self.seconds += time.perf_counter() - started

    def _flush(self) -> None:
        results_upsert(self.results, RESULT_FIELDS, self.batch)
        proposals_upsert(self.proposals, PROPOSAL_FIELDS, self.batch)
        if self.stale:
            by_action: dict[str, list[int]] = defaultdict(list)
            for subject_id, action in self.stale:
                by_action[action].append(subject_id)
            for action, subject_ids in by_action.items():
                ActionProposal.objects.filter(action=action, subject_id__in=subject_ids,
                                              status=ActionProposal.Status.PENDING).delete()
        self.results, self.proposals, self.stale = [], [], []


def _schemes(campaigns: Iterable[Campaign]) -> dict[str, tuple[ScoringScheme, Scheme]]:
    out = {}
    for key in {c.scheme_key for c in campaigns}:
        row = services._stored(selectors.scheme_for_campaign(Campaign(scheme_key=key)))
        out[key] = (row, selectors.engine_scheme(row))
    return out


@contextlib.contextmanager
def _batch_mode() -> Iterator[None]:
    """Run allocation-heavy work without the cyclic garbage collector (it frees nothing here — the objects made per
    subject hold no cycles — yet rescans every live object again and again) and with numpy's BLAS on one thread
    (its matrices here are tiny; more threads only wait for each other on a busy machine)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        with threadpool_limits(1, user_api="blas"):
            yield
    finally:
        if enabled:
            gc.enable()


@transaction.atomic
def results_recompute(*, actor: Any, scope: Organization, chunk_size: int = 20_000, batch_size: int = 5_000,
                      workers: int | None = None) -> RecomputeReport:
    """Recompute the draft results of every closed meeting of every campaign convened in ``scope``'s subtree, as
    :func:`.services.results_compute` does campaign by campaign, with one query per table (module docstring).

    Each campaign's latest scheme applies. A meeting whose grades do not fit its scheme raises ValidationError, as
    computing that campaign would. ``workers``: processes scoring meetings besides this one, which reads the scope
    and writes (:mod:`.parallel`, PostgreSQL only); by default one per core from
    :data:`.parallel.PARALLEL_FROM` subjects on, none below.
    """
    ensure_can_manage(actor, scope)
    with _batch_mode():
        return _recompute(actor, scope, chunk_size, batch_size, workers)


def _recompute(actor: Any, scope: Organization, chunk_size: int, batch_size: int, workers: int | None
               ) -> RecomputeReport:
    from . import parallel

    read = _Scope.read(scope.path)
    schemes = _schemes(read.campaigns.values())
    skipped: set[int] = set()
    works = []
    for meeting_id, meeting in read.meetings.items():
        subjects = read.subject_of[meeting_id].values()
        if not any(read.last_meeting.get(s) == meeting_id and s not in read.published for s in subjects):
            skipped |= read.published.intersection(subjects)
            continue  # nothing of this meeting would be written (all published or heard again later)
        row, base = schemes[read.campaigns[meeting.campaign_id].scheme_key]
        works.append(Work(meeting, row, base, read.panel.get(meeting_id, []), read.subject_of[meeting_id],
                          read.serials.get(meeting_id, {}),
                          [s for s in dict.fromkeys(subjects) if read.last_meeting.get(s) == meeting_id]))
    now = timezone.now()
    workers = parallel.workers_for(len(read.last_meeting)) if workers is None else workers
    scored = (parallel.scored_in_workers(works, workers, chunk_size, now) if workers > 1 and parallel.available()
              else scored_here(works, chunk_size, now))
    writer = _Writer(batch_size)
    computed: set[int] = set()
    proposals = ballots = vectorised = 0
    scoring = 0.0
    for done in scored:
        ballots += done.ballots
        vectorised += done.at_once
        scoring += done.seconds
        campaign = read.campaigns[read.meetings[done.meeting_id].campaign_id]
        for sid, wanted, result in done.subjects:
            if sid in read.published:
                skipped.add(sid)
                continue
            writer.result(result)
            held = read.existing_proposals.get(sid, {})
            writer.stale += [(sid, a) for a, st in held.items()
                             if st == ActionProposal.Status.PENDING and a not in wanted]
            for action, (rule, reason, uncertain) in wanted.items():
                if held.get(action, ActionProposal.Status.PENDING) == ActionProposal.Status.PENDING:
                    writer.proposal(sid, action, services.proposal_fields(campaign, rule, reason, uncertain))
            proposals += len(wanted)
            computed.add(sid)
    writer.flush()
    audit.record(actor=actor, action="appraisal.recompute", target=scope, org_path=scope.path,
                 changes={"subjects": [None, len(computed)], "meetings": [None, len(read.meetings)]})
    return RecomputeReport(len(read.meetings), len(computed), len(skipped - computed), proposals, ballots,
                           vectorised, round(scoring, 2), round(writer.seconds, 2))
