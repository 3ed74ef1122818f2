"""An evaluator's ballot on a 375 px phone in a hall where the signal comes and goes: the page says whether the ballot
is in, sends it again until an answer comes, and a copy that arrived twice is still one ballot per secretary."""

from __future__ import annotations

from typing import Any

import pytest

from dianti.meetings.models import Ballot
from dianti.testing.browser import assert_fits_phone

from .test_browser_meeting import _tap_grade, held  # noqa: F401  (the meeting fixture)

pytestmark = pytest.mark.browser


def _status(page: Any) -> str:
    return page.locator("#ballot-status").inner_text()


def _grade_all(page: Any, grade: str) -> None:
    for card in page.locator("fieldset.ballot-item").all():
        _tap_grade(card, grade)


def test_a_ballot_sent_with_no_signal_is_retried_and_stored_once(
        page_phone: Any, live_server: Any, held: dict[str, Any], screenshot: Any) -> None:  # noqa: F811
    page, meeting = page_phone, held["meeting"]
    page.goto(f"{live_server.url}/m/e/code/#{held['codes']['党员代表'][0]}")
    page.wait_for_url(f"{live_server.url}/m/e/")
    _grade_all(page, "较好")

    page.context.set_offline(True)
    page.get_by_role("button", name="提交评议").tap()
    page.locator("#ballot-status", has_text="正在重试").wait_for()
    assert "未提交，正在重试（第 1 次）" in _status(page) and Ballot.objects.filter(meeting=meeting).count() == 0
    assert_fits_phone(page)
    screenshot(page, "ballot-retrying-phone", full_page=False)

    page.context.set_offline(False)
    page.locator("#ballot-status.in").wait_for()
    assert "已提交" in _status(page) and Ballot.objects.filter(meeting=meeting).count() == 6
    screenshot(page, "ballot-in-phone", full_page=False)


def test_a_ballot_whose_answer_was_lost_is_sent_again_and_counted_once(
        page_phone: Any, live_server: Any, held: dict[str, Any]) -> None:  # noqa: F811
    page, meeting = page_phone, held["meeting"]
    page.goto(f"{live_server.url}/m/e/code/#{held['codes']['党员代表'][1]}")
    page.wait_for_url(f"{live_server.url}/m/e/")
    _grade_all(page, "好")
    lost: list[int] = []

    def arrive_but_lose_the_answer(route: Any) -> None:
        if route.request.method == "POST" and not lost:
            lost.append(route.fetch().status)  # the server stores the ballot; the phone never hears back
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/m/e/", arrive_but_lose_the_answer)
    page.get_by_role("button", name="提交评议").tap()
    page.locator("#ballot-status.in").wait_for()
    assert lost == [200]
    assert Ballot.objects.filter(meeting=meeting).count() == 6
    assert set(Ballot.objects.filter(meeting=meeting).values_list("grade", flat=True)) == {"好"}


def test_a_refused_ballot_says_why_and_is_not_in(
        page_phone: Any, live_server: Any, held: dict[str, Any], screenshot: Any) -> None:  # noqa: F811
    page, meeting = page_phone, held["meeting"]
    page.goto(f"{live_server.url}/m/e/code/#{held['codes']['党员代表'][2]}")
    page.wait_for_url(f"{live_server.url}/m/e/")
    _grade_all(page, "一般")
    first = page.locator("fieldset.ballot-item").first
    first.get_by_text("分项打分（可选）").tap()
    first.get_by_label("德").evaluate("el => { el.removeAttribute('max'); el.value = '150'; }")
    page.get_by_role("button", name="提交评议").tap()
    page.locator("#ballot-status.failed").wait_for()
    assert _status(page).startswith("未提交：") and "第 1 位" in _status(page)
    assert Ballot.objects.filter(meeting=meeting).count() == 0
    screenshot(page, "ballot-refused-phone", full_page=False)
