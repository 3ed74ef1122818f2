"""Town staff record door-to-door visits on a 375 px phone with no signal: the page opens from the phone, the records
wait under 待上传 and go out once when the signal returns — also after the session ended, and also when a copy
had already reached the server before the page was closed. Real Chromium, network switched off and on."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from dianti.testing.browser import assert_fits_phone, login
from dianti.voices import offline
from dianti.voices.models import Channel, Opinion

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _open_installed(page: Any, live_server: Any) -> None:
    """Open the recording page and wait until its service worker controls it (as on a phone that installed it)."""
    page.goto(f"{live_server.url}/voices/new/")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    for _ in range(50):
        if page.evaluate("navigator.serviceWorker.controller !== null"):
            return
        page.wait_for_timeout(100)
    raise AssertionError("the service worker never took the page")


def _record(page: Any, text: str, org: str = "雪水港村") -> None:
    page.fill("#id_organization", org)
    page.select_option("#id_channel", "visit")
    page.fill("#id_people_met", "8")
    page.fill("#id_text", text)
    page.click("#record-form button[type=submit]")


def _pending(page: Any) -> list[str]:
    return page.locator("#offline-list li").all_inner_texts()


def test_records_made_with_no_signal_are_sent_once_when_it_returns(
        page_phone: Any, live_server: Any, tree: Any, users: Any, screenshot: Any) -> None:
    page = page_phone
    login(page, live_server, "town_admin", "pw-town_admin")
    _open_installed(page, live_server)
    page.context.set_offline(True)
    page.reload()  # the page itself comes from the phone now
    assert page.locator("h1").inner_text() == "录入线下意见"
    _record(page, "三组的路灯坏了好几盏，晚上出行不便")
    _record(page, "希望村里的老年食堂晚上也开")
    _record(page, "这条写错了组织的意见内容", org="没有这个村")
    assert len(_pending(page)) == 3 and "没有网络" in page.locator("#offline-status").inner_text()
    assert Opinion.objects.count() == 0
    assert_fits_phone(page)
    screenshot(page, "offline-record-pending-phone")

    page.context.set_offline(False)
    page.locator("#offline-sent li").nth(1).wait_for()
    page.locator("#offline-list li.invalid").wait_for()
    assert sorted(Opinion.objects.values_list("text", flat=True)) == ["三组的路灯坏了好几盏，晚上出行不便",
                                                                      "希望村里的老年食堂晚上也开"]
    left = _pending(page)
    assert len(left) == 1 and "需修改" in left[0] and "找不到“没有这个村”" in left[0]
    screenshot(page, "offline-record-sent-and-to-fix-phone")

    page.locator("#offline-list button[data-act=edit]").click()  # corrected on the phone, sent with its key
    page.fill("#id_organization", "丰义村")
    page.click("#record-form button[type=submit]")
    page.locator("#offline-list li").wait_for(state="detached")
    assert Opinion.objects.count() == 3 and Opinion.objects.filter(organization=tree.village_a2).count() == 1
    page.reload()  # nothing is sent again on the next visit
    assert Opinion.objects.count() == 3 and _pending(page) == []


def test_a_record_whose_answer_was_lost_is_sent_again_and_stays_one(
        page_phone: Any, live_server: Any, tree: Any, users: Any) -> None:
    page = page_phone
    login(page, live_server, "town_admin", "pw-town_admin")
    key = uuid.uuid4()
    offline.opinion_record_once(actor=users.town_admin, client_key=key, organization=tree.village_a1,
                                channel=Channel.VISIT, text="页面关闭前已经到达服务器的记录", people_met=3)
    kept = [{"key": str(key), "message": "", "savedAt": "", "fields": {
        "organization": "雪水港村", "channel": "visit", "people_met": "3", "text": "页面关闭前已经到达服务器的记录"}}]
    page.goto(f"{live_server.url}/voices/new/")
    page.evaluate("([k, v]) => localStorage.setItem(k, v)",
                  [f"dianti.record.queue.{users.town_admin.pk}", json.dumps(kept, ensure_ascii=False)])
    page.reload()
    page.locator("#offline-sent li").first.wait_for()
    assert Opinion.objects.filter(client_key=key).count() == 1 and Opinion.objects.count() == 1


def test_a_session_that_ended_offline_asks_to_sign_in_and_loses_nothing(
        page_phone: Any, live_server: Any, tree: Any, users: Any, screenshot: Any) -> None:
    page = page_phone
    login(page, live_server, "town_admin", "pw-town_admin")
    _open_installed(page, live_server)
    page.context.set_offline(True)
    _record(page, "座谈会上群众提出河道需要清淤")
    page.context.clear_cookies()  # the session ended while out of signal
    page.context.set_offline(False)
    page.locator("#offline-login").wait_for()
    assert len(_pending(page)) == 1 and Opinion.objects.count() == 0
    screenshot(page, "offline-record-sign-in-again-phone")
    page.locator("#offline-login a").click()
    page.fill("#id_username", "town_admin")
    page.fill("#id_password", "pw-town_admin")
    page.click("form:has(#id_password) button[type=submit]")
    page.wait_for_url(f"{live_server.url}/voices/new/")
    page.locator("#offline-sent li").first.wait_for()
    assert list(Opinion.objects.values_list("text", flat=True)) == ["座谈会上群众提出河道需要清淤"]


def test_signing_out_on_a_shared_phone_hides_the_page_and_the_records_from_the_next_user(
        page_phone: Any, live_server: Any, tree: Any, users: Any, screenshot: Any) -> None:
    page = page_phone
    login(page, live_server, "town_admin", "pw-town_admin")
    _open_installed(page, live_server)
    page.context.set_offline(True)
    _record(page, "这条记录的组织写错了，等着修改", org="没有这个村")
    page.context.set_offline(False)
    page.locator("#offline-list li.invalid").wait_for()  # refused by the server: it waits on the phone
    assert page.evaluate("caches.keys()") != []
    page.click("form[data-signout] button")
    page.wait_for_url(lambda url: "/voices/new/" not in url)
    assert [k for k in page.evaluate("caches.keys()") if k.startswith("dianti-")] == []

    login(page, live_server, "other_town_admin", "pw-other_town_admin")
    page.goto(f"{live_server.url}/voices/new/")
    page.wait_for_load_state()
    assert _pending(page) == [] and "等着修改" not in page.content()
    screenshot(page, "offline-record-next-user-phone")

    page.click("form[data-signout] button")
    page.wait_for_url(lambda url: "/voices/new/" not in url)
    login(page, live_server, "town_admin", "pw-town_admin")
    page.goto(f"{live_server.url}/voices/new/")
    page.locator("#offline-list li").first.wait_for()
    assert any("等着修改" in text for text in _pending(page))  # its owner finds it again
