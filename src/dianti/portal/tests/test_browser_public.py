"""A villager's path through the public site on a phone in WeChat: find the village, read what became of its cycle,
and give an opinion from there — every tap leads somewhere."""

from __future__ import annotations

from typing import Any

import pytest

from dianti.testing.browser import assert_fits_phone

pytestmark = pytest.mark.browser


def test_a_villager_finds_the_village_reads_its_record_and_gives_an_opinion(
        page_phone: Any, live_server: Any, tree: Any, users: Any, screenshot: Any) -> None:
    from .factories import world

    world(tree, users)
    page = page_phone
    page.goto(f"{live_server.url}/p/")
    page.get_by_label("查找您的村（社区）").fill("雪水")
    page.get_by_role("button", name="查找").click()
    page.locator(f'.results a[href="/p/o/{tree.village_a1.code}/"]').click()
    assert page.get_by_role("heading", level=1).inner_text() == tree.village_a1.name
    assert page.get_by_role("img", name="雪水港村意见征集页的二维码").is_visible()
    assert page.get_by_text("三组路灯如何修好管好").is_visible()  # the topic, and the voices behind it below
    assert page.get_by_text("老人走夜路容易摔倒").first.is_visible()
    assert page.get_by_text("整改中").first.is_visible()
    assert_fits_phone(page)
    screenshot(page, "public-village-phone")

    page.get_by_role("link", name="打开意见征集页").click()
    page.get_by_label("您的意见或建议").fill("村口桥边的护栏松了，希望尽快加固")
    page.get_by_role("button", name="提交").click()
    page.wait_for_url("**/v/t/**")
    assert "查询码" in page.content()

    page.goto(f"{live_server.url}/p/")  # and down the tree: the county's towns, the town's villages
    page.locator(f'.places a[href="/p/o/{tree.town_a.code}/"]').click()
    page.locator(f'.places a[href="/p/o/{tree.village_a2.code}/"]').click()
    assert page.get_by_text("丰义村如何发展集体经济").is_visible()
