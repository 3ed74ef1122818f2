"""Browsing, searching and opening organizations in a real browser, as county admin and as town admin."""

from __future__ import annotations

from typing import Any

import pytest

from dianti.testing.browser import assert_fits_phone, login

pytestmark = pytest.mark.browser


@pytest.fixture
def members(tree: Any, users: Any) -> None:
    """Give 雪水港村 a committee member and a public representative beside its secretary 张书记."""
    from dianti.orgs import services
    from dianti.orgs.models import Position

    for name, position, is_member in [("李委员", Position.COMMITTEE_MEMBER, True),
                                      ("王群众", Position.PUBLIC_REP, False)]:
        person = services.person_create(actor=None, name=name, organization=tree.village_a1,
                                        is_party_member=is_member)
        services.membership_add(actor=None, person=person, organization=tree.village_a1, position=position)


def _expand(page: Any, name: str) -> Any:
    """Open the tree node whose link reads ``name`` by its +/− box (a tap on phones); return its <details>."""
    summary = page.locator("summary", has=page.get_by_role("link", name=name, exact=True))
    toggle = summary.locator(".toggle")
    toggle.tap() if page.viewport_size["width"] < 760 else toggle.click()
    return summary.locator("xpath=..")


def test_county_admin_expands_a_town_and_opens_a_village(page_desktop: Any, live_server: Any, tree: Any,
                                                          users: Any, members: Any, screenshot: Any) -> None:
    page = page_desktop
    login(page, live_server, "county_admin", "pw-county_admin")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="组织").click()
    page.wait_for_url(live_server.url + "/orgs/")

    county = page.locator(f"#tree-{tree.county.code}")
    assert county.get_by_role("link", name="通元镇", exact=True).is_visible()
    assert county.get_by_role("link", name="澉浦镇", exact=True).is_visible()
    assert county.get_by_role("link", name="雪水港村").count() == 0  # children load only when opened

    town = _expand(page, "通元镇")
    village = town.locator(":scope > ul.tree").get_by_role("link", name="雪水港村", exact=True)
    village.wait_for()
    assert town.get_attribute("open") is not None
    assert town.locator(":scope > ul.tree").get_by_role("link", name="丰义村", exact=True).is_visible()
    assert "3 个基层组织" in town.locator(":scope > summary .count").inner_text()

    branch = _expand(page, "雪水港村").get_by_role("link", name="雪水港村第一党支部")
    branch.wait_for()
    screenshot(page, "tree-expanded-page_desktop")

    village.click()
    page.wait_for_url(f"{live_server.url}/orgs/{tree.village_a1.code}/")
    assert page.locator("h1").inner_text() == "中共雪水港村总支部委员会"
    assert page.locator(".breadcrumbs a").all_inner_texts() == ["海盐县委", "通元镇"]
    assert page.locator("#secretary").inner_text().startswith("张书记")
    rows = [r.split("\t") for r in page.locator("#members tbody tr").all_inner_texts()]
    assert [r[:2] for r in rows] == [["张书记", "书记"], ["李委员", "委员"], ["王群众", "群众代表"]]
    assert page.locator("nav.mainnav a.active").get_attribute("href") == "/orgs/"  # 组织 (its 待办 count may follow)
    screenshot(page, "org-detail-page_desktop")


@pytest.mark.parametrize("viewport", ["page_desktop", "page_phone"])
def test_search_box_finds_a_village_as_you_type(request: Any, viewport: str, live_server: Any, tree: Any,
                                                users: Any, screenshot: Any) -> None:
    page = request.getfixturevalue(viewport)
    login(page, live_server, "county_admin", "pw-county_admin")
    page.goto(live_server.url + "/orgs/")

    page.fill("#q", "丰义")
    result = page.locator("#search-results").get_by_role("link", name="中共丰义村委员会")
    result.wait_for()
    assert page.locator("#search-results li").count() == 1
    assert "330424105202 · 通元镇" in result.inner_text()
    screenshot(page, f"search-{viewport}")

    page.fill("#q", "不存在的村")
    page.get_by_text("没有找到与“不存在的村”相关的组织。").wait_for()

    page.fill("#q", "330424104")  # a code prefix finds the town and everything under it
    page.locator("#search-results").get_by_role("link", name="中共长墙山村委员会").wait_for()
    assert page.locator("#search-results").get_by_role("link", name="中共澉浦镇委员会").is_visible()

    page.fill("#q", "丰义")
    result.wait_for()
    result.click()
    page.wait_for_url(f"{live_server.url}/orgs/{tree.village_a2.code}/")
    assert page.locator("h1").inner_text() == "中共丰义村委员会"


def test_town_admin_sees_only_their_own_town(page_desktop: Any, live_server: Any, tree: Any, users: Any,
                                             screenshot: Any) -> None:
    page = page_desktop
    login(page, live_server, "town_admin", "pw-town_admin")
    page.goto(live_server.url + "/orgs/")

    assert page.locator("section.card h2").all_inner_texts() == ["中共通元镇委员会"]
    assert page.locator(f"#tree-{tree.town_a.code}").get_by_role("link", name="雪水港村", exact=True).is_visible()
    assert "澉浦" not in page.content()
    assert "海盐县委" not in page.locator("main").inner_text()

    page.fill("#q", "长墙山")
    page.get_by_text("没有找到与“长墙山”相关的组织。").wait_for()

    response = page.goto(f"{live_server.url}/orgs/{tree.village_b1.code}/")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "找不到该页面"
    assert "长墙山" not in page.content()
    assert page.get_by_role("link", name="返回首页").is_visible()
    screenshot(page, "not-found-page_desktop")

    response = page.goto(f"{live_server.url}/orgs/{tree.town_b.code}/children/")
    assert response.status == 404


def test_tree_and_organization_pages_fit_a_phone(page_phone: Any, live_server: Any, tree: Any, users: Any,
                                                 members: Any, screenshot: Any) -> None:
    page = page_phone
    login(page, live_server, "county_admin", "pw-county_admin")
    page.goto(live_server.url + "/orgs/")
    assert_fits_phone(page)

    town = _expand(page, "通元镇")
    town.get_by_role("link", name="雪水港村", exact=True).wait_for()
    _expand(page, "雪水港村").get_by_role("link", name="雪水港村第一党支部").wait_for()
    assert_fits_phone(page)
    screenshot(page, "tree-expanded-page_phone")

    town.get_by_role("link", name="雪水港村", exact=True).tap()
    page.wait_for_url(f"{live_server.url}/orgs/{tree.village_a1.code}/")
    page.locator("#secretary").get_by_text("张书记").wait_for()
    assert_fits_phone(page)
    screenshot(page, "org-detail-page_phone")

    for path, name in [("/orgs/people/", "people"), ("/audit/", "audit-log")]:
        page.goto(live_server.url + path)
        assert_fits_phone(page)
        screenshot(page, f"{name}-page_phone")

    page.goto(f"{live_server.url}/orgs/{tree.village_a1.code}/nonexistent/")
    assert_fits_phone(page)
    screenshot(page, "not-found-page_phone")
