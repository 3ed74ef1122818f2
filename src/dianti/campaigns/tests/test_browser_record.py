"""The secretary's home and record over the years on a 375 px phone, the public record, and the bar's 待办 counts
arriving after a page loads — in a real browser, with screenshots."""

from __future__ import annotations

from typing import Any

import pytest

from dianti.testing.browser import assert_fits_phone, login

from .history import two_years

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def history(tree: Any, users: Any, settings: Any, tmp_path: Any) -> dict[int, Any]:
    settings.MEDIA_ROOT = tmp_path / "media"
    return two_years(tree, users)


def test_the_secretary_sees_their_campaigns_and_their_record_on_a_phone(
        page_phone: Any, live_server: Any, history: dict[int, Any], screenshot: Any) -> None:
    page = page_phone
    login(page, live_server, "secretary", "pw-secretary")
    mine = page.locator("#my-reporting")
    assert "村级集体经济如何持续增收" in mine.inner_text() and "尚未公布" in mine.inner_text()
    assert "目前没有需要您处理的事项" in page.locator(".todo").inner_text()
    assert page.locator(".stat").count() == 0  # no subtree counts for a secretary
    assert_fits_phone(page)
    screenshot(page, "secretary-home-phone")
    mine.get_by_role("link", name="历年履职档案").click()
    page.wait_for_url(f"{live_server.url}/campaigns/record/")
    assert [h.strip() for h in page.locator(".record-year > h2").all_inner_texts()] == ["2020 年", "2019 年"]
    year_2019 = page.locator("#y2019")
    assert "82.81" in year_2019.inner_text() and "已销号" in year_2019.inner_text()
    assert "村口路灯坏了很久" in year_2019.inner_text()
    assert_fits_phone(page)
    screenshot(page, "secretary-record-phone")


def test_the_public_record_on_a_phone(page_phone: Any, live_server: Any, history: dict[int, Any], tree: Any,
                                      screenshot: Any) -> None:
    page = page_phone
    page.goto(f"{live_server.url}/p/orgs/{tree.village_a1.code}/")
    text = page.locator("main").inner_text()
    assert "现任书记" in text and "82.81" in text and "张书记" not in text
    assert_fits_phone(page)
    screenshot(page, "public-record-phone")


def test_the_bar_counts_what_waits_once_a_page_has_loaded(page_desktop: Any, live_server: Any,
                                                           history: dict[int, Any], screenshot: Any) -> None:
    page = page_desktop
    login(page, live_server, "town_admin", "pw-town_admin")
    home_total = page.locator(".mainnav a").first.locator(".nav-badge").inner_text()
    screenshot(page, "town-home-todo-desktop")
    page.goto(f"{live_server.url}/campaigns/")
    badge = page.locator(".mainnav a", has_text="述职活动").locator(".nav-badge")
    badge.wait_for()  # drawn by the request the page makes once loaded
    assert page.locator(".mainnav a").first.locator(".nav-badge").inner_text() == home_total
    assert page.locator(".mainnav a.active").inner_text().startswith("述职活动")
