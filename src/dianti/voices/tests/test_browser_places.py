"""The workbench by place on a town admin's phone: switched to from the topics, the street where many different
things go wrong is first, and its concern is given to the secretary from there."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from dianti.testing.browser import assert_fits_phone, login

from .test_places import village  # noqa: F401  (a fixture)

pytestmark = pytest.mark.browser


def test_town_admin_switches_the_workbench_to_places_and_gives_the_street_as_a_topic(
        page_phone: Any, live_server: Any, users: Any, village: Any, screenshot: Any) -> None:  # noqa: F811
    page = page_phone
    login(page, live_server, "town_admin", "pw-town_admin")
    page.goto(live_server.url + reverse("voices_workbench", args=[village.pk]))
    page.locator("#workbench-view").get_by_role("link", name="按地点看").click()
    page.wait_for_load_state()
    first = page.locator("article.place").first
    assert first.locator(".topic-title").inner_text() == "老街"
    assert "类问题" in first.inner_text()
    assert_fits_phone(page)
    screenshot(page, "workbench-places-phone")

    first.get_by_role("button", name="定为述职题目").click()
    page.wait_for_load_state()
    village.refresh_from_db()
    assert village.topic.startswith("老街的")
    assert "/places/" in page.url
    street = page.locator("article.place", has_text="老街").first
    assert "已定为述职题目" in street.inner_text()  # its opinions now behind the secretary's topic
    assert_fits_phone(page)
