"""The dashboards in a real browser: the county's charts draw (ECharts, served by the site), a town's row leads to
the town, the annual report is made in the background and downloaded from its job page; the town's dashboard fits
a phone (375 px)."""

from __future__ import annotations

from typing import Any

import pytest

from dianti.testing.browser import assert_fits_phone, login

from .fixtures import two_years

pytestmark = pytest.mark.browser


def test_the_county_reads_its_year_drills_into_a_town_and_prints_the_report(
        page_desktop: Any, live_server: Any, tree: Any, users: Any, screenshot: Any, settings: Any,
        tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.JOBS_BACKEND = "thread"  # the page answers at once and the job page polls, as with a worker
    two_years(tree, users)
    page = page_desktop
    login(page, live_server, "county_admin", "pw-county_admin")
    page.click("nav.mainnav >> text=数据看板")
    page.wait_for_selector(".chart[data-chart='funnel'][data-drawn='1'] svg")
    for kind in ("total", "bars", "trend"):
        assert page.locator(f".chart[data-chart='{kind}'][data-drawn='1']").count() >= 1, kind
    assert page.inner_text("[data-figure='participants'] .figure-value").startswith("15")
    screenshot(page, "dashboard-county")

    page.click(".funnel-table >> text=通元镇")
    page.wait_for_selector("#records")
    assert "雪水港村" in page.inner_text("[aria-labelledby='records']") and "通元镇" in page.inner_text("h1")
    page.click("text=生成报告（PDF）")
    page.wait_for_selector(".progress[role='progressbar']")
    page.wait_for_selector("a[href$='/file']", timeout=120_000)  # a PDF of CJK text takes seconds on a busy machine
    assert "已生成" in page.inner_text("#job")
    with page.expect_download() as download:
        page.click("a[href$='/file']")
    assert download.value.suggested_filename.endswith(".pdf")
    screenshot(page, "dashboard-report-job")


def test_a_town_reads_its_dashboard_on_a_phone(page_phone: Any, live_server: Any, tree: Any, users: Any,
                                               screenshot: Any) -> None:
    two_years(tree, users)
    page = page_phone
    login(page, live_server, "town_admin", "pw-town_admin")
    page.goto(f"{live_server.url}/dashboard/")
    page.wait_for_selector(".chart[data-chart='total'][data-drawn='1'] svg")
    assert "中共通元镇委员会" in page.inner_text("h1")
    assert_fits_phone(page)
    screenshot(page, "dashboard-town-phone")
