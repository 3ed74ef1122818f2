"""A villager on a 375 px phone supports a topic ("我也关心") and, where the county asks for it, proves the phone by
the SMS code first, so the support counts as a verified person. Real Chromium."""

from __future__ import annotations

import importlib.util
from typing import Any

import pytest
from django.core.cache import cache

from dianti.core.tests.test_phone_codes import FakeSms
from dianti.portal.tests.test_browser_axe import violations
from dianti.testing.browser import assert_fits_phone
from dianti.voices import verify
from dianti.voices.models import Support, Topic

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_villager_proves_a_phone_and_the_support_counts_as_verified(
        page_phone: Any, live_server: Any, tree: Any, settings: Any, screenshot: Any) -> None:
    cache.clear()
    FakeSms.sent = []
    settings.NOTIFY_CHANNELS = ["dianti.core.tests.test_phone_codes.FakeSms"]
    verify.setting_set(actor=None, county=tree.county, on=True)
    org = tree.village_a1
    topic = Topic.objects.create(organization=org, org_path=org.path, title="村口路灯晚上不亮", size=1)
    page = page_phone
    page.goto(f"{live_server.url}/v/{org.code}/")
    row = page.locator(".voice-row", has_text="村口路灯晚上不亮")
    row.locator("summary").click()
    row.locator("input[name=phone]").fill("13812345678")
    row.locator("button", has_text="获取验证码").click()
    page.locator("input[name=code]").wait_for()
    assert "验证码已发送到 138****5678" in page.locator(".voice-row", has_text="村口路灯晚上不亮").inner_text()
    assert not Support.objects.exists()
    assert_fits_phone(page)
    if importlib.util.find_spec("axe_playwright_python") is not None:
        assert violations(page) == []  # the opened phone form as well as the page (portal's axe test)
    screenshot(page, "support-verify-code-phone")
    row = page.locator(".voice-row", has_text="村口路灯晚上不亮")
    row.locator("input[name=code]").fill(FakeSms.sent[0].params["code"])
    row.locator("button", has_text="验证并关心").click()
    page.locator(".voice-row .tag", has_text="已验证手机").wait_for()
    screenshot(page, "support-verified-phone")
    topic.refresh_from_db()
    assert Support.objects.get().phone_hash and topic.verified_people == 1


def test_on_a_phone_a_topic_name_keeps_its_width_beside_the_phone_proof(
        page_phone: Any, live_server: Any, tree: Any, screenshot: Any) -> None:
    # With phone proof on, "我也关心" and its 验证手机号后关心 link took the row, and the topic's name was left
    # two characters a line ("保洁员 / 能不"); the support now goes under the words when they would be squeezed.
    verify.setting_set(actor=None, county=tree.county, on=True)
    org = tree.village_a1
    Topic.objects.create(organization=org, org_path=org.path, title="盘活闲置农房", size=6)
    page = page_phone
    page.goto(f"{live_server.url}/v/{org.code}/")
    words = page.locator(".voice-row", has_text="盘活闲置农房").locator("> div").first
    title = words.locator("b")
    assert words.bounding_box()["width"] >= 160 and title.bounding_box()["height"] < 40  # one line
    assert_fits_phone(page)
    screenshot(page, "support-topic-row-phone")
