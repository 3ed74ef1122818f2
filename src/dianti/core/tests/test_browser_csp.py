"""The pages whose scripts moved to static files still work under the Content-Security-Policy, with no violation
reported by the browser: the evaluator's entry and ballot, the meeting console, the projector, the panel form."""

from __future__ import annotations

from typing import Any

import pytest

from dianti.meetings.tests.test_browser_meeting import _tap_grade, held  # noqa: F401  (a fixture)
from dianti.testing.browser import login

pytestmark = pytest.mark.browser


def watch(page: Any) -> list[str]:
    """Collect what the browser reports against the policy, and any script error, while the test runs."""
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda e: problems.append(f"script error: {e}"))
    return problems


def test_evaluator_enters_by_the_slips_fragment_and_the_ballot_script_counts(
        page_phone: Any, live_server: Any, held: dict[str, Any]) -> None:  # noqa: F811
    page = page_phone
    problems = watch(page)
    page.goto(f"{live_server.url}/m/e/code/#{held['codes']['党员代表'][0]}")
    page.wait_for_url(f"{live_server.url}/m/e/")  # evaluator_enter.js posted the code from the fragment
    assert "还有 6 位未评" in page.locator("#ungraded").inner_text()
    _tap_grade(page.locator("fieldset.ballot-item").first, "好")
    assert "还有 5 位未评" in page.locator("#ungraded").inner_text()  # ballot.js follows the taps
    assert problems == []


def test_staff_console_projector_and_panel_run_their_scripts_under_the_policy(
        page_desktop: Any, live_server: Any, held: dict[str, Any]) -> None:  # noqa: F811
    page, meeting = page_desktop, held["meeting"]
    problems = watch(page)
    login(page, live_server, "town_admin", "pw-town_admin")
    assert page.locator(".mainnav a.active").count() >= 0  # app.js loaded without complaint

    page.goto(f"{live_server.url}/meetings/{meeting.pk}/")
    asked: list[str] = []
    page.on("dialog", lambda d: (asked.append(d.message), d.dismiss()))
    page.locator("form.close-voting button.danger").click()
    assert asked and "结束" in asked[0]  # the confirm came from data-confirm; dismissed, nothing was sent
    meeting.refresh_from_db()
    assert meeting.status == "open"
    assert page.locator(".mainnav a.active").count() == 1  # app.js marked the section

    page.goto(f"{live_server.url}/meetings/{meeting.pk}/screen/")
    page.wait_for_timeout(3500)  # one htmx poll of the projector
    assert page.locator(".screen-qr svg").is_visible()

    page.goto(f"{live_server.url}/meetings/new/{meeting.campaign_id}/")
    rows = page.locator("#panel tbody tr")
    rows.first.locator("input").nth(1).fill("55")
    assert page.locator("#weight-total").inner_text() != ""  # panel.js added the weights up
    assert problems == [], problems


def test_result_charts_draw_under_the_policy(page_desktop: Any, live_server: Any, tree: Any, users: Any) -> None:
    from dianti.appraisal.tests.factories import HAND, closed

    done = closed(tree, HAND)
    page = page_desktop
    problems = watch(page)
    login(page, live_server, "town_admin", "pw-town_admin")
    page.goto(f"{live_server.url}/appraisal/subjects/{done.va1.pk}/")
    page.wait_for_function("document.querySelectorAll('.chart[data-drawn]').length > 0")
    assert problems == [], problems


def test_the_self_contained_500_page_keeps_its_style_under_the_policy(page_desktop: Any, live_server: Any,
                                                                     client: Any) -> None:
    from django.template.loader import render_to_string

    policy = client.get("/login/")["Content-Security-Policy"]
    page = page_desktop
    problems = watch(page)
    page.route(f"{live_server.url}/boom", lambda route: route.fulfill(
        status=500, body=render_to_string("500.html"), content_type="text/html; charset=utf-8",
        headers={"Content-Security-Policy": policy}))
    page.goto(f"{live_server.url}/boom")
    assert page.evaluate("getComputedStyle(document.querySelector('header')).backgroundColor") == "rgb(183, 28, 28)"
    assert problems == [], problems
