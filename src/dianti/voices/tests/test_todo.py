"""The 群众点题 to-do: while a campaign is in 点题, its convener's admins see how many secretaries still have no
topic, led to the first one's workbench, until every topic is set; the level above does not."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from dianti.campaigns.models import Phase
from dianti.campaigns.tests.factories import in_topics, published
from dianti.voices import todo, topics

pytestmark = pytest.mark.django_db


def _topics_items(user: Any) -> list[Any]:
    return [i for i in todo.for_user(user) if i.kind == "点题"]


def test_subjects_without_a_topic_wait_for_the_convener_until_each_has_one(tree: Any, users: Any) -> None:
    campaign = in_topics(tree, deadlines={Phase.TOPICS: "2030-05-31"})
    first, second = campaign.subjects.order_by("order", "id")
    [item] = _topics_items(users.town_admin)
    assert item.count == 2 and "2 人尚未确定题目" in item.label
    assert item.url == reverse("voices_workbench", args=[first.pk]) and str(item.deadline) == "2030-05-31"
    assert _topics_items(users.county_admin) == [] and _topics_items(users.other_town_admin) == []
    topics.topic_assign(actor=users.town_admin, subject=first, text="村道破损和停车难怎么解决")
    [item] = _topics_items(users.town_admin)
    assert item.count == 1 and item.url == reverse("voices_workbench", args=[second.pk])
    topics.topic_assign(actor=users.town_admin, subject=second, text="老年食堂如何办得长久")
    assert _topics_items(users.town_admin) == []


def test_before_the_list_is_out_of_点名_there_is_no_topic_to_set(tree: Any, users: Any) -> None:
    published(tree)  # list published, campaign still in 点名
    assert _topics_items(users.town_admin) == []


def test_an_opinion_the_classifier_was_unsure_of_waits_for_a_person_until_labelled(tree: Any, users: Any) -> None:
    from dianti.voices import mining_bridge, services
    from dianti.voices.models import Opinion
    from dianti.voices.tests.factories import opinion

    op = opinion(tree.village_a1, "希望村里多组织一些活动，丰富大家的业余生活")
    Opinion.objects.filter(pk=op.pk).update(category="", category_confidence=None)  # the classifier had no answer
    [item] = [i for i in todo.for_user(users.town_admin) if i.kind == "分类"]
    assert item.count == 1 and item.url == reverse("voices_queue") + "?review=1"
    assert [i for i in todo.for_user(users.county_admin) if i.kind == "分类"] == []  # the county oversees
    services.opinions_label(actor=users.town_admin, opinions=[Opinion.objects.get(pk=op.pk)],
                            category=mining_bridge.category_names()[0])
    assert [i for i in todo.for_user(users.town_admin) if i.kind == "分类"] == []
