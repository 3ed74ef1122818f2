"""Two ways a page could send a user elsewhere: a ``next=`` pointing off the site, and script or style loaded from a
public CDN (the API docs' Swagger UI did). Neither may happen."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from dianti.voices.models import Topic

OFF_SITE = ["https://evil.example/phish", "//evil.example/", "/\\evil.example/", "javascript:alert(1)",
            "http:evil.example"]


@pytest.fixture
def admin(users):
    client = Client()
    client.force_login(users.county_admin)
    return client


@pytest.mark.parametrize("target", OFF_SITE)
def test_the_opinion_queue_action_never_redirects_off_site(tree, admin, target):
    response = admin.post(reverse("voices_queue_action"), {"action": "nonsense", "next": target})
    assert response.status_code == 302 and response.url == reverse("voices_queue")


@pytest.mark.parametrize("target", OFF_SITE)
def test_the_topic_action_never_redirects_off_site(tree, admin, target):
    topic = Topic.objects.create(organization=tree.village_a1, org_path=tree.village_a1.path, title="路灯")
    response = admin.post(reverse("voices_topic_action", args=[topic.pk]), {"action": "nonsense", "next": target})
    assert response.status_code == 302 and response.url == reverse("voices_queue")


def test_a_next_on_this_site_is_still_followed(tree, admin):
    response = admin.post(reverse("voices_queue_action"), {"action": "nonsense", "next": "/voices/?status=new"})
    assert response.url == "/voices/?status=new"


_EXTERNAL = re.compile(r"""(?:src|href|action)\s*=\s*["']\s*(?:https?:)?//(?!testserver[/:"'])([^/"'\s]+)"""
                       r"""|url\(\s*["']?\s*(?:https?:)?//([^/"')\s]+)""", re.I)


def _external_hosts(html: str) -> set[str]:
    return {a or b for a, b in _EXTERNAL.findall(html)}


def test_the_api_docs_load_nothing_from_another_host(admin):
    response = admin.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert _external_hosts(html) == set() and "cdn" not in html.lower()
    assert "/static/ninja/swagger-ui-bundle.js" in html


def test_the_main_pages_load_nothing_from_another_host(tree, admin):
    public = Client()
    pages = [admin.get(reverse("home")), admin.get(reverse("voices_queue")), admin.get("/audit/"),
             public.get(reverse("login")), public.get(reverse("evaluator_enter_form")),
             public.get(reverse("voices_public", args=[tree.village_a1.code]))]
    for response in pages:
        assert response.status_code in (200, 404)
        assert _external_hosts(response.content.decode()) == set(), response.wsgi_request.path
