"""The scale counties' meetings, by bulk inserts (``demo_bulk``, see :mod:`dianti.core.demo`).

Every town campaign at 述职 or later holds its meeting as Haiyan's towns do: the agenda of its subjects, the
demo's panel (:data:`.demo.GROUPS`, or ``Scale.evaluators`` split in the same proportions), one used code per
evaluator, and a phone ballot from every evaluator on every subject — a grade drawn from the subject's latent
quality plus noise, and 德能勤绩廉 marks around the grade's points, as :func:`.demo._vote` draws them. Meetings of
campaigns past 述职 are closed; the one at 述职 is open with the first half of its agenda heard. Ballots are
written with COPY (random ids and tokens, as :class:`.models.Ballot` has them); no questions or attendance.
"""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from typing import Any

import numpy as np
from django.db import transaction

from dianti.campaigns import bulk as campaigns_bulk
from dianti.campaigns.models import Phase
from dianti.core import bulk
from dianti.core.demo import Scale

from .demo import GROUPS
from .models import AgendaItem, Ballot, EvaluatorCode, Meeting, PanelGroup

GRADES = ["好", "较好", "一般", "差"]
BASE = np.array([92, 84, 72, 58])
ITEMS = ["德", "能", "勤", "绩", "廉"]
HELD = (Phase.REPORTING, Phase.APPRAISAL, Phase.RECTIFICATION, Phase.ARCHIVED)
BALLOT_COLUMNS = ("id", "meeting_id", "item_id", "group_id", "grade", "scores", "comment", "kind", "token")


def _panel(evaluators: int) -> list[tuple[str, int, int]]:
    """Return (name, weight %, size) of the panel: the demo's, or ``evaluators`` split in its proportions."""
    if not evaluators:
        return GROUPS
    total = sum(size for *_, size in GROUPS)
    sizes = [max(1, round(evaluators * size / total)) for *_, size in GROUPS]
    return [(name, weight, n) for (name, weight, _), n in zip(GROUPS, sizes, strict=True)]


def _hexes(n: int, width: int) -> list[str]:
    raw = os.urandom(n * width // 2).hex()
    return [raw[i * width:(i + 1) * width] for i in range(n)]


def _ballots(meeting: Meeting, items: list[AgendaItem], groups: list[PanelGroup],
             rng: np.random.Generator) -> list[tuple[Any, ...]]:
    """Return the ballot rows of every evaluator on every heard item."""
    evaluators = np.repeat([g.pk for g in groups], [g.size for g in groups])
    n_e, n_s = len(evaluators), len(items)
    quality = rng.normal(0, 1, n_s)
    x = quality[None, :] + rng.normal(0.6, 0.9, (n_e, n_s))
    grade = np.select([x > 0.8, x > -0.2, x > -1.4], [0, 1, 2], 3).ravel()
    marks = np.clip(rng.normal(BASE[grade][:, None], 4, (len(grade), len(ITEMS))).astype(int), 0, 100).tolist()
    n = len(grade)
    ids = rng.integers(1, 2**53 - 1, n, dtype=np.int64).tolist()
    tokens = _hexes(n, 64)
    group_of = np.repeat(evaluators, n_s).tolist()
    item_of = [it.pk for it in items] * n_e
    labels = [GRADES[g] for g in grade.tolist()]
    scores = [f'{{"德": {a}, "能": {b}, "勤": {c}, "绩": {d}, "廉": {e}}}' for a, b, c, d, e in marks]
    return list(zip(ids, [meeting.pk] * n, item_of, group_of, labels, scores, [""] * n, ["phone"] * n, tokens,
                    strict=True))


def _meeting(campaign: Any, n: int) -> Meeting:
    starts = dt.datetime(campaign.year, 6, 20, 9, tzinfo=dt.UTC)
    closed = campaign.phase != Phase.REPORTING
    return Meeting(campaign=campaign, org_path=campaign.org_path, title=f"{campaign.title}评议会",
                   starts_at=starts, venue="党群服务中心大会议室", host="党委书记", grades=GRADES, items=ITEMS,
                   status=Meeting.Status.CLOSED if closed else Meeting.Status.OPEN, public_key=_hexes(1, 16)[0],
                   opened_at=starts, closed_at=starts + dt.timedelta(hours=3, minutes=n % 60) if closed else None)


@transaction.atomic
def fill(scale: Scale) -> dict[str, Any]:
    """Hold the meetings of every scale campaign at 述职 or later."""
    campaigns = list(campaigns_bulk.of_scale(scale).filter(phase__in=HELD).order_by("pk"))
    meetings = Meeting.objects.bulk_create([_meeting(c, i) for i, c in enumerate(campaigns)])
    panel = _panel(scale.evaluators)
    groups = PanelGroup.objects.bulk_create([
        PanelGroup(meeting=m, name=name, weight=Decimal(w), size=size, order=k)
        for m in meetings for k, (name, w, size) in enumerate(panel)])
    by_meeting: dict[int, list[PanelGroup]] = {}
    for g in groups:
        by_meeting.setdefault(g.meeting_id, []).append(g)
    agenda = []
    for m, c in zip(meetings, campaigns, strict=True):
        subjects = list(c.subjects.order_by("order").values_list("pk", flat=True))
        heard = len(subjects) if m.status == Meeting.Status.CLOSED else len(subjects) // 2
        agenda += [AgendaItem(meeting=m, subject_id=s, order=k, reported=k < heard) for k, s in enumerate(subjects)]
    AgendaItem.objects.bulk_create(agenda, batch_size=5000)
    items: dict[int, list[AgendaItem]] = {}
    for a in agenda:
        if a.reported:
            items.setdefault(a.meeting_id, []).append(a)
    rng = np.random.default_rng(scale.seed)
    codes = [(m.pk, g.pk, h, "phone", True, True, "", False) for m in meetings for g in by_meeting[m.pk]
             for h in _hexes(g.size, 64)]
    bulk.insert_rows(EvaluatorCode, ("meeting_id", "group_id", "code_hash", "kind", "used", "cast", "device_hash",
                                     "revoked"), codes)
    with bulk.deferred_indexes(Ballot, defer=scale.defer_indexes):
        ballots = bulk.insert_rows(Ballot, BALLOT_COLUMNS, (row for m in meetings
                                                            for row in _ballots(m, items.get(m.pk, []),
                                                                                by_meeting[m.pk], rng)))
    return {"meetings": len(meetings), "ballots": ballots}
