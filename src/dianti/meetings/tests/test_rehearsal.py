"""Rehearsal (模拟测评): a copy of the meeting run end to end on its own codes, ballots, paper and scans, shown
like the real one, then wiped in one click — and, on the database, never mixing with the real meeting's counts."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from dianti.appraisal.models import SubjectResult
from dianti.campaigns.models import Subject
from dianti.meetings import omr_samples, rehearsal, scans, selectors, services, stats
from dianti.meetings.models import (
    AgendaItem,
    Ballot,
    EvaluatorCode,
    Meeting,
    PanelGroup,
    PaperEntry,
    PaperScan,
)

from .factories import held, vote


@pytest.fixture
def h(tree, users):
    return held(tree)


def _rehearse(h, users):
    copy = rehearsal.rehearsal_start(actor=users.town_admin, meeting=h.meeting)
    codes = [code for _group, code in services.codes_issue(actor=users.town_admin, meeting=copy)]
    services.meeting_open(actor=users.town_admin, meeting=copy)
    copy.refresh_from_db()
    return copy, codes


def test_a_rehearsal_runs_to_its_results_and_no_real_count_sees_it(h, users):
    statuses = dict(Subject.objects.values_list("pk", "status"))
    copy, codes = _rehearse(h, users)
    items = list(copy.agenda.order_by("order"))
    for code in codes[:4]:
        services.ballot_submit(meeting=copy, code=code, marks={i.pk: services.Mark("好") for i in items})
    for clerk in (users.town_admin, users.county_admin):
        services.paper_enter(actor=clerk, meeting=copy, group=copy.groups.get(name="党员代表"), serial=1,
                             grades={items[0].pk: "差"})
    services.meeting_close(actor=users.town_admin, meeting=copy)
    results = selectors.results(Meeting.with_rehearsals.get(pk=copy.pk))
    assert [r.total for r in results] == [5, 4] and results[0].distribution["差"] == 1
    # The real meeting and every real count: untouched.
    assert Ballot.objects.filter(meeting=copy).count() == 9 and not Ballot.objects.filter(meeting=h.meeting).exists()
    assert stats.ballots(h.meeting.org_path) == 0 and [p.submitted for p in selectors.progress(h.meeting)] == [0, 0]
    assert list(Meeting.objects.all()) == [h.meeting] == list(h.meeting.campaign.meetings.all())
    assert list(selectors.visible_meetings(users.town_admin)) == [h.meeting]
    assert dict(Subject.objects.values_list("pk", "status")) == statuses and not SubjectResult.objects.exists()
    assert selectors.scores_of_record(copy) == {}


def test_real_codes_are_refused_in_the_rehearsal_and_rehearsal_codes_in_the_real_meeting(h, users):
    copy, codes = _rehearse(h, users)
    real = h.all_codes()[0]
    with pytest.raises(ValidationError, match="评议码不正确"):
        services.ballot_submit(meeting=copy, code=real, marks={copy.agenda.first().pk: services.Mark("好")})
    with pytest.raises(ValidationError, match="评议码不正确"):
        services.ballot_submit(meeting=h.meeting, code=codes[0], marks={h.items[0].pk: services.Mark("好")})
    assert services.evaluator_enter(code=codes[0]).meeting_id == copy.pk
    assert services.evaluator_enter(code=real).meeting_id == h.meeting.pk
    assert not Ballot.objects.exists()


def test_a_rehearsal_paper_ballot_is_refused_by_the_real_meeting(h, users, django_capture_on_commit_callbacks):
    copy, _codes = _rehearse(h, users)
    sheet = omr_samples.degrade(omr_samples.printed(copy, [1])[1][0], "scan")
    with django_capture_on_commit_callbacks(execute=True):
        scans.scans_submit(actor=users.town_admin, meeting=h.meeting,
                           files=[SimpleUploadedFile("s.pdf", omr_samples.scan_pdf([sheet]))])
    assert list(PaperScan.objects.values_list("meeting", "status", "problem")) == [
        (h.meeting.pk, "rejected", str(scans.OTHER_MEETING))]


def test_wiping_removes_every_row_of_the_rehearsal_and_nothing_of_the_real_meeting(h, users):
    vote(h, h.codes["党员代表"][0], "好", "较好")
    copy, codes = _rehearse(h, users)
    services.ballot_submit(meeting=copy, code=codes[0], marks={copy.agenda.first().pk: services.Mark("一般")})
    services.paper_enter(actor=users.town_admin, meeting=copy, group=copy.groups.first(), serial=3, grades={})
    assert rehearsal.rehearsal_wipe(actor=users.town_admin, meeting=h.meeting) == 1
    for model in (Ballot, EvaluatorCode, AgendaItem, PanelGroup, PaperEntry, PaperScan):
        assert not model.objects.filter(meeting_id=copy.pk).exists(), model.__name__
    assert not Meeting.with_rehearsals.filter(pk=copy.pk).exists()
    assert list(Ballot.objects.values_list("grade", flat=True).order_by("grade")) == ["好", "较好"]
    assert EvaluatorCode.objects.filter(meeting=h.meeting).count() == 5


def test_one_rehearsal_at_a_time_and_none_after_the_meeting(h, users):
    _rehearse(h, users)
    with pytest.raises(ValidationError, match="已有一场模拟测评"):
        rehearsal.rehearsal_start(actor=users.town_admin, meeting=h.meeting)
    rehearsal.rehearsal_wipe(actor=users.town_admin, meeting=h.meeting)
    services.meeting_close(actor=None, meeting=h.meeting)
    with pytest.raises(ValidationError, match="已经结束"):
        rehearsal.rehearsal_start(actor=users.town_admin, meeting=h.meeting)
