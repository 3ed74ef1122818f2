"""The scale counties' cycle, filled by the steps' bulk loaders, is what the services would have left."""

from __future__ import annotations

import pytest

from dianti.appraisal import services as appraisal_services
from dianti.appraisal.models import ActionProposal, SubjectResult
from dianti.campaigns.bulk import TOWN_STATES
from dianti.campaigns.models import Campaign, Phase, Subject
from dianti.core.demo import Scale, fill
from dianti.meetings.models import Ballot, Meeting
from dianti.orgs import demo as orgs_demo
from dianti.rectification.models import Case, State
from dianti.voices.models import Opinion

pytestmark = pytest.mark.django_db

FIELDS = ("score", "ballots", "invalid", "satisfaction", "satisfaction_low", "satisfaction_high", "dissatisfaction",
          "alpha", "detail", "explanation", "meeting_id", "scheme_id")


@pytest.fixture
def scale_county() -> Scale:
    report = orgs_demo.load(counties=2)
    scale = Scale(tuple(report["scale_counties"]))
    fill(scale)
    return scale


def test_each_town_of_a_scale_county_is_at_the_phase_haiyan_shows(scale_county: Scale) -> None:
    towns = Campaign.objects.filter(org_path__startswith=scale_county.counties[0], parent__isnull=False)
    assert [(c.phase, c.list_status) for c in towns.order_by("org_path")] == TOWN_STATES
    heard = Subject.objects.filter(campaign__in=towns, campaign__phase__in=(Phase.APPRAISAL, Phase.RECTIFICATION,
                                                                           Phase.ARCHIVED))
    assert heard.exists() and not heard.exclude(status__in=(Subject.Status.REPORTED, Subject.Status.APPRAISED))
    assert not Subject.objects.filter(campaign__in=towns, campaign__phase=Phase.NOMINATE).exclude(topic="").exists()
    assert Opinion.objects.filter(org_path__startswith=scale_county.counties[0]).count() > 500


def test_the_bulk_results_are_what_closing_the_meeting_computes(scale_county: Scale) -> None:
    meeting = Meeting.objects.filter(org_path__startswith=scale_county.counties[0], status=Meeting.Status.CLOSED,
                                     campaign__phase=Phase.APPRAISAL).order_by("pk").first()
    assert Ballot.objects.filter(meeting=meeting).count() == 60 * meeting.agenda.count()
    bulk = {r[0]: r[1:] for r in SubjectResult.objects.filter(meeting=meeting).values_list("subject_id", *FIELDS)}
    appraisal_services.results_compute(actor=None, meeting=meeting)
    again = {r[0]: r[1:] for r in SubjectResult.objects.filter(meeting=meeting).values_list("subject_id", *FIELDS)}
    assert bulk and bulk == again


def test_published_subjects_carry_their_score_of_record_and_cases_follow_confirmed_proposals(
        scale_county: Scale) -> None:
    published = SubjectResult.objects.filter(subject__org_path__startswith=scale_county.counties[0],
                                             status=SubjectResult.Status.PUBLISHED).select_related("subject")
    assert published
    for r in published:
        assert (r.subject.status, r.subject.score) == (Subject.Status.APPRAISED, round(r.score, 2))
        assert r.publications.count() == 1
    confirmed = ActionProposal.objects.filter(campaign__org_path__startswith=scale_county.counties[0],
                                              action=ActionProposal.Action.RECTIFICATION,
                                              status=ActionProposal.Status.CONFIRMED)
    cases = Case.objects.filter(proposal__in=confirmed).select_related("subject", "campaign")
    assert cases.count() == confirmed.count() > 0
    for case in cases:
        closed = case.campaign.phase == Phase.ARCHIVED
        assert (case.state == State.CLOSED) == closed
        assert case.subject.rectification == (Subject.Rectification.CLOSED if closed else Subject.Rectification.OPEN)
