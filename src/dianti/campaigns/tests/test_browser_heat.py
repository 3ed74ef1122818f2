"""The county admin's journey to the heat knobs: from the county's page, set once for every campaign under it; a
campaign's edit page then says what it inherits."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from dianti.campaigns import heat
from dianti.campaigns.tests.factories import in_topics
from dianti.testing.browser import login

pytestmark = pytest.mark.browser


def test_county_admin_sets_the_heat_knobs_once_for_the_county(page_desktop: Any, live_server: Any, tree: Any,
                                                              users: Any, screenshot: Any) -> None:
    campaign = in_topics(tree)
    page = page_desktop
    login(page, live_server, "county_admin", "pw-county_admin")
    page.goto(live_server.url + reverse("org_detail", args=[tree.county.code]))
    page.get_by_role("link", name="呼声热度权重").click()
    page.wait_for_load_state()
    page.locator("#id_heat_participant_weight").fill("0.5")
    screenshot(page, "county-heat-scheme")
    page.locator("#heat-scheme").get_by_role("button", name="保存").click()
    page.wait_for_load_state()
    assert heat.heat_weights_in_force(campaign) == {"participant_weight": 0.5}
    reheat = page.locator("#reheat")  # the recompute runs in the background; the page shows its progress
    assert "按新权重重算" in reheat.inner_text()
    assert reheat.locator("[data-status]").get_attribute("data-status") in ("queued", "running", "done")

    page.goto(live_server.url + reverse("campaign_edit", args=[campaign.pk]))
    assert "沿用" in page.locator("#heat-inherited").inner_text()
    assert "留空沿用" in page.content()
