"""Every topic is named by the one naming function (mining/label.name_topic): mined, formed as opinions arrive, or
split off by staff — and the name stays editable."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from dianti.campaigns.tests.factories import in_topics
from dianti.voices import topics
from dianti.voices.mining.label import readable_title
from dianti.voices.mining_bridge import absorb_one, mine_organization
from dianti.voices.models import Opinion, Topic

from .factories import opinion

OTHERS = ["村里到镇上的公交车班次太少，等车要一个小时", "希望增加村里到县城的公交班次，方便老人看病",
          "文化礼堂平时大门紧锁，希望常态化开放", "文化礼堂一年到头不开门，老人没地方坐坐"]
FIRST, LATE = "老街有不少老房子空着没人住，希望村里想办法盘活", "三组有不少老房子空着没人住，希望村里想办法盘活"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


def test_a_topic_formed_as_opinions_arrive_is_named_like_a_mined_one_not_by_a_raw_sentence(tree):
    campaign, village = in_topics(tree), tree.village_a1
    for i, text in enumerate([*OTHERS, FIRST]):
        opinion(village, text, who=f"p{i}")
    mine_organization(village, campaign)
    assert Opinion.objects.get(text=FIRST).topic is None  # alone, it waits in the pool
    late = opinion(village, LATE, who="late")
    absorb_one(late.pk)
    topic = Opinion.objects.get(pk=late.pk).topic
    assert topic is not None and Opinion.objects.get(text=FIRST).topic == topic
    assert topic.title.startswith("盘活") and topic.title != readable_title("", FIRST)


def test_a_topic_split_off_without_a_name_is_named_from_its_opinions_and_can_be_renamed(tree, users):
    village = tree.village_a1
    made = [opinion(village, text, who=f"p{i}") for i, text in enumerate([*OTHERS[:2], FIRST, LATE])]
    mixed = Topic.objects.create(organization=village, org_path=village.path, title="出行和房子")
    Opinion.objects.filter(pk__in=[o.pk for o in made]).update(topic=mixed)
    new = topics.topic_split(actor=users.town_admin, topic=mixed, opinion_ids=[o.pk for o in made[2:]], title="")
    assert new.title.startswith("盘活")
    renamed = topics.topic_rename(actor=users.town_admin, topic=new, title="盘活闲置农房")
    assert renamed.title == "盘活闲置农房" and renamed.curated
