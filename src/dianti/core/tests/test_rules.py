"""What the declared rules mean for the people on the pages: who an approval waits for, the top of the system,
lists returned and approved again, results withdrawn with their history kept."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from dianti.appraisal import publication
from dianti.appraisal.models import ResultPublication, SubjectResult
from dianti.campaigns import roster
from dianti.campaigns.models import Subject
from dianti.campaigns.tests.factories import choose, town_campaign
from dianti.core import rules
from dianti.core.models import Notification
from dianti.core.scope import forget
from dianti.orgs import services as orgs
from dianti.orgs.models import Organization, Role

from .rules_scenarios import _results, county_campaign

pytestmark = pytest.mark.django_db


def test_a_county_with_an_admin_above_it_is_approved_by_that_level_not_by_its_approver(tree: Any, users: Any) -> None:
    ctx = rules.Context(body_path=tree.county.path)
    assert rules.allows(users.county_approver, "campaign.list_approve", ctx)
    city = orgs.org_create(actor=None, code="330400", name="中共嘉兴市委员会", parent=None,
                           level=Organization.Level.CITY)
    # Re-parenting is not a service; a fresh county under a city with an admin shows the same rule.
    county = orgs.org_create(actor=None, code="330481", name="中共海宁市委员会", parent=city,
                             level=Organization.Level.COUNTY)
    orgs.role_grant(actor=None, user=users.county_approver, organization=county, role=Role.APPROVER)
    forget(users.county_approver)
    below = rules.Context(body_path=county.path)
    assert rules.allows(users.county_approver, "campaign.list_approve", below)  # nobody above yet: the approver
    orgs.role_grant(actor=None, user=users.public, organization=city, role=Role.COUNTY_ADMIN)
    forget(users.public)
    below = rules.Context(body_path=county.path)  # a context is asked per request; grants changed since
    assert not rules.allows(users.county_approver, "campaign.list_approve", below)
    assert rules.allows(users.public, "campaign.list_approve", below)
    assert rules.who("campaign.list_approve", below) == "中共嘉兴市委员会（上级）的管理员"


def test_the_page_says_whom_a_submitted_list_waits_for_and_hides_the_button_from_the_submitter(
        tree: Any, users: Any, django_capture_on_commit_callbacks: Any) -> None:
    campaign = town_campaign(tree)
    choose(campaign, tree.village_a1)
    with django_capture_on_commit_callbacks(execute=True):
        roster.list_submit(actor=users.town_admin, campaign=campaign)
    client = Client()
    client.force_login(users.town_admin)
    page = client.get(f"/campaigns/{campaign.pk}/").content.decode()
    assert "名单已提交，等待海盐县委（上级）的管理员审批公示" in page and "审批并公示</button>" not in page
    with pytest.raises(PermissionDenied, match="海盐县委（上级）的管理员"):
        roster.list_approve(actor=users.town_admin, campaign=campaign)
    assert Notification.objects.filter(kind="list_waiting", recipient=users.county_admin).exists()
    client.force_login(users.county_admin)
    assert "审批并公示</button>" in client.get(f"/campaigns/{campaign.pk}/").content.decode()


def test_the_submitter_never_approves_even_at_the_top(tree: Any, users: Any) -> None:
    campaign = county_campaign(tree)
    roster.list_submit(actor=users.superuser, campaign=campaign)
    with pytest.raises(PermissionDenied, match="双人审核"):
        roster.list_approve(actor=users.superuser, campaign=campaign)
    with pytest.raises(PermissionDenied):
        roster.list_approve(actor=users.county_admin, campaign=campaign)
    roster.list_approve(actor=users.county_approver, campaign=campaign)


def test_returning_a_published_list_tells_its_secretaries_and_approving_again_tells_nobody_twice(
        tree: Any, users: Any, django_capture_on_commit_callbacks: Any) -> None:
    campaign = town_campaign(tree)
    choose(campaign, tree.village_a1, tree.village_a2)
    with django_capture_on_commit_callbacks(execute=True):
        roster.list_submit(actor=users.town_admin, campaign=campaign)
        roster.list_approve(actor=users.county_admin, campaign=campaign)
    chosen = Notification.objects.filter(kind="chosen", recipient=users.secretary)
    assert chosen.count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        roster.list_return(actor=users.county_admin, campaign=campaign, note="点名理由过于笼统")
    returned = Notification.objects.get(kind="list_returned", recipient=users.secretary)
    assert "点名理由过于笼统" in returned.body
    with django_capture_on_commit_callbacks(execute=True):
        roster.list_submit(actor=users.town_admin, campaign=campaign)
        roster.list_approve(actor=users.county_admin, campaign=campaign)
    assert chosen.count() == 1


def test_a_withdrawn_result_keeps_its_publication_history_and_tells_the_secretary(
        tree: Any, users: Any, django_capture_on_commit_callbacks: Any) -> None:
    campaign = _results(SubjectResult.Status.PUBLISHED, "town_admin")(tree, users)
    subject = campaign.subjects.get(organization=tree.village_a1)
    with pytest.raises(PermissionDenied):
        publication.results_withdraw(actor=users.town_admin, subject=subject, reason="发现计票差错")
    with django_capture_on_commit_callbacks(execute=True):
        publication.results_withdraw(actor=users.county_admin, subject=subject, reason="发现计票差错")
    subject.refresh_from_db()
    assert (subject.status, subject.score) == (Subject.Status.REPORTED, None)
    pub = ResultPublication.objects.get(result__subject=subject)
    assert (pub.score, pub.withdrawn_by, pub.withdraw_reason) == (80.0, users.county_admin, "发现计票差错")
    assert "发现计票差错" in Notification.objects.get(kind="appraisal_withdrawn", recipient=users.secretary).body
    publication.results_submit(actor=users.town_admin, campaign=campaign)
    publication.results_publish(actor=users.county_admin, campaign=campaign)
    assert ResultPublication.objects.filter(result__subject=subject).count() == 2  # nothing overwritten
    client = Client()
    client.force_login(users.town_admin)
    page = client.get(f"/appraisal/subjects/{subject.pk}/").content.decode()
    assert "已撤回" in page and "发现计票差错" in page and "撤回已公示的结果" not in page


def test_docs_rules_md_is_the_declared_table() -> None:
    from pathlib import Path

    from dianti.core.management.commands.rules import markdown

    doc = Path(__file__).resolve().parents[4] / "docs" / "rules.md"
    assert doc.read_text(encoding="utf-8") == markdown(), "run `dianti rules > docs/rules.md`"


def test_the_public_page_says_a_published_result_was_withdrawn_and_why(tree: Any, users: Any) -> None:
    campaign = _results(SubjectResult.Status.PUBLISHED, "town_admin")(tree, users)
    subject = campaign.subjects.get(organization=tree.village_a1)
    page = Client().get(f"/p/campaigns/{campaign.pk}/").content.decode()
    assert "80.00" in page and "撤回" not in page
    publication.results_withdraw(actor=users.county_admin, subject=subject, reason="发现计票差错")
    page = Client().get(f"/p/campaigns/{campaign.pk}/").content.decode()
    assert "已公示的评议结果于" in page and "发现计票差错" in page
