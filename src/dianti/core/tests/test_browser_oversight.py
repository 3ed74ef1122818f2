"""压力传导 in a real browser: the town submits its list, the page says it waits for the county, the town cannot
approve it, the county approves, and the village secretary reads "您已被点名" on a phone (375 px)."""

from __future__ import annotations

from typing import Any

import pytest

from dianti.campaigns.tests.factories import choose, town_campaign
from dianti.testing.browser import assert_fits_phone, login

pytestmark = pytest.mark.browser


def test_the_level_above_approves_what_the_town_submitted(browser: Any, page_desktop: Any, page_phone: Any,
                                                          live_server: Any, tree: Any, users: Any,
                                                          screenshot: Any) -> None:
    campaign = town_campaign(tree)
    choose(campaign, tree.village_a1, tree.village_a2)
    url = f"{live_server.url}/campaigns/{campaign.pk}/"

    page = page_desktop
    login(page, live_server, "town_admin", "pw-town_admin")
    page.goto(url)
    page.click("form[action$='/list/submit/'] button")
    page.wait_for_selector("#list-waiting")
    assert "等待海盐县委（上级）的管理员审批公示" in page.inner_text("#list-waiting")
    assert page.locator("form[action$='/list/approve/'] button").count() == 0
    screenshot(page, "town-waits-for-county")

    county = browser.new_page(viewport={"width": 1280, "height": 800})
    login(county, live_server, "county_admin", "pw-county_admin")
    county.goto(url)
    county.click("form[action$='/list/approve/'] button")
    county.wait_for_load_state()
    assert "已公示" in county.inner_text("main")
    county.close()

    phone = page_phone
    login(phone, live_server, "secretary", "pw-secretary")
    phone.goto(f"{live_server.url}/notifications/")
    assert "您已被点名述职" in phone.inner_text("body")
    assert_fits_phone(phone)
    screenshot(phone, "secretary-told-on-phone")
