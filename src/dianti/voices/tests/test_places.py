"""The workbench by place: the places a subject's opinions name, a place with many different complaints first,
scoped to who may see the subject, paginated, and a place's concern can be given to the secretary."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

from dianti.campaigns.models import Subject
from dianti.campaigns.tests.factories import in_topics
from dianti.orgs.models import ContactPoint
from dianti.voices import places, services
from dianti.voices.mining_bridge import mine_organization
from dianti.voices.models import AssignedTopic, Channel

from .factories import opinion

OLD_STREET = ["老街路灯坏了好几盏，晚上黑漆漆的", "老街的垃圾桶天天满出来没人清", "老街路面坑坑洼洼，一下雨就积水",
              "老街有好多老房子空着没人住"]
LAMPS = ["北横路的路灯晚上不亮", "东港桥路灯坏了没人修"]


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


@pytest.fixture
def village(tree):
    campaign = in_topics(tree)
    for i, text in enumerate(OLD_STREET + LAMPS + ["雪水港村文化礼堂平时大门紧锁"]):
        opinion(tree.village_a1, text, who=f"p{i}")
    mine_organization(tree.village_a1, campaign)
    return Subject.objects.get(campaign=campaign, organization=tree.village_a1)


def test_a_place_with_many_different_complaints_comes_first(village):
    found = places.places_for_subject(village)
    assert [p.name for p in found][:1] == ["老街"]
    old = found[0]
    assert (old.size, len(old.people)) == (4, 4)
    assert len(old.concerns) >= 3  # lamps, rubbish, the road surface, empty houses: not one concern
    assert {p.name for p in found} >= {"老街", "北横路", "东港桥"}


def test_the_organization_itself_is_the_scope_not_a_place(village):
    assert "雪水港村" not in {p.name for p in places.places_for_subject(village)}


def test_an_opinion_collected_at_a_point_counts_at_the_points_place(village, tree):
    point = ContactPoint.objects.create(kind=ContactPoint.Kind.DIRECT_REPORT, name="雪水港村民情直报点",
                                        place="雪水港村晒谷场", organization=tree.village_a1)
    services.opinion_record(actor=None, organization=tree.village_a1, channel=Channel.DIRECT_REPORT,
                            text="希望多组织点老年人的活动", point=point)
    ranked = places.places_for_subject(village)
    found = {p.name: p for p in ranked}
    assert found["雪水港村晒谷场"].size == 1 and found["雪水港村晒谷场"].kind == "point"
    assert ranked[-1].name == "雪水港村晒谷场"  # collected there, not necessarily about it: after the named places


def test_staff_switch_the_workbench_between_problem_and_place(village, users, client):
    client.force_login(users.town_admin)
    by_problem = client.get(reverse("voices_workbench", args=[village.pk])).content.decode()
    assert reverse("voices_workbench_places", args=[village.pk]) in by_problem
    by_place = client.get(reverse("voices_workbench_places", args=[village.pk])).content.decode()
    assert "老街" in by_place and "类问题" in by_place
    assert reverse("voices_workbench", args=[village.pk]) in by_place


def test_the_place_view_is_scoped(village, users, client):
    client.force_login(users.other_town_admin)
    assert client.get(reverse("voices_workbench_places", args=[village.pk])).status_code == 404


def test_the_place_view_is_paginated(village, users, client, monkeypatch):
    from dianti.core import pagination

    monkeypatch.setattr(pagination, "PER_PAGE", 1)
    client.force_login(users.town_admin)
    url = reverse("voices_workbench_places", args=[village.pk])
    first, second = client.get(url).content.decode(), client.get(url + "?page=2").content.decode()
    assert "下一页" in first and 'id="place-1"' in first and 'id="place-2"' not in first
    assert "老街" in first and "老街" not in second.split("<h1>")[1].split("</article>")[0]


def test_a_place_can_be_given_to_the_secretary_as_a_concern(village, users, client):
    client.force_login(users.town_admin)
    old = places.places_for_subject(village)[0]
    back = reverse("voices_workbench_places", args=[village.pk])
    client.post(reverse("voices_assign", args=[village.pk]),
                {"text": old.suggested_topic, "place": old.name, "next": back})
    village.refresh_from_db()
    assert village.topic.startswith("老街的") and village.topic.endswith("等问题如何统筹解决")
    chosen = AssignedTopic.objects.get(subject=village).topic
    assert chosen is not None and chosen.title == village.topic
    assert set(chosen.opinions.values_list("pk", flat=True)) == {o.pk for o in old.opinions}
    page = client.get(back).content.decode()
    assert "已定为述职题目" in page
