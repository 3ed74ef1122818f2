"""Mining an organization's opinions into topics, and curating them without losing a single supporter."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError

from dianti.campaigns.models import Subject
from dianti.campaigns.tests.factories import in_topics
from dianti.core.models import OutboundMessage
from dianti.voices import services, topics
from dianti.voices.mining_bridge import mine_organization
from dianti.voices.models import AssignedTopic, Opinion, Topic

from .factories import opinion, visit

LAMP = ["雪水港村三组路灯坏了好几盏，晚上出行很不方便", "三组的路灯晚上不亮，老人走夜路容易摔倒，希望尽快修好",
        "晚上三组路段漆黑一片，路灯年久失修", "雪水港村三组路灯损坏无人维修，孩子放学不安全"]
CANTEEN = ["雪水港村老年食堂只供应午餐，希望晚餐也能开起来", "老年食堂能不能晚上也开，很多老人晚饭没人做",
           "希望老年食堂增加晚餐供应，方便独居老人"]


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


@pytest.fixture
def mined(tree, django_capture_on_commit_callbacks):
    campaign = in_topics(tree)
    for i, text in enumerate(LAMP):
        opinion(tree.village_a1, text, who=f"lamp{i}")
    for i, text in enumerate(CANTEEN):
        opinion(tree.village_a1, text, who=f"canteen{i}")
    mine_organization(tree.village_a1, campaign)
    return campaign


def _topic_with(text_part: str) -> Topic:
    return Opinion.objects.get(text__contains=text_part).topic


def test_mining_groups_the_same_problem_and_ranks_the_loudest_first(tree, mined):
    lamp, canteen = _topic_with("路灯损坏无人维修"), _topic_with("独居老人")
    assert lamp is not None and canteen is not None and lamp != canteen
    assert (lamp.people, lamp.size) == (4, 4)
    assert list(Topic.objects.filter(organization=tree.village_a1).order_by("-heat"))[0] == lamp


def test_one_person_repeating_does_not_inflate_the_heat(tree):
    campaign = in_topics(tree)
    for i, text in enumerate(CANTEEN):
        opinion(tree.village_a1, text, who=f"canteen{i}")
    for text in LAMP:
        opinion(tree.village_a1, text, who="the-same-person")
    mine_organization(tree.village_a1, campaign)
    lamp_topics = {op.topic for op in Opinion.objects.filter(text__contains="路灯")} - {None}
    assert all(t.people == 1 for t in lamp_topics)
    canteen = _topic_with("独居老人")
    assert canteen.people == 3 and all(canteen.heat > t.heat for t in lamp_topics)


def test_a_new_opinion_joins_its_topic_once_committed(tree, mined, django_capture_on_commit_callbacks):
    lamp = _topic_with("路灯损坏无人维修")
    with django_capture_on_commit_callbacks(execute=True):
        new = opinion(tree.village_a1, "三组的路灯又坏了，晚上一片漆黑，请尽快维修", who="late")
    new.refresh_from_db()
    lamp.refresh_from_db()
    assert new.topic == lamp and lamp.people == 5


def test_merging_keeps_every_supporter_once(tree, users, mined):
    lamp, canteen = _topic_with("路灯损坏无人维修"), _topic_with("独居老人")
    for device in ("d1", "d2"):
        services.support_add(device_hash=device, topic=lamp)
    for device in ("d2", "d3"):
        services.support_add(device_hash=device, topic=canteen)
    merged = topics.topic_merge(actor=users.town_admin, topics=[lamp, canteen], title="路灯和老年食堂")
    assert merged.supports == 3 and merged.size == 7 and merged.people == 7
    assert merged.title == "路灯和老年食堂" and merged.curated
    assert not Topic.objects.filter(pk=canteen.pk).exists()


def test_splitting_copies_the_topics_supporters_to_both_halves(tree, users, mined):
    lamp = _topic_with("路灯损坏无人维修")
    services.support_add(device_hash="d1", topic=lamp)
    kids = Opinion.objects.get(text__contains="孩子放学")
    services.support_add(device_hash="d9", opinion=kids)
    new = topics.topic_split(actor=users.town_admin, topic=lamp, opinion_ids=[kids.pk], title="孩子放学路上的安全")
    lamp.refresh_from_db()
    assert new.size == 1 and lamp.size == 3
    assert new.supports == 2 and lamp.supports == 1  # d1 on both; d9 went with its opinion


def test_cannot_split_out_everything(tree, users, mined):
    lamp = _topic_with("路灯损坏无人维修")
    ids = list(lamp.opinions.values_list("pk", flat=True))
    with pytest.raises(ValidationError, match="不能把全部意见"):
        topics.topic_split(actor=users.town_admin, topic=lamp, opinion_ids=ids, title="全部")


def test_moving_an_opinion_between_topics_updates_both(tree, users, mined):
    lamp, canteen = _topic_with("路灯损坏无人维修"), _topic_with("独居老人")
    op = Opinion.objects.get(text__contains="孩子放学")
    topics.opinion_set_topic(actor=users.town_admin, opinion=op, topic=canteen)
    lamp.refresh_from_db()
    canteen.refresh_from_db()
    assert (lamp.size, canteen.size) == (3, 4)


def test_remining_keeps_curated_topics(tree, users, mined):
    lamp = _topic_with("路灯损坏无人维修")
    topics.topic_rename(actor=users.town_admin, topic=lamp, title="三组路灯长期不亮")
    mine_organization(tree.village_a1, mined)
    lamp.refresh_from_db()
    assert lamp.title == "三组路灯长期不亮" and lamp.size == 4


def test_assigning_a_topic_tells_the_secretary_and_everyone_who_left_a_phone(
        tree, users, mined, django_capture_on_commit_callbacks):
    lamp = _topic_with("路灯损坏无人维修")
    Opinion.objects.filter(pk=lamp.opinions.first().pk).update(author_phone="13900001111", author_name="王阿姨")
    subject = Subject.objects.get(campaign=mined, organization=tree.village_a1)
    with django_capture_on_commit_callbacks(execute=True):
        topics.topic_assign(actor=users.town_admin, subject=subject, text="如何让村里的路灯常亮、夜路安全", topic=lamp)
    subject.refresh_from_db()
    assert subject.topic == "如何让村里的路灯常亮、夜路安全"
    assert AssignedTopic.objects.get(subject=subject).topic == lamp
    # (to_address is encrypted at rest: compare what it decrypts to.)
    assert "13900001111" in {m.to_address for m in OutboundMessage.objects.filter(kind="opinion_chosen")}
    assert OutboundMessage.objects.filter(kind="topic_assigned").exists()


def test_offline_people_met_raise_the_heat_of_their_topic(tree, mined):
    canteen = _topic_with("独居老人")
    before = canteen.heat
    op = visit(tree.village_a1, "座谈会上大家都说老年食堂希望增加晚餐供应", met=25)
    Opinion.objects.filter(pk=op.pk).update(topic=canteen)
    topics.refresh(canteen.pk)
    canteen.refresh_from_db()
    assert canteen.heat > before
