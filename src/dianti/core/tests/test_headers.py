"""Security headers: a Content-Security-Policy with no inline script, Permissions-Policy, cookie flags, and the
request-size cap."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

import dianti

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
TEMPLATES = sorted(Path(dianti.__file__).parent.glob("*/templates/**/*.html"))


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(Path(dianti.__file__).parent)))
def test_no_template_carries_inline_script_or_event_handlers(template: Path) -> None:
    text = template.read_text(encoding="utf-8")
    assert not INLINE_SCRIPT.search(text), "move the script to a static .js file (the CSP forbids inline script)"
    assert not EVENT_HANDLER.search(text), "use a data- attribute and a listener in a static .js file"
    assert "javascript:" not in text


def _assert_strict_page(response: Any) -> None:
    assert response.status_code == 200, response
    policy = response["Content-Security-Policy"]
    script_src = next(d for d in policy.split(";") if d.strip().startswith("script-src")).split()[1:]
    assert script_src == ["'self'"], policy
    assert "object-src 'none'" in policy and "frame-ancestors 'none'" in policy
    style_elem = next(d for d in policy.split(";") if d.strip().startswith("style-src-elem")).split()[1:]
    assert "'unsafe-inline'" not in style_elem, policy  # no injected <style>: CSS selectors could read the page
    assert response["Permissions-Policy"].startswith("camera=()")
    assert "microphone=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]
    html = response.content.decode()
    assert not INLINE_SCRIPT.search(html) and not EVENT_HANDLER.search(html)


STAFF_PAGES = ["home", "org_tree", "campaign_list", "meeting_list", "appraisal_index", "rectification_list",
               "voices_queue", "audit_log"]


@pytest.mark.parametrize("name", STAFF_PAGES)
def test_staff_pages_send_the_strict_policy(client: Any, users: Any, name: str) -> None:
    client.force_login(users.county_admin)
    _assert_strict_page(client.get(reverse(name)))


@pytest.mark.parametrize("name", ["portal_index", "evaluator_enter_form", "voices_track_lookup", "login"])
def test_public_pages_send_the_strict_policy(client: Any, db: Any, name: str) -> None:
    _assert_strict_page(client.get(reverse(name)))


def test_the_qr_opinion_page_sends_the_strict_policy(client: Any, tree: Any) -> None:
    _assert_strict_page(client.get(reverse("voices_public", args=[tree.village_a1.code])))


def test_the_evaluators_pages_send_the_strict_policy(client: Any, users: Any) -> None:
    client.force_login(users.evaluator)
    _assert_strict_page(client.get(reverse("home")))
    _assert_strict_page(client.get(reverse("evaluator_enter_form")))


def test_in_production_every_cookie_is_secure_httponly_and_samesite(client: Any, tree: Any, users: Any,
                                                                     settings: Any) -> None:
    settings.DIANTI_COOKIE_SECURE = True
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = settings.LANGUAGE_COOKIE_SECURE = True
    cookies: dict[str, Any] = {}
    cookies |= client.get(reverse("voices_public", args=[tree.village_a1.code])).cookies  # device id + CSRF
    cookies |= client.post(reverse("login"), {"username": "town_admin", "password": "pw-town_admin"},
                           secure=True).cookies  # session
    cookies |= client.post(reverse("set_language"), {"language": "en", "next": "/"}).cookies
    assert {"dt_dev", "csrftoken", "sessionid", "django_language"} <= set(cookies)
    for name, morsel in cookies.items():
        assert morsel["secure"] and morsel["httponly"] and morsel["samesite"], name


def test_production_sends_hsts(tmp_path: Path) -> None:
    from .test_settings import PRODUCTION
    from .test_settings import dianti as run

    code = ["shell", "-c", "from django.conf import settings as s; print(s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE,"
                           " s.CSRF_COOKIE_SECURE, s.LANGUAGE_COOKIE_SECURE, s.DIANTI_COOKIE_SECURE)"]
    result = run(code, tmp_path, **PRODUCTION)
    assert result.stdout.strip().splitlines()[-1].split() == ["31536000", "True", "True", "True", "True"], result.stderr


def test_a_body_above_the_cap_is_refused_with_a_chinese_413(client: Any, tree: Any, settings: Any) -> None:
    settings.DIANTI_MAX_REQUEST_BYTES = 1024
    response = client.post(reverse("voices_public", args=[tree.village_a1.code]), {"text": "长" * 2000})
    assert response.status_code == 413
    assert "提交的内容太大" in response.content.decode() and "上限" in response.content.decode()
    small = client.post(reverse("voices_public", args=[tree.village_a1.code]), {"text": "短"})
    assert small.status_code == 400  # under the cap: the form answers as before


def test_the_default_caps_are_configured(settings: Any) -> None:
    assert 0 < settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= settings.DIANTI_MAX_REQUEST_BYTES
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= settings.DIANTI_MAX_REQUEST_BYTES


def test_a_number_past_64_bits_in_an_address_finds_nothing_instead_of_failing(users: Any) -> None:
    from django.test import Client

    client = Client()
    client.force_login(users.county_admin)
    assert client.get("/campaigns/99999999999999999999/").status_code == 404
    api = client.get("/api/v1/appraisal/proposals?campaign=99999999999999999999")
    # The API declares its ids' range (ID_MAX): past it the parameter is named, on SQLite and PostgreSQL alike.
    assert api.status_code == 422 and api.json()["errors"] == ["参数 campaign：应不大于 9223372036854775807"]
    path = client.get("/api/v1/campaigns/99999999999999999999")
    # An id in the path: SQLite overflows (404); PostgreSQL finds none (404)
    assert path.status_code == 404 and path.json()["detail"]


@pytest.mark.django_db
def test_a_nul_byte_in_an_address_is_refused_before_it_reaches_the_database() -> None:
    from django.test import Client

    client = Client()
    assert client.get("/v/t/", {"code": "AB\x00CD"}).status_code == 400
    assert client.get("/v/AB%00CD/").status_code == 400
    assert client.get("/r/AB%00/").status_code == 400
