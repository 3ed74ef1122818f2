"""Proposals: a person confirms or dismisses each (with a note), after publication, in scope, audited; confirming
tells the 整改 step through ``proposal_confirmed``."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from dianti.appraisal import publication, selectors, services
from dianti.appraisal.models import ActionProposal
from dianti.core.models import AuditEvent
from dianti.testing.components import subscribed

from .factories import POOR, closed

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(tree: Any, users: Any) -> Any:
    c = closed(tree, POOR)
    publication.results_submit(actor=users.town_admin, campaign=c.campaign)
    publication.results_publish(actor=users.county_admin, campaign=c.campaign)
    return c


def _proposal(c: Any, action: str) -> ActionProposal:
    return ActionProposal.objects.get(subject=c.va1, action=action)


def test_nothing_is_decided_before_publication(tree: Any, users: Any) -> None:
    c = closed(tree, POOR)
    with pytest.raises(ValidationError, match="公布后"):
        services.proposal_confirm(actor=users.town_admin, proposal=_proposal(c, "talk"))


def test_confirming_records_who_and_why_and_tells_the_rectification_step(published: Any, users: Any) -> None:
    heard: list[Any] = []

    def listener(*, actor: Any, proposal_id: int, action: str, org_path: str) -> None:
        heard.append((action, actor))

    with subscribed("proposal_confirmed", listener):
        p = services.proposal_confirm(actor=users.town_admin, proposal=_proposal(published, "rectification"),
                                      note="镇党委会议研究同意")
    assert (p.status, p.decided_by, p.note) == ("confirmed", users.town_admin, "镇党委会议研究同意")
    assert heard == [("rectification", users.town_admin)]
    event = AuditEvent.objects.get(action="proposal.confirmed")
    assert (event.org_path, event.changes["status"]) == (published.campaign.org_path, ["待确认", "已确认"])
    assert list(selectors.confirmed_rectifications(published.campaign)) == [p]
    with pytest.raises(ValidationError, match="已处理"):
        services.proposal_dismiss(actor=users.town_admin, proposal=p, note="改主意")


def test_dismissing_needs_a_reason(published: Any, users: Any) -> None:
    with pytest.raises(ValidationError):
        services.proposal_dismiss(actor=users.town_admin, proposal=_proposal(published, "talk"), note=" ")
    p = services.proposal_dismiss(actor=users.town_admin, proposal=_proposal(published, "talk"), note="已当面提醒")
    assert p.status == "dismissed" and AuditEvent.objects.filter(action="proposal.dismissed").exists()


def test_another_town_can_neither_see_nor_decide(published: Any, users: Any) -> None:
    p = _proposal(published, "talk")
    with pytest.raises(PermissionDenied):
        services.proposal_confirm(actor=users.other_town_admin, proposal=p)
    assert not selectors.proposals(users.other_town_admin).exists()
    assert selectors.proposals(users.county_admin).count() == 3
    client = Client()
    client.force_login(users.other_town_admin)
    assert client.post(f"/appraisal/proposals/{p.pk}/decide/", {"decision": "confirm"}).status_code == 404
    assert "雪水港村" not in client.get("/appraisal/proposals/").content.decode()


def test_the_review_page_confirms_and_dismisses(published: Any, users: Any) -> None:
    client = Client()
    client.force_login(users.town_admin)
    page = client.get("/appraisal/proposals/").content.decode()
    assert page.count('name="decision" value="confirm"') == 3
    talk, unqualified = _proposal(published, "talk"), _proposal(published, "unqualified")
    r = client.post(f"/appraisal/proposals/{talk.pk}/decide/", {"decision": "confirm", "note": "约谈"}, follow=True)
    assert "已确认：雪水港村 · 约谈" in r.content.decode()
    r = client.post(f"/appraisal/proposals/{unqualified.pk}/decide/", {"decision": "dismiss"}, follow=True)
    assert "不采纳时请写明理由" in r.content.decode()
    client.post(f"/appraisal/proposals/{unqualified.pk}/decide/", {"decision": "dismiss", "note": "票数偏少"})
    assert dict(ActionProposal.objects.values_list("action", "status")) == {
        "talk": "confirmed", "unqualified": "dismissed", "rectification": "pending"}


def test_the_campaign_cannot_move_to_rectification_while_proposals_are_undecided(published: Any, users: Any) -> None:
    from dianti.campaigns import services as campaign_services
    from dianti.campaigns.models import Phase

    pending = ActionProposal.objects.filter(campaign=published.campaign, status="pending").count()
    assert pending >= 2
    with pytest.raises(ValidationError, match=f"还有 {pending} 条处理建议尚未决定：雪水港村（"):
        campaign_services.phase_move(actor=users.town_admin, campaign=published.campaign, to=Phase.RECTIFICATION)
    for p in ActionProposal.objects.filter(campaign=published.campaign):
        services.proposal_dismiss(actor=users.town_admin, proposal=p, note="已当面提醒，不再约谈")
    campaign_services.phase_move(actor=users.town_admin, campaign=published.campaign, to=Phase.RECTIFICATION)


def test_the_campaign_page_names_the_undecided_proposals(published: Any, users: Any) -> None:
    from django.urls import reverse

    client = Client()
    client.force_login(users.town_admin)
    html = client.get(reverse("campaign_detail", args=[published.campaign.pk])).content.decode()
    assert "条处理建议尚未决定：雪水港村" in html
