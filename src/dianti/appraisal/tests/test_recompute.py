"""Recomputing a whole subtree set-based gives the per-meeting path's results, row for row."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dianti.appraisal import adapter, scheme_reads, services
from dianti.appraisal.explanations import result_explanation
from dianti.appraisal.models import ActionProposal, SubjectResult
from dianti.appraisal.recompute import results_recompute
from dianti.meetings import services as meeting_services
from dianti.meetings.models import Meeting

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
    # Only the second meeting's ballots are read: both secretaries were heard again there, so the first one's
    # (2 × 8) could change nothing.
    assert (report.meetings, report.computed, report.ballots) == (2, 2, 2 * (8 + 2 + 3))
    assert report.vectorised == 1  # the second meeting (which re-heard both) at once, invalid and grade-only ballots

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


def _paper_meeting(tree: Any, users: Any) -> Meeting:
    """A second campaign's meeting voted on paper, each sheet typed by two clerks, closed (which computes it)."""
    campaign = reporting(tree, batch="纸质")
    meeting = meeting_services.meeting_schedule(
        actor=None, campaign=campaign, title="纸质选票评议会", starts_at=campaign.created_at, venue="会议室",
        subjects=list(campaign.subjects.order_by("order")), groups=[meeting_services.GroupSpec("群众代表", 100, 7)])
    meeting_services.meeting_open(actor=None, meeting=meeting)
    items = list(meeting.agenda.order_by("order"))
    sheets = [("好", "好"), ("好", "好"), ("好", "好"), ("较好", "一般"), ("差", "好"), ("一般", "差"), ("好", "较好")]
    for serial, (a, b) in enumerate(sheets, start=1):
        for clerk in (users.town_admin, users.county_admin):
            meeting_services.paper_enter(actor=clerk, meeting=meeting, group=meeting.groups.get(), serial=serial,
                                         grades={items[0].pk: a, items[1].pk: b})
    meeting_services.meeting_close(actor=None, meeting=meeting)
    return meeting


def test_recompute_equals_the_per_meeting_path_for_paper_ballots_too(tree: Any, users: Any) -> None:
    _per_meeting_path(tree)
    _paper_meeting(tree, users)
    want, proposals = _results(), _proposals()
    assert len(want) == 4
    SubjectResult.objects.all().delete()
    ActionProposal.objects.all().delete()
    report = results_recompute(actor=None, scope=tree.county)
    assert (report.meetings, report.computed, report.vectorised) == (3, 4, 1)  # paper: subject by subject
    assert _results() == want
    assert _proposals() == proposals


def _explanation_as_computed(result: SubjectResult) -> str:
    """Return the explanation as the per-meeting path computes it, from the whole meeting's ballots."""
    data = adapter.meeting_input(result.meeting, scheme_reads.engine_scheme(result.scheme))
    results = {sid: adapter.score(data, sid) for sid in data.ballots}
    flags = adapter.paper_flags(data)
    mine = [*adapter.flags_by_subject(flags).get(result.subject_id, []), *(f for f in flags if not f["subjects"])]
    return services.explanation_text(results[result.subject_id], data, adapter.panel_alphas(data, results), mine)


def test_the_explanation_shown_is_rebuilt_from_the_ballots_as_it_was_computed(tree: Any, users: Any) -> None:
    _per_meeting_path(tree)
    _paper_meeting(tree, users)
    results_recompute(actor=None, scope=tree.county)
    shown = 0
    for result in SubjectResult.objects.select_related("meeting", "scheme"):
        assert result.explanation == ""  # not stored: the ballots never change after the vote
        text = result_explanation(result)
        assert text == _explanation_as_computed(result)
        assert "平均 =" in text and "Krippendorff" in text
        shown += 1
    assert shown == 4


def test_an_explanation_whose_score_no_longer_follows_from_the_ballots_says_so(tree: Any) -> None:
    c, _, _ = _per_meeting_path(tree)
    SubjectResult.objects.filter(subject=c.va1).update(score=12.5)
    text = result_explanation(SubjectResult.objects.select_related("meeting", "scheme").get(subject=c.va1))
    assert "与存档得分（12.50）不一致" in text


@pytest.mark.skipif(connection.vendor != "postgresql", reason="worker processes need PostgreSQL")
@pytest.mark.django_db(transaction=True)  # the workers read through connections of their own: data committed
def test_worker_processes_store_what_the_recompute_stores_alone(tree: Any, users: Any) -> None:
    _per_meeting_path(tree)
    _paper_meeting(tree, users)  # scored subject by subject, in a worker too
    alone = results_recompute(actor=None, scope=tree.county, workers=1)
    want, proposals = _results(), _proposals()
    SubjectResult.objects.all().delete()
    ActionProposal.objects.all().delete()
    report = results_recompute(actor=None, scope=tree.county, workers=2)
    assert (report.computed, report.ballots, report.vectorised) == (alone.computed, alone.ballots, alone.vectorised)
    assert _results() == want
    assert _proposals() == proposals
