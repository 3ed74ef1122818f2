"""Merge suggestions and offers on the workbench: one click merges through topic_merge, an unsorted opinion joins its
nearest topic through opinion_set_topic, and no supporter or tracking page is lost on the way."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

from dianti.campaigns.models import Subject
from dianti.campaigns.tests.factories import in_topics
from dianti.core.models import AuditEvent
from dianti.voices import services, topics
from dianti.voices.mining_bridge import mine_organization
from dianti.voices.models import AssignedTopic, Opinion, Topic

from .factories import opinion

HOUSES = ["一组的闲置农房很多，能否统一改造发展民宿", "东港桥的闲置农房很多，能否统一改造发展民宿",
          "闲置农房年久失修存在安全隐患，河滨路一带尤其多", "闲置农房年久失修存在安全隐患，老街一带尤其多"]
EMPTY = ["老街有不少老房子空着没人住，希望村里想办法盘活", "三组有不少老房子空着没人住，希望村里想办法盘活",
         "北横路有不少老房子空着没人住，希望村里想办法盘活"]
BUS = ["村里到镇上的公交车班次太少，等车要一个小时", "希望增加村里到县城的公交班次，方便老人看病"]


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


@pytest.fixture
def village(tree, users):
    """雪水港村 mined, then the houses made into two topics by hand — 闲置农房 (4 people) and 老房子空着没人住 (3), as
    the demo's 桥湾社区 had them — whatever the miner made of them."""
    campaign = in_topics(tree)
    for i, text in enumerate(HOUSES + EMPTY + BUS):
        opinion(tree.village_a1, text, who=f"p{i}")
    mine_organization(tree.village_a1, campaign)
    found = sorted({o.topic for o in Opinion.objects.filter(text__in=HOUSES + EMPTY)}, key=lambda t: -t.size)
    houses = topics.topic_merge(actor=users.town_admin, topics=found) if len(found) > 1 else found[0]
    empty = list(Opinion.objects.filter(text__in=EMPTY).values_list("pk", flat=True))
    topics.topic_split(actor=users.town_admin, topic=houses, opinion_ids=empty, title="老房子空着没人住")
    return Subject.objects.get(campaign=campaign, organization=tree.village_a1)


def _topic(text: str) -> Topic:
    return Opinion.objects.get(text=text).topic


def test_workbench_suggests_the_two_halves_of_one_concern(village, users, client):
    client.force_login(users.town_admin)
    page = client.get(reverse("voices_workbench", args=[village.pk])).content.decode()
    assert "这两个话题可能是同一件事" in page and "闲置农房" in page
    assert page.count("这两个话题可能是同一件事") == 1  # not the buses


def test_one_click_merge_keeps_every_supporter_and_tracking_shows_the_merged_topic(village, users, client):
    houses, empty = _topic(HOUSES[0]), _topic(EMPTY[0])
    services.support_add(device_hash="d1", topic=houses)
    services.support_add(device_hash="d2", topic=empty)
    services.support_add(device_hash="d1", topic=empty)
    services.support_add(device_hash="d3", opinion=Opinion.objects.get(text=EMPTY[1]))
    client.force_login(users.town_admin)
    back = reverse("voices_workbench", args=[village.pk])
    client.post(reverse("voices_topic_action", args=[houses.pk]), {"action": "merge", "other": empty.pk, "next": back})
    houses.refresh_from_db()
    assert (houses.supports, houses.people, houses.size) == (3, 7, 7)
    assert not Topic.objects.filter(pk=empty.pk).exists()
    assert AuditEvent.objects.filter(action="topic.merge").exists()
    moved = Opinion.objects.get(text=EMPTY[0])
    track = client.get(reverse("voices_track", args=[moved.tracking_code])).content.decode()
    assert houses.title in track and "共 7 人反映" in track


def test_merging_the_chosen_topic_away_keeps_the_subjects_choice(village, users):
    houses, empty = _topic(HOUSES[0]), _topic(EMPTY[0])
    topics.topic_assign(actor=users.town_admin, subject=village, text="盘活闲置农房", topic=empty)
    topics.topic_merge(actor=users.town_admin, topics=[houses, empty])
    assert AssignedTopic.objects.get(subject=village).topic == houses


def test_an_unsorted_opinion_is_offered_its_nearest_topic_and_joins_it(village, users, client):
    late = opinion(village.organization, "巴士一天才三班，到镇上等得太久了", who="late")  # not absorbed: unsorted
    buses = _topic(BUS[0])
    client.force_login(users.town_admin)
    page = client.get(reverse("voices_workbench", args=[village.pk])).content.decode()
    assert f"归入「{buses.title}」" in page
    client.post(reverse("voices_topic_action", args=[buses.pk]),
                {"action": "take", "opinion": late.pk, "next": reverse("voices_workbench", args=[village.pk])})
    late.refresh_from_db()
    buses.refresh_from_db()
    assert late.topic == buses and buses.people == 3
    track = client.get(reverse("voices_track", args=[late.tracking_code])).content.decode()
    assert "已归类" in track and buses.title in track


def test_taking_is_only_for_an_unsorted_opinion_of_the_same_village(village, users, client, tree):
    stranger = opinion(tree.village_a2, "巴士一天才三班，到镇上等得太久了", who="far")
    buses = _topic(BUS[0])
    client.force_login(users.town_admin)
    sorted_one = Opinion.objects.get(text=HOUSES[0])
    for op in (stranger, sorted_one):
        response = client.post(reverse("voices_topic_action", args=[buses.pk]), {"action": "take", "opinion": op.pk})
        assert response.status_code == 404


def test_tracking_an_opinion_the_miner_could_not_place_no_longer_says_it_is_being_sorted(tree, client):
    campaign = in_topics(tree)
    alone = opinion(tree.village_a1, "村口篮球架歪歪扭扭，希望修一修", who="alone")
    mine_organization(tree.village_a1, campaign)
    alone.refresh_from_db()
    assert alone.topic is None
    track = client.get(reverse("voices_track", args=[alone.tracking_code])).content.decode()
    assert "工作人员正在分类梳理" not in track and "暂时没有其他人反映相同的问题" in track


def test_merging_into_a_topic_with_no_other_ticked_says_to_tick_one(village, users, client):
    # 改名或合并 → 并入本话题 with nothing ticked answered 请至少选择两个话题进行合并, though the form asks for the
    # others only (this topic is the one merged into).
    houses = _topic(HOUSES[0])
    client.force_login(users.town_admin)
    back = reverse("voices_workbench", args=[village.pk])
    page = client.post(reverse("voices_topic_action", args=[houses.pk]), {"action": "merge", "next": back},
                       follow=True).content.decode()
    assert f"请先勾选要并入“{houses.title}”的话题" in page and "请至少选择两个话题" not in page
    assert Topic.objects.filter(pk=_topic(EMPTY[0]).pk).exists()


def test_a_topic_without_keywords_shows_its_category_without_a_stray_dot(village, users, client):
    # A place's concern made a topic (by place → 定为述职题目) has a category and no keywords: it read "· 环境保护".
    houses = _topic(HOUSES[0])
    Topic.objects.filter(pk=houses.pk).update(keywords=[], category="环境保护")
    client.force_login(users.town_admin)
    page = client.get(reverse("voices_workbench", args=[village.pk])).content.decode()
    assert "环境保护" in page and "· 环境保护" not in page


def test_the_tracking_date_of_grouping_does_not_move_when_the_topic_is_supported_later(village, users):
    # 已归类 was dated with the topic's updated_at, which every 我也关心 and heat recompute moves: after a later
    # support the page read 已归类 12月8日 under a 点题 of 12月7日.
    import datetime as dt

    from django.utils import timezone

    from dianti.voices import tracking

    houses = _topic(HOUSES[0])
    topics.topic_assign(actor=users.town_admin, subject=village, text="盘活闲置农房", topic=houses)
    Topic.objects.filter(pk=houses.pk).update(updated_at=timezone.now() + dt.timedelta(days=1))
    op = Opinion.objects.select_related("topic").get(text=HOUSES[0])
    steps = {s.label: s for s in tracking.steps(op)}
    assigned = AssignedTopic.objects.get(subject=village).assigned_at
    assert steps["已归类"].at <= assigned and steps["已归类"].at >= op.created_at
