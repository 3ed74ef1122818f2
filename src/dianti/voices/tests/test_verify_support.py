"""A "我也关心" by a proved phone where the county asks for it: the supporter may prove a phone by the same SMS code
and then counts as a verified person; supporting without a phone stays possible and counts unverified; one phone
supports a topic once (kept only as its hash); the workbench shows the verified people beside the heat."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

from dianti.campaigns.models import Subject
from dianti.campaigns.tests.factories import in_topics
from dianti.core import phone_codes
from dianti.core.tests.test_phone_codes import FakeSms
from dianti.voices import figures, services, verify
from dianti.voices.mining_bridge import mine_organization
from dianti.voices.models import Opinion, Support, Topic

from .factories import opinion

PHONE = "13812345678"


# The topic's figures are refreshed once the support is committed, so each test commits for real.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _fresh(settings):
    cache.clear()
    FakeSms.sent = []
    settings.NOTIFY_CHANNELS = ["dianti.core.tests.test_phone_codes.FakeSms"]


@pytest.fixture
def topic(tree):
    org = tree.village_a1
    return Topic.objects.create(organization=org, org_path=org.path, title="村口路灯不亮", size=1)


def _url(topic):
    return reverse("voices_support", args=["topic", topic.pk])


def _prove(client, topic, phone=PHONE):
    asked = client.post(_url(topic), {"phone": phone})
    assert "验证码已发送到" in asked.content.decode() and 'name="code"' in asked.content.decode()
    return client.post(_url(topic), {"phone": phone, "code": FakeSms.sent[-1].params["code"]})


def test_a_supporter_proves_a_phone_and_counts_as_a_verified_person(tree, topic, client):
    verify.setting_set(actor=None, county=tree.county, on=True)
    first = client.post(_url(topic), {"phone": PHONE})
    assert first.status_code == 200 and not Support.objects.exists()  # nothing counted before the code
    done = client.post(_url(topic), {"phone": PHONE, "code": FakeSms.sent[0].params["code"]})
    support = Support.objects.get()
    assert done.status_code == 200 and "已验证手机" in done.content.decode()
    assert support.phone_hash == phone_codes.phone_key(PHONE) and PHONE not in support.phone_hash
    topic.refresh_from_db()
    assert topic.supports == 1 and topic.verified_people == 1


def test_a_wrong_code_is_told_in_chinese_and_nothing_counts(tree, topic, client):
    verify.setting_set(actor=None, county=tree.county, on=True)
    client.post(_url(topic), {"phone": PHONE})
    wrong = "000000" if FakeSms.sent[0].params["code"] != "000000" else "111111"
    response = client.post(_url(topic), {"phone": PHONE, "code": wrong})
    assert "验证码不对" in response.content.decode() and 'name="code"' in response.content.decode()
    assert not Support.objects.exists()
    bad = client.post(_url(topic), {"phone": "12345"})
    assert "不是有效的手机号" in bad.content.decode() and not Support.objects.exists()


def test_asking_for_codes_too_often_is_said_beside_the_phone(tree, topic, client):
    verify.setting_set(actor=None, county=tree.county, on=True)
    client.post(_url(topic), {"phone": PHONE})
    again = client.post(_url(topic), {"phone": PHONE})  # within the minute
    assert "验证码发送太频繁了" in again.content.decode() and 'value="13812345678"' in again.content.decode()
    assert len(FakeSms.sent) == 1 and not Support.objects.exists()


def test_support_without_a_phone_stays_possible_and_unverified(tree, topic, client):
    verify.setting_set(actor=None, county=tree.county, on=True)
    page = client.get(reverse("voices_public", args=[tree.village_a1.code])).content.decode()
    assert "验证手机号后关心" in page
    response = client.post(_url(topic))
    assert response.status_code == 200 and Support.objects.get().phone_hash == "" and not FakeSms.sent
    assert figures.refresh(topic.pk).verified_people == 0


def test_one_phone_supports_a_topic_once_from_any_device(tree, topic, client):
    verify.setting_set(actor=None, county=tree.county, on=True)
    _prove(client, topic)
    services.support_add(device_hash="another-phone-browser", phone_hash=phone_codes.phone_key(PHONE), topic=topic)
    assert Support.objects.filter(topic=topic).count() == 1
    topic.refresh_from_db()
    assert topic.supports == 1 and topic.verified_people == 1


def test_a_device_that_supported_unverified_becomes_verified_once_it_proves(tree, topic, client):
    verify.setting_set(actor=None, county=tree.county, on=True)
    client.post(_url(topic))
    _prove(client, topic)
    assert Support.objects.get().phone_hash == phone_codes.phone_key(PHONE)
    assert Topic.objects.get(pk=topic.pk).verified_people == 1


def test_where_the_county_does_not_ask_a_phone_is_ignored(tree, topic, client):
    page = client.get(reverse("voices_public", args=[tree.village_a1.code])).content.decode()
    assert "验证手机号后关心" not in page
    client.post(_url(topic), {"phone": PHONE})
    assert Support.objects.get().phone_hash == "" and not FakeSms.sent


def test_a_writer_and_supporter_with_one_phone_count_once_among_verified(tree, topic):
    key, org = phone_codes.phone_key(PHONE), tree.village_a1
    wrote = opinion(org, "村口路灯坏了好几个月", who="lee", name="李大伯", phone=PHONE, phone_verified=True)
    other = opinion(org, "村口路灯坏了没人修", who="wang")
    Opinion.objects.filter(pk__in=[wrote.pk, other.pk]).update(topic=topic)
    services.support_add(device_hash="d1", phone_hash=key, topic=topic)
    services.support_add(device_hash="d2", phone_hash=phone_codes.phone_key("13900000000"), topic=topic)
    services.support_add(device_hash="d3", topic=topic)
    refreshed = figures.refresh(topic.pk)
    assert (refreshed.people, refreshed.supports, refreshed.verified_people) == (2, 3, 2)


def test_the_workbench_shows_the_verified_people_beside_the_heat(tree, users, client):
    campaign = in_topics(tree)
    for i, text in enumerate(["老街路灯坏了好几盏，晚上黑漆漆的", "老街路灯晚上不亮，走路很危险",
                              "老街的路灯坏了没人修", "老街路灯一到晚上就不亮"]):
        opinion(tree.village_a1, text, who=f"p{i}")
    mine_organization(tree.village_a1, campaign)
    topic = Topic.objects.filter(organization=tree.village_a1).first()
    assert topic is not None
    services.support_add(device_hash="d1", phone_hash=phone_codes.phone_key(PHONE), topic=topic)
    subject = Subject.objects.get(campaign=campaign, organization=tree.village_a1)
    client.force_login(users.town_admin)
    page = client.get(reverse("voices_workbench", args=[subject.pk])).content.decode()
    assert "其中 <b>1</b> 人已验证手机" in page


def test_the_demo_shows_some_supporters_as_verified(topic):
    import random

    from dianti.voices import demo

    demo._supports([topic], random.Random(3))
    topic.refresh_from_db()
    assert 1 <= topic.verified_people < topic.supports
