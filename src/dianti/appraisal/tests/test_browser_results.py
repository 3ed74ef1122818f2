"""The results pages in a real browser: charts drawn by the vendored ECharts, submit and publish through the page,
the subject's page with its trace, and the same pages on a phone without sideways scrolling."""

from __future__ import annotations

from typing import Any

import pytest

from dianti.appraisal.models import SubjectResult
from dianti.testing.browser import assert_fits_phone, login

from .factories import HAND, closed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def campaign(tree: Any, users: Any) -> Any:
    return closed(tree, HAND)


def _charts_drawn(page: Any) -> int:
    page.wait_for_function("document.querySelectorAll('.chart[data-drawn]').length > 0")
    return int(page.evaluate("document.querySelectorAll('.chart[data-drawn] svg').length"))


def test_town_admin_reads_charts_and_submits_then_the_county_publishes(
        page_desktop: Any, live_server: Any, campaign: Any, screenshot: Any) -> None:
    page = page_desktop
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    login(page, live_server, "town_admin", "pw-town_admin")
    page.goto(f"{live_server.url}/appraisal/campaigns/{campaign.campaign.pk}/")
    assert _charts_drawn(page) == 2
    assert page.locator("table.result-table tbody tr").count() == 2
    assert "82.81" in page.locator("table.result-table").inner_text()
    screenshot(page, "appraisal-campaign-desktop")
    page.get_by_role("button", name="提交审核").click()
    page.wait_for_load_state()
    assert "已提交审核：2 个评议结果" in page.content()
    assert "等待海盐县委（上级）的管理员审核公示" in page.inner_text("#results-waiting")
    assert page.get_by_role("button", name="审核通过并公示").count() == 0  # never the town's own results
    page.context.clear_cookies()
    login(page, live_server, "county_admin", "pw-county_admin")
    page.goto(f"{live_server.url}/appraisal/campaigns/{campaign.campaign.pk}/")
    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="审核通过并公示").click()
    page.wait_for_load_state()
    assert "已审核并公示 2 个评议结果" in page.content()
    assert set(SubjectResult.objects.values_list("status", flat=True)) == {"published"}
    page.goto(f"{live_server.url}/appraisal/subjects/{campaign.va1.pk}/")
    assert _charts_drawn(page) == 3  # distribution, rates and groups; this meeting scored no items
    assert "0.625×80.00 + 0.375×87.50 = 82.81" in page.locator("#trace").inner_text()
    screenshot(page, "appraisal-subject-desktop")
    assert not errors, errors


def test_results_fit_a_phone(page_phone: Any, live_server: Any, campaign: Any, screenshot: Any) -> None:
    page = page_phone
    login(page, live_server, "town_admin", "pw-town_admin")
    for name, url in (("campaign", f"/appraisal/campaigns/{campaign.campaign.pk}/"),
                      ("subject", f"/appraisal/subjects/{campaign.va1.pk}/")):
        page.goto(live_server.url + url)
        assert _charts_drawn(page) >= 2
        screenshot(page, f"appraisal-{name}-phone")
        assert_fits_phone(page)
