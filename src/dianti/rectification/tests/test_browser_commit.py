"""三责联诺 in a real browser: the secretary answers the notice on a phone (375 px), adds a second measure, is told
what is missing, fixes it and submits; the committee's case page then shows the measures."""

from __future__ import annotations

from typing import Any

import pytest

from dianti.rectification.models import Case, State
from dianti.testing.browser import assert_fits_phone, login

from .factories import case_in, in_days

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def issued(subject: Any, users: Any) -> Case:
    return case_in(State.ISSUED, subject, actor=users.town_admin)


def _fill(page: Any, prefix: str, text: str, owner: str, expected: str) -> None:
    page.fill(f"#{prefix}-text", text)
    page.fill(f"#{prefix}-owner", owner)
    page.fill(f"#{prefix}-deadline", in_days(20).isoformat())
    page.fill(f"#{prefix}-expected", expected)


def test_the_secretary_commits_on_a_phone(page_phone: Any, live_server: Any, issued: Case, screenshot: Any) -> None:
    page = page_phone
    p1, p2 = issued.problems.all()
    login(page, live_server, "secretary", "pw-secretary")
    page.goto(f"{live_server.url}/rectification/{issued.pk}/")
    assert_fits_phone(page)
    screenshot(page, "rectification-case-phone")
    page.get_by_role("link", name="填写整改承诺（三责联诺）").click()
    page.wait_for_url(f"{live_server.url}/rectification/{issued.pk}/commit/")
    _fill(page, f"m-{p1.pk}-0", "每月固定主题党日，书记带头讲党课", "张书记", "党员参会率 90% 以上")
    # One more measure for the first problem: the form comes back with what was typed, and a new row.
    page.locator("fieldset", has_text="问题 1").get_by_role("button", name="＋ 再加一条措施").click()
    page.wait_for_load_state()
    assert page.input_value(f"#m-{p1.pk}-0-text") == "每月固定主题党日，书记带头讲党课"
    _fill(page, f"m-{p1.pk}-1", "缺席党员逐一谈心谈话", "组织委员", "无无故缺席")
    page.fill(f"#m-{p2.pk}-0-text", "村务公开栏每月更新，同步在微信群公布")
    page.fill("#mechanisms", "每月第一周召开村务公开评议会\n党员联户积分管理办法")
    screenshot(page, "rectification-commit-phone")
    assert_fits_phone(page)
    page.get_by_role("button", name="提交整改承诺").click()
    alert = page.get_by_role("alert").inner_text()
    assert "问题 2 的第 1 条措施：请填写责任人" in alert and "请填写预期成效" in alert
    screenshot(page, "rectification-commit-phone-error")
    page.fill(f"#m-{p2.pk}-0-owner", "村监委主任")
    page.fill(f"#m-{p2.pk}-0-deadline", in_days(30).isoformat())
    page.fill(f"#m-{p2.pk}-0-expected", "群众看得懂")
    page.get_by_role("button", name="提交整改承诺").click()
    page.wait_for_url(f"{live_server.url}/rectification/{issued.pk}/")
    assert "整改承诺已提交，等待党委审核" in page.content()
    screenshot(page, "rectification-committed-phone")
    issued.refresh_from_db()
    assert issued.state == State.COMMITTED
    assert list(issued.measures.values_list("owner", flat=True)) == ["张书记", "组织委员", "村监委主任"]
    assert issued.mechanisms.count() == 2


def test_the_committee_sees_the_list_on_a_desktop(page_desktop: Any, live_server: Any, issued: Case,
                                                  screenshot: Any) -> None:
    page = page_desktop
    Case.objects.filter(pk=issued.pk).update(deadline=in_days(-3))
    login(page, live_server, "town_admin", "pw-town_admin")
    page.goto(f"{live_server.url}/rectification/")
    row = page.locator("tr.late", has_text="雪水港村")
    assert row.count() == 1
    screenshot(page, "rectification-list-desktop")
