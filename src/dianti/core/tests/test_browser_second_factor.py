"""A county admin's first sign-in in production: password, then binding an authenticator from the QR code, then
the code at every later sign-in — in a real browser, on a phone."""

from __future__ import annotations

from typing import Any

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from dianti.testing.browser import assert_fits_phone, login

pytestmark = pytest.mark.browser


def current_code(user: Any) -> str:
    device = TOTPDevice.objects.get(user=user)
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token():06d}"


def test_county_admin_binds_an_authenticator_then_signs_in_with_it(page_phone: Any, live_server: Any, users: Any,
                                                                  settings: Any, screenshot: Any) -> None:
    settings.DIANTI_REQUIRE_2FA = True
    page = page_phone
    login(page, live_server, "county_admin", "pw-county_admin")

    assert "/account/2fa/" in page.url
    assert page.locator("h1").inner_text() == "绑定手机验证器"
    assert page.locator(".otp-qr svg").is_visible()
    assert_fits_phone(page)
    screenshot(page, "otp-enrol-phone")
    page.fill("#id_token", current_code(users.county_admin))
    page.click("form:has(#id_token) button[type=submit]")
    page.wait_for_load_state()
    assert page.url == live_server.url + "/"
    assert page.locator("h1").inner_text() == "您好，县组织部"

    page.locator(".who").get_by_role("button", name="退出").tap()
    page.wait_for_url(live_server.url + "/login/")
    # A code is good once (django-otp remembers the last time step used): move that mark back one step, so the
    # test need not wait 30 seconds for the authenticator's next code.
    device = TOTPDevice.objects.get(user=users.county_admin)
    device.last_t -= 1
    device.save(update_fields=["last_t"])
    login(page, live_server, "county_admin", "pw-county_admin", otp=lambda: current_code(users.county_admin))
    assert page.url == live_server.url + "/"
