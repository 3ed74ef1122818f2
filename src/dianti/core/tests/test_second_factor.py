"""TOTP second factor: required for superusers, county admins and approvers when DIANTI_REQUIRE_2FA is on,
optional for everyone else, and once enrolled always asked for."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from dianti.core.models import AuditEvent


@pytest.fixture
def required(settings: Any) -> None:
    settings.DIANTI_REQUIRE_2FA = True


@pytest.fixture
def no_wait(settings: Any) -> None:
    """Let a right code follow a wrong one at once (django-otp otherwise makes the user wait a second or more)."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


def code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def sign_in(client: Any, username: str) -> Any:
    return client.post(reverse("login"), {"username": username, "password": f"pw-{username}", "next": "/orgs/"})


def enrolled(user: Any) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="手机", confirmed=True)


@pytest.mark.parametrize("username", ["county_admin", "county_approver"])
def test_county_admins_and_approvers_must_enrol_before_anything_else(client: Any, users: Any, required: None,
                                                                      username: str) -> None:
    assert sign_in(client, username).status_code == 302
    # The password alone opens nothing: every page sends them to enrolment.
    for url in (reverse("home"), "/orgs/", reverse("audit_log"), "/api/v1/rules"):
        page = client.get(url)
        assert page.status_code == 302 and page["Location"].startswith(reverse("otp_enrol")), url


def test_the_enrolment_page_offers_no_section_and_fragments_are_sent_to_it(client: Any, users: Any,
                                                                           required: None) -> None:
    sign_in(client, "county_admin")
    body = client.get(reverse("otp_enrol")).content.decode()
    assert 'class="mainnav"' not in body and reverse("todo_nav") not in body  # nothing to reach before the code
    # A fragment HTMX asks for (an old tab's 待办 counts) loads the enrolment page, never draws it inside itself.
    fragment = client.get(reverse("todo_nav"), headers={"HX-Request": "true"})
    assert fragment.status_code == 204 and fragment["HX-Redirect"].startswith(reverse("otp_enrol"))


def test_enrolment_shows_a_qr_code_and_a_first_code_confirms_it(client: Any, users: Any, required: None,
                                                                 no_wait: None) -> None:
    sign_in(client, "county_admin")
    page = client.get(reverse("otp_enrol"), {"next": "/orgs/"})
    body = page.content.decode()
    assert page.status_code == 200 and "<svg" in body and "须使用手机验证器" in body
    device = TOTPDevice.objects.get(user=users.county_admin, confirmed=False)
    assert "otpauth://" not in body  # the secret is in the picture and spelled out once, not left in a link

    wrong = client.post(reverse("otp_enrol"), {"token": "000000", "next": "/orgs/"})
    assert wrong.status_code == 200 and "验证码不正确" in wrong.content.decode()
    done = client.post(reverse("otp_enrol"), {"token": code(device), "next": "/orgs/"})
    assert (done.status_code, done["Location"]) == (302, "/orgs/")
    assert client.get(reverse("home")).status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEvent.objects.filter(action="2fa.enrol", actor=users.county_admin).exists()


def test_an_enrolled_user_enters_a_code_after_the_password(client: Any, users: Any, required: None,
                                                           no_wait: None) -> None:
    device = enrolled(users.county_admin)
    sign_in(client, "county_admin")
    assert client.get(reverse("home"))["Location"].startswith(reverse("otp_verify"))

    wrong = client.post(reverse("otp_verify"), {"token": "123456"})
    assert wrong.status_code == 200 and "验证码不正确" in wrong.content.decode()
    assert AuditEvent.objects.filter(action="login.2fa_failed", actor=users.county_admin).exists()

    response = client.post(reverse("otp_verify"), {"token": code(device), "next": "/orgs/"})
    assert (response.status_code, response["Location"]) == (302, "/orgs/")
    assert client.get(reverse("home")).status_code == 200
    assert AuditEvent.objects.filter(action="login.2fa", actor=users.county_admin).exists()


def test_a_password_alone_cannot_replace_an_enrolled_device(client: Any, users: Any, required: None) -> None:
    enrolled(users.county_admin)
    sign_in(client, "county_admin")
    response = client.get(reverse("otp_enrol"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("otp_verify"))
    assert TOTPDevice.objects.filter(user=users.county_admin).count() == 1


def test_others_may_skip_it(client: Any, users: Any, required: None) -> None:
    assert sign_in(client, "town_admin")["Location"] == "/orgs/"
    assert client.get(reverse("home")).status_code == 200


def test_whoever_enrolled_is_asked_even_when_not_required(client: Any, users: Any) -> None:
    device = enrolled(users.secretary)
    sign_in(client, "secretary")
    assert client.get(reverse("home"))["Location"].startswith(reverse("otp_verify"))
    client.post(reverse("otp_verify"), {"token": code(device)})
    assert client.get(reverse("home")).status_code == 200


def test_off_lets_county_admins_in_with_the_password(client: Any, users: Any, settings: Any) -> None:
    settings.DIANTI_REQUIRE_2FA = False
    assert sign_in(client, "county_admin")["Location"] == "/orgs/"
    assert client.get(reverse("home")).status_code == 200


def test_force_login_in_tests_is_gated_too_when_required(client: Any, users: Any, required: None) -> None:
    client.force_login(users.county_approver)
    assert client.get(reverse("home"))["Location"].startswith(reverse("otp_enrol"))


def test_verification_refuses_an_outside_next(client: Any, users: Any) -> None:
    device = enrolled(users.secretary)
    sign_in(client, "secretary")
    response = client.post(reverse("otp_verify"), {"token": code(device), "next": "https://evil.example/"})
    assert response["Location"] == reverse("home")


def test_repeated_wrong_codes_make_the_user_wait(client: Any, users: Any) -> None:
    device = enrolled(users.secretary)
    sign_in(client, "secretary")
    client.post(reverse("otp_verify"), {"token": "000000"})
    refused = client.post(reverse("otp_verify"), {"token": code(device)})
    assert "错误次数过多" in refused.content.decode()
    assert client.get(reverse("home"))["Location"].startswith(reverse("otp_verify"))


def test_home_offers_the_password_change_and_the_authenticator(client: Any, users: Any) -> None:
    client.force_login(users.secretary)
    page = client.get(reverse("home")).content.decode()
    assert reverse("password_change") in page and reverse("otp_enrol") in page
