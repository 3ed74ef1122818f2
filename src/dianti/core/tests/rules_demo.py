"""The Haiyan demo follows the institution's rules: every approval in it was made by the person core/rules.py names
(the level above, or at the top the approver), never by whoever submitted the thing approved.

Called from orgs/tests/test_demo.py, which loads the demo once for all its checks."""

from __future__ import annotations

from dianti.appraisal.models import AssessmentRound, SubjectResult
from dianti.campaigns.models import Campaign
from dianti.core import rules


def assert_demo_approvals_follow_the_rules() -> None:
    lists = Campaign.objects.exclude(list_approved_by=None).select_related("list_approved_by", "list_submitted_by")
    assert lists.count() >= 9
    for c in lists:
        ctx = rules.Context(body_path=c.org_path, made_by_id=c.list_submitted_by_id)
        assert c.list_submitted_by is not None and c.list_approved_by != c.list_submitted_by, c
        assert rules.allows(c.list_approved_by, "campaign.list_approve", ctx), c
        assert not rules.allows(c.list_submitted_by, "campaign.list_approve", ctx), c
    county = Campaign.objects.get(convener__code="330424", year=2020)
    assert county.list_approved_by.username == "county_approver"  # nothing above the county in the system

    published = SubjectResult.objects.filter(status="published").select_related(
        "subject__campaign", "published_by", "submitted_by")
    assert published.exists()
    for r in published:
        ctx = rules.Context(body_path=r.subject.campaign.org_path, made_by_id=r.submitted_by_id)
        assert r.submitted_by is not None and rules.allows(r.published_by, "appraisal.results_publish", ctx), r
        assert not rules.allows(r.submitted_by, "appraisal.results_publish", ctx), r

    confirmed = AssessmentRound.objects.get(year=2019)
    assert (confirmed.computed_by.username, confirmed.confirmed_by.username) == ("county_admin", "county_approver")
    assert AssessmentRound.objects.get(year=2020).confirmed_at is None  # waiting for the approver in the demo

    # The county's settings (heat knobs, phone codes) were set by its own admin, as the rules table says.
    from dianti.core.models import AuditEvent

    for action, rule in (("heat_scheme.set", "campaign.heat_scheme_set"), ("voices.phone_codes", "voices.phone_codes_set")):
        made = AuditEvent.objects.filter(action=action).select_related("actor")
        assert made.exists(), action
        for event in made:
            assert event.actor is not None and event.actor.username == "county_admin", (action, event.actor)
            assert rules.allows(event.actor, rule, rules.Context(body_path=event.org_path)), action
