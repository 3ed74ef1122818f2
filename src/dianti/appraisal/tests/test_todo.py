"""The 评议考核 to-do, walked: draft results wait for the convener to submit them, submitted ones for the level
above to publish; each campaign's pending proposals for the convener to decide; a county's computed annual grades
and stars for whoever confirms them (the approver at the top) — each gone once done."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from dianti.appraisal import annual, publication, services, todo
from dianti.appraisal.models import ActionProposal

from .factories import HAND, POOR, closed

pytestmark = pytest.mark.django_db


def _of(user: Any, kind: str) -> list[Any]:
    return [i for i in todo.for_user(user) if i.kind == kind]


def test_results_wait_for_submission_then_for_publication(tree: Any, users: Any) -> None:
    c = closed(tree, HAND)
    [submit] = _of(users.town_admin, "送审")
    assert submit.count == 2 and submit.url == reverse("appraisal_campaign", args=[c.campaign.pk])
    assert _of(users.county_admin, "送审") == [] and _of(users.county_admin, "审核") == []
    publication.results_submit(actor=users.town_admin, campaign=c.campaign)
    assert _of(users.town_admin, "送审") == [] and _of(users.town_admin, "审核") == []  # never one's own
    [review] = _of(users.county_admin, "审核")
    assert review.url == submit.url
    publication.results_publish(actor=users.county_admin, campaign=c.campaign)
    assert _of(users.county_admin, "审核") == []


def test_before_评议_draft_results_are_not_yet_to_submit(tree: Any, users: Any) -> None:
    closed(tree, HAND, appraisal=False)  # the meeting closed (results computed), the campaign still in 述职
    assert _of(users.town_admin, "送审") == []


def test_each_campaigns_pending_proposals_wait_for_its_convener(tree: Any, users: Any) -> None:
    c = closed(tree, POOR)
    pending = list(ActionProposal.objects.filter(campaign=c.campaign, status=ActionProposal.Status.PENDING))
    assert pending
    assert _of(users.town_admin, "确认") == []  # not before the results they come from are published
    publication.results_submit(actor=users.town_admin, campaign=c.campaign)
    publication.results_publish(actor=users.county_admin, campaign=c.campaign)
    [item] = _of(users.town_admin, "确认")
    assert item.count == len(pending) and item.url == reverse("appraisal_proposals") + f"?campaign={c.campaign.pk}"
    assert _of(users.county_admin, "确认") == []
    for p in pending[:-1]:
        services.proposal_confirm(actor=users.town_admin, proposal=p)
    assert _of(users.town_admin, "确认")[0].count == 1
    services.proposal_dismiss(actor=users.town_admin, proposal=pending[-1], note="结果不确定，暂不采纳")
    assert _of(users.town_admin, "确认") == []


def test_computed_stars_wait_for_the_approver_not_for_who_computed_them(tree: Any, users: Any) -> None:
    annual.annual_scores_set(actor=users.town_admin, rows=[annual.AnnualRow(tree.village_a1, 2020, {"other": 88})])
    assert _of(users.county_approver, "确认") == []
    annual.annual_compute(actor=users.county_admin, county=tree.county, year=2020)
    [item] = _of(users.county_approver, "确认")
    assert "2020" in item.label and item.url == reverse("appraisal_annual") + "?year=2020"
    assert _of(users.county_admin, "确认") == []  # four eyes: not the one who computed
    assert _of(users.town_admin, "确认") == []
    annual.assessment_confirm(actor=users.county_approver, county=tree.county, year=2020, note="同意")
    assert _of(users.county_approver, "确认") == []
