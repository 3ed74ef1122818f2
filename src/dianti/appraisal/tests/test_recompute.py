"""Recomputing a whole subtree set-based gives the per-meeting path's results, row for row."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dianti.appraisal import services
from dianti.appraisal.models import ActionProposal, SubjectResult
from dianti.appraisal.recompute import results_recompute

from .factories import HAND, POOR, close_meeting, closed, reporting

pytestmark = pytest.mark.django_db

ITEMS = ("德", "能", "勤", "绩", "廉")
MARKED = {"群众代表": [("好", "一般", dict.fromkeys(ITEMS, 90), {"德": 70, "能": 75, "勤": 72, "绩": 68, "廉": 80}),
                   ("较好", "差", {"德": 85, "能": 80, "勤": 88, "绩": 82, "廉": 90}, dict.fromkeys(ITEMS, 60)),
                   *HAND["群众代表"]],
          "镇干部": HAND["镇干部"], "党员代表": [("差", "好")] * 3}


def _results() -> dict[int, dict[str, Any]]:
    return {r["subject_id"]: r for r in SubjectResult.objects.values(
        "subject_id", "scheme_id", "meeting_id", "score", "ballots", "invalid", "satisfaction", "satisfaction_low",
        "satisfaction_high", "dissatisfaction", "alpha", "detail", "explanation", "status")}


def _proposals() -> set[tuple[Any, ...]]:
    return set(ActionProposal.objects.values_list("subject_id", "campaign_id", "org_path", "action", "rule", "reason",
                                                  "uncertain", "status"))


def _per_meeting_path(tree: Any) -> tuple[Any, dict[int, dict[str, Any]], set[tuple[Any, ...]]]:
    """Two towns: 通元镇 holds two meetings (the second re-hears both secretaries, with item marks), 澉浦镇 one;
    each campaign is computed by the per-meeting path."""
    c = closed(tree, HAND, appraisal=False, items=ITEMS)
    close_meeting(c.campaign, MARKED, items=ITEMS)
    services.results_compute(actor=None, campaign=c.campaign)
    return c, _results(), _proposals()


def test_recompute_from_nothing_equals_the_per_meeting_path(tree: Any) -> None:
    c, want, proposals = _per_meeting_path(tree)
    assert len(want) == 2 and proposals  # the second meeting's 党员代表 make the rules propose something
    SubjectResult.objects.all().delete()
    ActionProposal.objects.all().delete()
    report = results_recompute(actor=None, scope=tree.county)
    assert (report.meetings, report.computed, report.ballots) == (2, 2, 2 * (8 + 2 * 5 + 3) + 0)
    assert _results() == want
    assert _proposals() == proposals


def test_recompute_overwrites_stale_drafts_and_keeps_what_is_published_or_decided(tree: Any) -> None:
    c, want, proposals = _per_meeting_path(tree)
    SubjectResult.objects.filter(subject=c.va1).update(score=0, detail={}, explanation="stale")
    SubjectResult.objects.filter(subject=c.va2).update(status=SubjectResult.Status.PUBLISHED, score=1.0)
    pending = ActionProposal.objects.filter(subject=c.va1).first()
    ActionProposal.objects.create(subject=c.va1, campaign=c.campaign, org_path=c.campaign.org_path, action="talk"
                                  if pending is None or pending.action != "talk" else "unqualified",
                                  rule="stale", reason="stale")
    report = results_recompute(actor=None, scope=tree.town_a)
    got = _results()
    assert got[c.va1.pk] == want[c.va1.pk]
    assert (got[c.va2.pk]["status"], got[c.va2.pk]["score"]) == (SubjectResult.Status.PUBLISHED, 1.0)
    assert (report.computed, report.skipped_published) == (1, 1)
    assert {p for p in _proposals() if p[0] == c.va1.pk} == {p for p in proposals if p[0] == c.va1.pk}


def test_recompute_reads_each_table_once_however_many_subjects(tree: Any) -> None:
    _per_meeting_path(tree)
    with CaptureQueriesContext(connection) as one_town:
        results_recompute(actor=None, scope=tree.county)
    close_meeting(reporting(tree, batch="第二批"), POOR)  # a second campaign, twice the subjects and meetings
    with CaptureQueriesContext(connection) as more:
        results_recompute(actor=None, scope=tree.county)
    assert SubjectResult.objects.count() == 4
    assert len(more) == len(one_town), [q["sql"][:80] for q in more.captured_queries]
