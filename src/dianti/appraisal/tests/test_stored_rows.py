"""A meeting's rows written straight from its cells (stored_rows.py) are the per-subject path's rows, byte for byte:
the same figures, the same detail text, the same proposals — trimmed and untrimmed groups, ties, empty groups,
invalid ballots of every kind, grade-only ballots, a subject without ballots."""

from __future__ import annotations

import datetime
import json
from dataclasses import replace
from typing import Any

import pytest

from dianti.appraisal import adapter, services, upsert, vectorised
from dianti.appraisal.engine import default_scheme
from dianti.appraisal.engine.scheme import Aggregation
from dianti.appraisal.models import ScoringScheme
from dianti.appraisal.tests.test_vectorised import _meeting
from dianti.meetings.models import PanelGroup

NOW = datetime.datetime(2026, 12, 7, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def vendor(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Rows as each vendor's writer takes them (database values on PostgreSQL, the fields elsewhere)."""
    monkeypatch.setattr(upsert, "connection", type("Connection", (), {"vendor": request.param})())
    return str(request.param)


def _reference(base: Any, row: ScoringScheme, meeting: Any, panel: Any, subject_of: Any, rows: Any,
               subjects: Any = None) -> list[tuple[int, Any, Any]]:
    data = adapter.build_input(meeting, base, panel, subject_of, rows, {})
    return [(sid, services.wanted_proposals(res), upsert.stored(sid, fields, upsert.RESULT_FIELDS, NOW))
            for sid, res, fields in services.score_meeting(data, row, subjects)]


def _scheme(base: Any) -> ScoringScheme:
    return ScoringScheme(pk=1, key=base.name, version=base.version, name=base.name, data=base.to_dict())


SHAPES = [(12, 60, 0.0, 1), (12, 60, 0.05, 2), (5, 8, 0.1, 3), (3, 3, 0.2, 4), (1, 2, 0.0, 5), (30, 20, 0.03, 6),
          (8, 12, 0.3, 7)]


@pytest.mark.parametrize(("subjects", "evaluators", "odd", "seed"), SHAPES)
def test_rows_written_at_once_are_the_per_subject_rows_byte_for_byte(vendor: str, subjects: int, evaluators: int,
                                                                    odd: float, seed: int) -> None:
    base = default_scheme()
    row = _scheme(base)
    meeting, panel, subject_of, rows = _meeting(subjects, evaluators, seed=seed, odd=odd)
    subject_of[99_999] = 77_777  # on the agenda, no ballot
    got = vectorised.meeting_rows(meeting, base, row, panel, subject_of, rows, paper=False, subjects=None, now=NOW)
    assert got is not None
    assert got == _reference(base, row, meeting, panel, subject_of, rows)


def test_rows_under_other_trims_a_plain_mean_and_a_meeting_of_its_own_groups_match_too(vendor: str) -> None:
    meeting, panel, subject_of, rows = _meeting(10, 40, seed=11, odd=0.05)
    for base in (replace(default_scheme(), aggregation=Aggregation("trimmed", 4, 2)),
                 replace(default_scheme(), aggregation=Aggregation("mean", 5, 1))):
        row = _scheme(base)
        got = vectorised.meeting_rows(meeting, base, row, panel, subject_of, rows, paper=False, subjects=None,
                                      now=NOW)
        assert got == _reference(base, row, meeting, panel, subject_of, rows)
    renamed = [PanelGroup(pk=pg.pk, meeting_id=pg.meeting_id, name=f"第{k}组", weight=pg.weight, order=pg.order,
                          size=pg.size) for k, pg in enumerate(panel)]  # not the scheme's: the meeting's weights
    base = default_scheme()
    got = vectorised.meeting_rows(meeting, base, _scheme(base), renamed, subject_of, rows, paper=False,
                                  subjects=None, now=NOW)
    assert got == _reference(base, _scheme(base), meeting, renamed, subject_of, rows)


def test_only_the_subjects_asked_for_are_written(vendor: str) -> None:
    base = default_scheme()
    meeting, panel, subject_of, rows = _meeting(6, 20, seed=3)
    mine = [5001, 5004]
    got = vectorised.meeting_rows(meeting, base, _scheme(base), panel, subject_of, rows, paper=False, subjects=mine,
                                  now=NOW)
    assert got is not None and [sid for sid, *_ in got] == mine
    assert got == _reference(base, _scheme(base), meeting, panel, subject_of, rows, mine)


def test_the_stored_detail_reads_back_as_the_engine_result_says(vendor: str) -> None:
    base = default_scheme()
    meeting, panel, subject_of, rows = _meeting(4, 30, seed=9, odd=0.1)
    got = vectorised.meeting_rows(meeting, base, _scheme(base), panel, subject_of, rows, paper=False, subjects=None,
                                  now=NOW)
    data = adapter.build_input(meeting, base, panel, subject_of, rows, {})
    assert got is not None
    for sid, _, stored in got:
        detail = stored[upsert.RESULT_FIELDS.index("detail") + 1] if vendor == "postgresql" else stored[1]["detail"]
        detail = json.loads(detail) if isinstance(detail, str) else detail
        res = adapter.score(data, sid)
        assert detail["score"] == res.score and detail["n_valid"] == res.n_valid
        assert [r["status"] for r in detail["rules"]] == [o.status for o in res.outcomes]


def test_rows_with_empty_groups_and_a_subject_without_a_valid_ballot_match_too(vendor: str) -> None:
    base = default_scheme()
    meeting, panel, subject_of, rows = _meeting(6, 30, seed=21)
    first, second, third = list(subject_of)[:3]
    rows = [r for r in rows if not (r[1] == first and r[2] == panel[0].pk)]  # one group did not vote on the first
    rows = [r for r in rows if not (r[1] == second and r[2] in (panel[1].pk, panel[3].pk))]  # two on the second
    rows = [(*r[:3], "极好", *r[4:]) if r[1] == third else r for r in rows]  # every ballot on the third invalid
    got = vectorised.meeting_rows(meeting, base, _scheme(base), panel, subject_of, rows, paper=False, subjects=None,
                                  now=NOW)
    want = _reference(base, _scheme(base), meeting, panel, subject_of, rows)
    assert got == want
    details = {sid: json.loads(r[upsert.RESULT_FIELDS.index("detail") + 1]) if vendor == "postgresql"
               else r[1]["detail"] for sid, _, r in want}
    assert [g["used_weight"] for g in details[5000]["groups"]][0] == 0.0  # the empty group renormalised away
    assert details[5002]["score"] is None and details[5002]["n_valid"] == 0


def test_a_meeting_without_ballots_or_without_subjects_writes_what_the_per_subject_path_writes(vendor: str) -> None:
    base = default_scheme()
    meeting, panel, subject_of, _ = _meeting(3, 5, seed=4)
    got = vectorised.meeting_rows(meeting, base, _scheme(base), panel, subject_of, [], paper=False, subjects=None,
                                  now=NOW)
    assert got == _reference(base, _scheme(base), meeting, panel, subject_of, []) and len(got) == 3
    assert vectorised.meeting_rows(meeting, base, _scheme(base), panel, {}, [], paper=False, subjects=None,
                                   now=NOW) == []
