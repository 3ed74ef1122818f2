"""Score one closed meeting's ballots for the recompute (:mod:`.recompute`), in its own process or in a worker
(:mod:`.parallel`): what the meeting needs besides its ballots (:class:`Work`), the ballots streamed meeting by
meeting (:func:`read_ballots`), and the scores as the writer stores them (:class:`Scores`)."""

from __future__ import annotations

import contextlib
import gc
import itertools
import json
import operator
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Case, F, TextField, Value, When
from django.db.models.functions import Cast
from threadpoolctl import threadpool_limits

from dianti.meetings.models import Ballot as BallotRow
from dianti.meetings.models import Meeting, PanelGroup

from . import adapter, services, vectorised
from .engine import Scheme
from .models import ScoringScheme
from .upsert import RESULT_FIELDS, stored


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
    subjects = vectorised.meeting_rows(m, work.base, work.row, work.panel, work.subject_of, rows,
                                       bool(work.serials), work.mine, now)
    at_once = subjects is not None
    if subjects is None:
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


@contextlib.contextmanager
def batch_mode() -> Iterator[None]:
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
