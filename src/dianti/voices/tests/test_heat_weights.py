"""Voice counts people: a visit stands for the households met, and the county sets the heat formula's knobs."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from dianti.campaigns import services as campaign_services
from dianti.campaigns.tests.factories import in_topics
from dianti.core.models import AuditEvent
from dianti.voices import topics
from dianti.voices.models import Opinion, Topic

from .factories import opinion, visit


def _topic(campaign, org, title: str, members: list[Opinion]) -> Topic:
    topic = Topic.objects.create(organization=org, org_path=org.path, campaign=campaign, title=title)
    Opinion.objects.filter(pk__in=[m.pk for m in members]).update(topic=topic)
    topics.refresh(topic.pk)
    topic.refresh_from_db()
    return topic


def test_a_visit_that_met_twelve_households_outranks_two_online_messages(tree):
    campaign, village = in_topics(tree), tree.village_a1
    online = _topic(campaign, village, "修复路灯", [opinion(village, "三组路灯坏了", who="a"),
                                                 opinion(village, "三组路灯晚上不亮", who="b")])
    door_to_door = _topic(campaign, village, "老年食堂开晚餐", [visit(village, "走访十二户，都说老年食堂要开晚餐", met=12)])
    assert door_to_door.heat > 5 * online.heat


def test_the_county_knob_changes_the_ranking_and_is_audited(tree, django_capture_on_commit_callbacks):
    campaign, village = in_topics(tree), tree.village_a1
    online = _topic(campaign, village, "修复路灯", [opinion(village, f"三组路灯坏了第{i}盏", who=f"p{i}")
                                                 for i in range(5)])
    meeting = _topic(campaign, village, "老年食堂开晚餐", [visit(village, "座谈会上六人都说老年食堂要开晚餐", met=6)])
    assert meeting.heat > online.heat
    with django_capture_on_commit_callbacks(execute=True):
        campaign_services.campaign_update(actor=None, campaign=campaign, heat_weights={"participant_weight": 0.1})
    for t in (online, meeting):  # recomputed when the county saved its knobs
        t.refresh_from_db()
    assert meeting.heat < online.heat
    event = AuditEvent.objects.filter(action="campaign.update").latest("pk")
    assert "heat_weights" in event.changes


@pytest.mark.parametrize("weights", [{"colour": 1}, {"participant_weight": -1}, {"likes_weight": "many"},
                                     {"half_life_days": 0}])
def test_a_heat_knob_that_makes_no_sense_is_refused(tree, weights):
    with pytest.raises(ValidationError):
        campaign_services.campaign_update(actor=None, campaign=in_topics(tree), heat_weights=weights)
