"""Setting a subject's topic: one door from both pages, and a warning before two secretaries share a topic."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from dianti.campaigns.models import Subject
from dianti.campaigns.tests.factories import in_topics
from dianti.core.models import OutboundMessage
from dianti.voices import topics
from dianti.voices.mining_bridge import mine_organization
from dianti.voices.models import AssignedTopic, Opinion

from .factories import opinion

LAMP = ["雪水港村三组路灯坏了好几盏，晚上出行很不方便", "三组的路灯晚上不亮，老人走夜路容易摔倒，希望尽快修好",
        "晚上三组路段漆黑一片，路灯年久失修", "雪水港村三组路灯损坏无人维修，孩子放学不安全"]


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client
    return login


@pytest.fixture
def lamp(tree, django_capture_on_commit_callbacks):
    campaign = in_topics(tree)
    for i, text in enumerate(LAMP):
        opinion(tree.village_a1, text, who=f"lamp{i}", anonymous=False, name=f"村民{i}", phone=f"1390000111{i}")
    mine_organization(tree.village_a1, campaign)
    return Opinion.objects.get(text__contains="路灯损坏无人维修").topic


def _from_workbench(client, subject, topic):
    return client.post(reverse("voices_assign", args=[subject.pk]), {"topic": topic.pk, "text": topic.title})


def _from_campaign_page(client, subject, topic):
    page = client.get(reverse("subject_topic", args=[subject.campaign_id, subject.pk])).content.decode()
    action = re.search(r'<form method="post" action="([^"]+)" class="card', page).group(1)
    back = re.search(r'name="next" value="([^"]+)"', page).group(1)
    return client.post(action, {"text": topic.title, "next": back, "responsibility": ""})


@pytest.mark.parametrize("page", [_from_workbench, _from_campaign_page], ids=["workbench", "campaign_page"])
def test_setting_a_topic_from_either_page_has_the_same_effects(
        tree, users, as_user, lamp, page, django_capture_on_commit_callbacks):
    subject = Subject.objects.get(campaign=lamp.campaign, organization=tree.village_a1)
    with django_capture_on_commit_callbacks(execute=True):
        response = page(as_user(users.town_admin), subject, lamp)
    assert response.status_code == 302
    subject.refresh_from_db()
    assert subject.topic == lamp.title and subject.status == Subject.Status.TOPIC_SET
    assert AssignedTopic.objects.get(subject=subject).topic == lamp
    behind = lamp.opinions.exclude(author_phone="").count()
    assert behind and OutboundMessage.objects.filter(kind="opinion_chosen").count() == behind
    assert OutboundMessage.objects.filter(kind="topic_assigned").exists()


def test_the_campaign_page_returns_to_the_campaign_after_setting(tree, users, as_user, lamp):
    subject = Subject.objects.get(campaign=lamp.campaign, organization=tree.village_a1)
    response = _from_campaign_page(as_user(users.town_admin), subject, lamp)
    assert response.url == reverse("campaign_detail", args=[subject.campaign_id])


def test_the_campaign_page_no_longer_writes_a_topic_on_its_own(tree, users, as_user):
    campaign = in_topics(tree)
    subject = campaign.subjects.get(organization=tree.village_a1)
    response = as_user(users.town_admin).post(reverse("subject_topic", args=[campaign.pk, subject.pk]),
                                              {"topic": "如何把美丽资源变成美丽经济"})
    assert response.status_code == 405
    subject.refresh_from_db()
    assert subject.topic == ""


def test_the_same_topic_for_a_second_secretary_is_refused_naming_the_first(tree, users):
    campaign = in_topics(tree)
    first, second = (campaign.subjects.get(organization=o) for o in (tree.village_a1, tree.village_a2))
    topics.topic_assign(actor=users.town_admin, subject=first, text="如何把美丽资源变成美丽经济")
    with pytest.raises(topics.DuplicateTopic, match="雪水港村"):
        topics.topic_assign(actor=users.town_admin, subject=second, text="如何把美丽资源 变成美丽经济？")
    second.refresh_from_db()
    assert second.topic == ""


def test_the_same_topic_is_accepted_once_confirmed(tree, users):
    campaign = in_topics(tree)
    first, second = (campaign.subjects.get(organization=o) for o in (tree.village_a1, tree.village_a2))
    topics.topic_assign(actor=users.town_admin, subject=first, text="如何把美丽资源变成美丽经济")
    topics.topic_assign(actor=users.town_admin, subject=second, text="如何把美丽资源变成美丽经济",
                        confirm_duplicate=True)
    second.refresh_from_db()
    assert second.topic == "如何把美丽资源变成美丽经济"


def test_resetting_a_subjects_own_topic_is_not_a_duplicate(tree, users):
    subject = in_topics(tree).subjects.get(organization=tree.village_a1)
    topics.topic_assign(actor=users.town_admin, subject=subject, text="如何把美丽资源变成美丽经济")
    topics.topic_assign(actor=users.town_admin, subject=subject, text="如何把美丽资源变成美丽经济")


def test_the_page_warns_and_offers_a_confirm_button(tree, users, as_user):
    campaign = in_topics(tree)
    first, second = (campaign.subjects.get(organization=o) for o in (tree.village_a1, tree.village_a2))
    topics.topic_assign(actor=users.town_admin, subject=first, text="如何把美丽资源变成美丽经济")
    client = as_user(users.town_admin)
    url = reverse("voices_assign", args=[second.pk])
    html = client.post(url, {"text": "如何把美丽资源变成美丽经济"}).content.decode()
    assert "雪水港村（张书记）" in html and 'name="confirm_duplicate"' in html and "仍然使用这个题目" in html
    second.refresh_from_db()
    assert second.topic == ""
    assert client.post(url, {"text": "如何把美丽资源变成美丽经济", "confirm_duplicate": "1"}).status_code == 302
    second.refresh_from_db()
    assert second.topic == "如何把美丽资源变成美丽经济"
