"""Recompute every result under an organization at once (a town, a county, a province), set-based.

:func:`.services.results_compute` scores one campaign's closed meetings with about ten queries a subject (its
meeting's rows, then an upsert and the proposals per subject). Here every table is read once for the whole
subtree — meetings, panel groups, agenda, accepted paper sheets, campaigns, existing results and proposals, and the
ballots streamed in (meeting, id) order through a server-side cursor — and the writes are batched upserts, so the
number of queries does not grow with the number of subjects and memory holds one meeting's ballots at a time. A
meeting whose subjects are all published or heard again later is not read. On PostgreSQL a province's meetings are
scored by worker processes, one per core (:mod:`.parallel`); this process still reads the scope and writes.

The figures are the per-meeting path's own, to the bit: each meeting is scored at once by
:func:`.vectorised.meeting_rows` (numpy over the meeting's ballots, its rows then written straight from the
sorted cells by :mod:`.stored_rows`, byte for byte what the engine's :func:`~.engine.scoring.assemble` and
:func:`.services.result_fields` make subject by subject), or, where that does not apply (paper ballots, marks that
are not whole numbers), mapped by :func:`.adapter.build_input` and scored by :func:`.services.score_meeting` (the
engine per subject, the panel's alpha and rater flags); the rows are written through
:func:`.upsert.results_upsert` (COPY and one upsert on PostgreSQL) with :func:`.services.proposal_fields`. As
there, published results are left alone, a subject heard at several closed meetings takes the last one's ballots
(by close time, then id), and decided proposals are kept. One audit record covers the recompute (the per-meeting
path writes one per campaign). Measured by ``dianti bench recompute``.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from dianti.campaigns.models import Campaign
from dianti.core import audit, paths
from dianti.meetings.models import AgendaItem, Meeting, PanelGroup, PaperEntry
from dianti.meetings.paper import paper_ballot_token
from dianti.orgs.models import Organization
from dianti.orgs.permissions import ensure_can_manage

from . import scheme_reads, services
from .engine import Scheme
from .meeting_scoring import RESULT_FIELDS, Work, batch_mode, scored_here
from .models import ActionProposal, ScoringScheme, SubjectResult
from .upsert import proposals_upsert, results_upsert

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
        of_meetings = Q(meeting__status=Meeting.Status.CLOSED, meeting__rehearsal_of=None) & _in(path, "meeting__org_path")
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
        row = services._stored(scheme_reads.scheme_for_campaign(Campaign(scheme_key=key)))
        out[key] = (row, scheme_reads.engine_scheme(row))
    return out


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
    with batch_mode():
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
