"""Scoring a whole meeting at once gives the per-subject path's stored fields, to the bit, whatever the ballots."""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

import numpy as np
import pytest

from dianti.appraisal import adapter, services, vectorised
from dianti.appraisal.engine import default_scheme
from dianti.appraisal.models import ScoringScheme
from dianti.meetings.models import Meeting, PanelGroup

GRADES = ["好", "较好", "一般", "差"]
ITEMS = ["德", "能", "勤", "绩", "廉"]
PANEL = [("镇党委班子成员", 30, 7), ("党员代表", 30, 24), ("群众代表", 30, 24), ("驻村干部", 10, 5)]
MEETING = 7


def _meeting(subjects: int, evaluators: int, seed: int, odd: float = 0.0) -> tuple[Any, ...]:
    """Return (meeting, panel, {agenda item: subject}, ballot rows) with every evaluator voting on every subject;
    ``odd`` of the ballots grade-only, the same mark on every item, of an unknown group or an unknown grade."""
    rng, pick = np.random.default_rng(seed), random.Random(seed)
    meeting = Meeting(pk=MEETING, title="评议会", grades=GRADES, items=ITEMS)
    total = sum(size for *_, size in PANEL)
    panel = [PanelGroup(pk=100 + k, meeting_id=MEETING, name=name, weight=Decimal(w), order=k,
                        size=max(1, round(evaluators * size / total))) for k, (name, w, size) in enumerate(PANEL)]
    subject_of = {1000 + s: 5000 + s for s in range(subjects)}
    rows = []
    ids = iter(sorted(rng.choice(2**53, size=subjects * sum(g.size for g in panel) * 2, replace=False).tolist()))
    for group in panel:
        for _ in range(group.size):
            for item in subject_of:
                grade = int(np.clip(rng.normal(1, 1), 0, 3))
                marks: Any = {n: int(np.clip(rng.normal(90 - 10 * grade, 4), 0, 100)) for n in ITEMS}
                group_id, label, x = group.pk, GRADES[grade], pick.random()
                if x < odd:
                    marks = {}
                elif x < 2 * odd:
                    marks = dict.fromkeys(ITEMS, 80)
                elif x < 2.3 * odd:
                    group_id = 999
                elif x < 2.6 * odd:
                    label = "极好"
                rows.append((next(ids), item, group_id, label, marks, ""))
    rows.sort()
    return meeting, panel, subject_of, rows


@pytest.mark.parametrize(("subjects", "evaluators", "odd"), [(12, 60, 0.0), (12, 60, 0.05), (5, 8, 0.1), (3, 3, 0.2),
                                                             (1, 2, 0.0)])
def test_a_meeting_scored_at_once_stores_what_scoring_subject_by_subject_stores(subjects: int, evaluators: int,
                                                                                 odd: float) -> None:
    base = default_scheme()
    row = ScoringScheme(pk=1, key="default", version=1, name=base.name, data=base.to_dict())
    meeting, panel, subject_of, rows = _meeting(subjects, evaluators, seed=subjects + evaluators, odd=odd)
    subject_of[99_999] = 77_777  # on the agenda, no ballot
    want = [(sid, fields) for sid, _, fields in services.score_meeting(
        adapter.build_input(meeting, base, panel, subject_of, rows, {}), row)]
    at_once = vectorised.score_meeting(meeting, base, row, panel, subject_of, rows, paper=False)
    assert at_once is not None
    got = [(sid, fields) for sid, _, fields in at_once]
    assert [sid for sid, _ in got] == [sid for sid, _ in want]
    for (sid, a), (_, b) in zip(want, got, strict=True):
        assert {k: repr(v) for k, v in a.items()} == {k: repr(v) for k, v in b.items()}, sid


def test_a_meeting_the_vectorised_path_does_not_cover_is_left_to_the_per_subject_path() -> None:
    base = default_scheme()
    row = ScoringScheme(pk=1, key="default", version=1, name=base.name, data=base.to_dict())
    meeting, panel, subject_of, rows = _meeting(3, 8, seed=1)
    assert vectorised.score_meeting(meeting, base, row, panel, subject_of, rows, paper=True) is None
    halves = [(*r[:4], {n: 80.5 for n in ITEMS}, r[5]) for r in rows]
    assert vectorised.score_meeting(meeting, base, row, panel, subject_of, halves, paper=False) is None
    partial = [(*r[:4], {"德": 80}, r[5]) for r in rows]
    assert vectorised.score_meeting(meeting, base, row, panel, subject_of, partial, paper=False) is None
