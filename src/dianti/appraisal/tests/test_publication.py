"""公示: submit, approve and publish — scoped, only in 评议, secretaries told on commit, the public sees figures only."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from dianti.appraisal import publication, services
from dianti.appraisal.models import ActionProposal, SubjectResult
from dianti.campaigns import services as campaign_services
from dianti.campaigns.models import Phase, Subject
from dianti.core.models import AuditEvent, Notification

from .factories import HAND, closed

pytestmark = pytest.mark.django_db


def _publish(c: Any, users: Any) -> int:
    publication.results_submit(actor=users.town_admin, campaign=c.campaign)
    return publication.results_publish(actor=users.county_admin, campaign=c.campaign)


def test_publishing_appraises_the_subjects_and_lets_the_campaign_move_on(tree: Any, users: Any) -> None:
    c = closed(tree, HAND)
    with pytest.raises(ValidationError, match="尚未公布"):
        campaign_services.phase_move(actor=users.town_admin, campaign=c.campaign, to=Phase.RECTIFICATION)
    assert publication.results_submit(actor=users.town_admin, campaign=c.campaign) == 2
    assert set(SubjectResult.objects.values_list("status", flat=True)) == {"submitted"}
    assert publication.results_publish(actor=users.county_admin, campaign=c.campaign) == 2
    va1 = Subject.objects.get(pk=c.va1.pk)
    assert (va1.status, va1.score) == (Subject.Status.APPRAISED, 82.81)
    r = SubjectResult.objects.get(subject=c.va1)
    assert (r.status, r.published_by, r.submitted_by) == ("published", users.county_admin, users.town_admin)
    assert AuditEvent.objects.filter(action="appraisal.publish").exists()
    for p in ActionProposal.objects.filter(campaign=c.campaign):  # every proposal decided before 整改
        services.proposal_confirm(actor=users.town_admin, proposal=p)
    campaign_services.phase_move(actor=users.town_admin, campaign=c.campaign, to=Phase.RECTIFICATION)


def test_results_are_published_only_in_the_appraisal_phase(tree: Any, users: Any) -> None:
    c = closed(tree, HAND, appraisal=False)
    assert SubjectResult.objects.count() == 2  # computed at close, while still in 述职
    with pytest.raises(ValidationError, match="评议"):
        publication.results_submit(actor=users.town_admin, campaign=c.campaign)


def test_publishing_needs_a_submission_and_can_be_sent_back(tree: Any, users: Any) -> None:
    c = closed(tree, HAND)
    with pytest.raises(ValidationError, match="请先提交"):
        publication.results_publish(actor=users.county_admin, campaign=c.campaign)
    publication.results_submit(actor=users.town_admin, campaign=c.campaign)
    assert publication.results_return(actor=users.county_admin, campaign=c.campaign, note="请核对纸质选票") == 2
    assert set(SubjectResult.objects.values_list("status", flat=True)) == {"draft"}
    assert AuditEvent.objects.get(action="appraisal.return").note == "请核对纸质选票"


def test_another_towns_admin_can_neither_submit_nor_publish(tree: Any, users: Any) -> None:
    c = closed(tree, HAND)
    with pytest.raises(PermissionDenied):
        publication.results_submit(actor=users.other_town_admin, campaign=c.campaign)
    publication.results_submit(actor=users.town_admin, campaign=c.campaign)
    with pytest.raises(PermissionDenied):
        publication.results_publish(actor=users.other_town_admin, campaign=c.campaign)
    with pytest.raises(PermissionDenied):
        publication.results_publish(actor=users.secretary, campaign=c.campaign)


def test_secretaries_are_told_once_the_publication_commits(tree: Any, users: Any,
                                                          django_capture_on_commit_callbacks: Any) -> None:
    c = closed(tree, HAND)
    publication.results_submit(actor=users.town_admin, campaign=c.campaign)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        publication.results_publish(actor=users.county_admin, campaign=c.campaign)
    assert not Notification.objects.filter(kind="appraisal_published").exists()  # nothing before the commit
    for callback in callbacks:
        callback()
    note = Notification.objects.get(kind="appraisal_published")
    assert note.recipient == users.secretary  # 张书记 of 雪水港村; 丰义村 has no secretary account
    assert "82.81" in note.body and f"/appraisal/subjects/{c.va1.pk}/" == note.url


def test_the_public_page_shows_figures_and_never_a_ballot(tree: Any, users: Any) -> None:
    c = closed(tree, HAND)
    page = Client().get(f"/p/campaigns/{c.campaign.pk}/").content.decode()
    assert "评议得分" not in page  # nothing before publication
    _publish(c, users)
    page = Client().get(f"/p/campaigns/{c.campaign.pk}/").content.decode()
    assert "评议得分：82.81" in page and "满意率 75.0%" in page and "好 3 · 较好 3 · 一般 1 · 差 1" in page
    ballot_ids = c.meeting.ballots.values_list("pk", flat=True)
    assert all(f"#{pk}" not in page for pk in ballot_ids)
    assert "去掉最高" not in page and "计算说明" not in page and "13812345678" not in page


def test_a_secretary_sees_their_own_published_result_without_the_ballot_trace(tree: Any, users: Any) -> None:
    c = closed(tree, HAND)
    client = Client()
    client.force_login(users.secretary)
    assert client.get(f"/appraisal/subjects/{c.va1.pk}/").status_code == 404  # not before publication
    _publish(c, users)
    page = client.get(f"/appraisal/subjects/{c.va1.pk}/").content.decode()
    assert "82.81" in page and "去掉最高" not in page and "处置建议" not in page
    assert client.get(f"/appraisal/subjects/{c.va2.pk}/").status_code == 404  # not someone else's
