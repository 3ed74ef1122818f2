"""Proving a villager's phone by SMS code where the county asks for it: a named opinion with a phone waits for the
code and then counts as a verified person; anonymous ones stay possible and unverified; no phone or code in logs."""

from __future__ import annotations

import logging

import pytest
from django.core.cache import cache
from django.urls import reverse

from dianti.core.models import PhoneCode
from dianti.core.tests.test_phone_codes import FakeSms
from dianti.voices import verify
from dianti.voices.models import Opinion

PHONE = "13812345678"
NAMED = {"text": "村口的路灯坏了好几个月，晚上很黑", "name": "李大伯", "phone": PHONE}


@pytest.fixture(autouse=True)
def _fresh(settings):
    cache.clear()
    FakeSms.sent = []
    settings.NOTIFY_CHANNELS = ["dianti.core.tests.test_phone_codes.FakeSms"]


@pytest.fixture
def proving(tree):
    verify.setting_set(actor=None, county=tree.county, on=True)
    return reverse("voices_public", args=[tree.village_a1.code])


def test_a_named_opinion_waits_for_the_code_then_counts_as_verified(proving, client, caplog):
    caplog.set_level(logging.DEBUG)
    asked = client.post(proving, NAMED)
    page = asked.content.decode()
    assert asked.status_code == 200 and "验证码已发送到 138****5678" in page and 'name="code"' in page
    assert not Opinion.objects.exists() and len(FakeSms.sent) == 1
    done = client.post(proving, {**NAMED, "code": FakeSms.sent[0].params["code"]})
    op = Opinion.objects.get()
    assert done.status_code == 302 and op.phone_verified and op.author_name == "李大伯"
    again = client.post(proving, {**NAMED, "text": "第二条意见：河道也该清理一下了"})  # proved for this session
    assert again.status_code == 302 and Opinion.objects.filter(phone_verified=True).count() == 2
    assert PHONE not in caplog.text and FakeSms.sent[0].params["code"] not in caplog.text


def test_a_wrong_code_is_refused_in_chinese_and_nothing_is_taken(proving, client):
    client.post(proving, NAMED)
    code = FakeSms.sent[0].params["code"]
    wrong = "000000" if code != "000000" else "111111"
    response = client.post(proving, {**NAMED, "code": wrong})
    assert response.status_code == 400 and "验证码不对，还可以再试 4 次" in response.content.decode()
    assert not Opinion.objects.exists() and PhoneCode.objects.get().attempts == 1


def test_anonymous_opinions_need_no_code_and_count_unverified(proving, client):
    response = client.post(proving, {"text": "希望村里多装几个垃圾桶", "anonymous": "on", "phone": PHONE})
    assert response.status_code == 302 and not FakeSms.sent
    assert Opinion.objects.get().phone_verified is False


def test_where_the_county_does_not_ask_nothing_changes(tree, client):
    response = client.post(reverse("voices_public", args=[tree.village_a1.code]), NAMED)
    assert response.status_code == 302 and not FakeSms.sent
    assert Opinion.objects.get().phone_verified is False and not verify.required_for(tree.village_a1)


def test_the_setting_reaches_every_village_of_the_county_only(tree):
    verify.setting_set(actor=None, county=tree.county, on=True)
    assert verify.required_for(tree.village_a1_branch) and verify.required_for(tree.village_b1)
    verify.setting_set(actor=None, county=tree.county, on=False)
    assert not verify.required_for(tree.village_a1)
