"""The topic workbench on a town admin's phone: two topics that are one concern are offered as one, merged in a
click, and an unsorted opinion joins its nearest topic."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from dianti.testing.browser import assert_fits_phone, login
from dianti.voices.models import Opinion

from .test_suggestions import BUS, EMPTY, HOUSES, village  # noqa: F401  (village is a fixture)

pytestmark = pytest.mark.browser


def test_town_admin_merges_the_two_halves_of_one_concern_on_a_phone(page_phone: Any, live_server: Any,
                                                                      village: Any, screenshot: Any) -> None:  # noqa: F811
    page = page_phone
    login(page, live_server, "town_admin", "pw-town_admin")
    page.goto(live_server.url + reverse("voices_workbench", args=[village.pk]))
    suggestion = page.locator("#merge-suggestions .suggestion")
    assert suggestion.count() == 1
    assert "这两个话题可能是同一件事" in suggestion.inner_text()
    assert_fits_phone(page)
    screenshot(page, "workbench-merge-suggestion-phone")

    suggestion.get_by_role("button").click()
    page.wait_for_load_state()
    assert page.locator("#merge-suggestions").count() == 0
    topics = {o.topic_id for o in Opinion.objects.filter(text__in=HOUSES + EMPTY)}
    assert len(topics) == 1  # one concern, one topic
    screenshot(page, "workbench-merged-phone")
