"""Channels in a real browser: the town's staff record the secretary's mobile number as checked with her on the
person's page and see the reminder's delivery there; the secretary, on her phone (375 px), finds 通知方式 from
her notifications, confirms her WeChat and stops the text messages."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from dianti.core import notify
from dianti.orgs.models import Person, PersonChannel
from dianti.testing.browser import assert_fits_phone, login

pytestmark = pytest.mark.browser


def test_staff_record_a_contact_and_the_secretary_opts_out_on_her_phone(
        settings: Any, page_desktop: Any, page_phone: Any, live_server: Any, users: Any, screenshot: Any) -> None:
    settings.NOTIFY_CHANNELS = ["dianti.core.notify.LogChannel", "dianti.core.tests.test_outbound.Flaky"]
    settings.NOTIFY_RATE_LIMITS, settings.JOBS_BACKEND = {}, "sync"
    person = Person.objects.get(user=users.secretary)
    PersonChannel.objects.create(person=person, medium="wechat", address="openid-zhang")

    page = page_desktop
    login(page, live_server, "town_admin", "pw-town_admin")
    page.goto(f"{live_server.url}/orgs/people/{person.pk}/")
    page.select_option("#channels select[name=medium]", "sms")
    page.fill("#channels input[name=address]", "13812345678")
    page.check("#channels input[name=verified]")
    page.click("#channels form.inline button[type=submit]")
    page.wait_for_load_state()
    row = page.locator("#channels tr[data-medium=sms]")
    assert "138****5678" in row.inner_text() and "已核实" in row.inner_text()

    with transaction.atomic():  # a reminder, as the daily sweep sends it
        notify.notify([notify.recipient_for_person(person)], notify.Message(kind="deadline", title="述职报告将于 3 天后截止"))
    page.reload()
    assert page.locator("table.outbound tr[data-status=sent]").count() == 1
    screenshot(page, "person-channels-and-deliveries")

    phone = page_phone
    login(phone, live_server, "secretary", "pw-secretary")
    phone.goto(f"{live_server.url}/notifications/")
    phone.click("text=短信、微信等通知方式")
    phone.click("tr[data-medium=wechat] button[value=verify]")
    phone.click("tr[data-medium=sms] button[value=opt_out]")
    assert "已退订" in phone.locator("tr[data-medium=sms]").inner_text()
    assert "已核实" in phone.locator("tr[data-medium=wechat]").inner_text()
    assert_fits_phone(phone)
    screenshot(phone, "secretary-opts-out")
    sms = PersonChannel.objects.get(person=person, medium="sms")
    assert sms.opted_out_at is not None
