"""Signing in and out in a real browser, on a desktop window and on a 375 px phone."""

from __future__ import annotations

from typing import Any

import pytest

from dianti.testing.browser import assert_fits_phone, login

pytestmark = pytest.mark.browser

VIEWPORTS = ["page_desktop", "page_phone"]


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_login_with_right_password_lands_on_home(request: Any, viewport: str, live_server: Any, users: Any,
                                                  screenshot: Any) -> None:
    page = request.getfixturevalue(viewport)
    page.goto(live_server.url + "/login/")
    assert page.locator("h1").inner_text() == "登录点题述职"
    screenshot(page, f"login-{viewport}")

    login(page, live_server, "county_admin", "pw-county_admin")

    assert page.url == live_server.url + "/"
    assert page.locator("h1").inner_text() == "您好，县组织部"
    nav = page.locator("nav.mainnav")
    assert nav.get_by_role("link", name="组织").is_visible()
    assert nav.get_by_role("link", name="首页").get_attribute("aria-current") == "page"
    assert page.locator(".who-name").inner_text() == "县组织部"
    screenshot(page, f"home-{viewport}")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_login_with_wrong_password_says_so_in_chinese(request: Any, viewport: str, live_server: Any, users: Any,
                                                      screenshot: Any) -> None:
    page = request.getfixturevalue(viewport)

    login(page, live_server, "county_admin", "not-the-password")

    assert page.url.startswith(live_server.url + "/login/")
    alert = page.locator(".alert.error")
    assert alert.inner_text() == "用户名或密码不正确，请重新输入。"
    # The username stays filled in, so an older user only retypes the password.
    assert page.input_value("#id_username") == "county_admin"
    assert page.input_value("#id_password") == ""
    screenshot(page, f"login-failed-{viewport}")


def test_anonymous_visitor_is_sent_to_login_and_then_back(page_desktop: Any, live_server: Any, users: Any,
                                                          tree: Any) -> None:
    page = page_desktop
    page.goto(f"{live_server.url}/orgs/{tree.town_a.code}/")
    assert page.url.startswith(live_server.url + "/login/")

    page.fill("#id_username", "town_admin")
    page.fill("#id_password", "pw-town_admin")
    page.click("form:has(#id_password) button[type=submit]")
    page.wait_for_load_state()

    assert page.url == f"{live_server.url}/orgs/{tree.town_a.code}/"
    assert page.locator("h1").inner_text() == "中共通元镇委员会"


def test_logout_returns_to_login(page_phone: Any, live_server: Any, users: Any) -> None:
    page = page_phone
    login(page, live_server, "secretary", "pw-secretary")

    page.locator(".who").get_by_role("button", name="退出").tap()
    page.wait_for_url(live_server.url + "/login/")

    page.goto(live_server.url + "/")
    assert page.url.startswith(live_server.url + "/login/")


def test_login_and_home_fit_a_phone(page_phone: Any, live_server: Any, users: Any, screenshot: Any) -> None:
    users.county_admin.first_name = "县委组织部 组织科管理员"  # a long name must give way, not the brand
    users.county_admin.save(update_fields=["first_name"])
    page = page_phone
    page.goto(live_server.url + "/login/")
    assert_fits_phone(page)
    assert page.locator("#id_username").bounding_box()["height"] >= 40

    login(page, live_server, "county_admin", "pw-county_admin")

    assert_fits_phone(page)
    brand_right = page.locator(".brand").evaluate("el => el.getBoundingClientRect().left + el.scrollWidth")
    for control in page.locator(".who > *").all():
        assert control.bounding_box()["x"] >= brand_right, f"页头的“{control.inner_text()}”压在了品牌名上"
    # The whole navigation stays on screen (no hidden, sideways-scrolling strip) and every tab is tappable.
    for link in page.locator("nav.mainnav a").all():
        box = link.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 376, link.inner_text()
