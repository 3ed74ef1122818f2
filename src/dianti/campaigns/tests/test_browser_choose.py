"""党委点名 in a real browser: a town admin chooses subjects with suggestions, on a desk and on a phone."""

from __future__ import annotations

from typing import Any

import pytest

from dianti.campaigns import services
from dianti.campaigns.models import Project
from dianti.testing.browser import assert_fits_phone, login

from .factories import town_campaign

pytestmark = pytest.mark.browser


@pytest.fixture
def campaign(tree: Any, users: Any) -> Any:
    services.project_add(actor=None, organization=tree.village_a2, year=2020, kind=Project.Kind.SECRETARY,
                         title="共富工坊")
    return town_campaign(tree)


def _choose(page: Any, live_server: Any, campaign: Any, screenshot: Any, name: str) -> None:
    login(page, live_server, "town_admin", "pw-town_admin")
    page.goto(f"{live_server.url}/campaigns/{campaign.pk}/choose/")
    suggested = page.locator("article.candidate", has_text="丰义村")
    assert "书记项目：共富工坊" in suggested.inner_text()
    # The system's suggestion pre-fills the category; the admin ticks it and the other village, and gives the
    # second one its reason through the bulk fields.
    suggested.get_by_role("checkbox").check()
    page.locator("article.candidate", has_text="雪水港村").get_by_role("checkbox").check()
    page.select_option("#bulk_category", "development")
    page.fill("#bulk_reason", "承担美丽乡村建设任务，群众期盼高")
    screenshot(page, f"choose-{name}")
    page.get_by_role("button", name="点名所选组织").click()
    page.wait_for_url(f"{live_server.url}/campaigns/{campaign.pk}/")
    assert "已点名 2 个述职对象" in page.content()


def test_town_admin_chooses_subjects_on_a_desktop(page_desktop: Any, live_server: Any, campaign: Any,
                                                  screenshot: Any) -> None:
    _choose(page_desktop, live_server, campaign, screenshot, "desktop")
    categories = dict(campaign.subjects.values_list("organization__short_name", "category"))
    assert categories == {"丰义村": "project", "雪水港村": "development"}


def test_town_admin_chooses_subjects_on_a_phone(page_phone: Any, live_server: Any, campaign: Any,
                                                screenshot: Any) -> None:
    _choose(page_phone, live_server, campaign, screenshot, "phone")
    assert campaign.subjects.count() == 2
    assert_fits_phone(page_phone)


def test_a_missing_reason_is_shown_and_nothing_is_chosen(page_phone: Any, live_server: Any, campaign: Any) -> None:
    page = page_phone
    login(page, live_server, "town_admin", "pw-town_admin")
    page.goto(f"{live_server.url}/campaigns/{campaign.pk}/choose/")
    row = page.locator("article.candidate", has_text="雪水港村")
    row.get_by_role("checkbox").check()
    row.locator("select").select_option("model")
    page.get_by_role("button", name="点名所选组织").click()
    assert page.get_by_role("alert").inner_text().count("请写明点名理由") == 1
    assert campaign.subjects.count() == 0
