"""The read matrix: every URL pattern and every API operation, for every named role, answers as core/reads.py
declares — a page a role may not read is refused (403, or the sign-in page for a visitor), a page it may read is not.

The URLs come from the resolver and the operations from the OpenAPI schema, so a new URL is covered the day it is
added: without a row in ``reads.READS`` it fails :func:`test_every_url_and_api_operation_is_declared`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from dianti.core import reads

ROLES = ["anonymous", "public", "evaluator", "point_staff", "secretary", "town_admin", "other_town_admin",
         "county_admin", "county_approver"]
DENIED_REASON = "无权查看此内容"


@dataclass(frozen=True)
class Route:
    name: str  # namespace:name as reads.READS keys it
    pattern: str
    params: tuple[str, ...]


def _walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> list[Route]:
    out: list[Route] = []
    for p in patterns:
        if isinstance(p, URLResolver):
            out += _walk(p.url_patterns, prefix + str(p.pattern), p.namespace or namespace)
        elif isinstance(p, URLPattern) and p.name:
            full = prefix + str(p.pattern)
            out.append(Route(f"{namespace}:{p.name}" if namespace else p.name, full,
                             tuple(re.findall(r"<(?:\w+:)?(\w+)>", full))))
    return out


def routes() -> list[Route]:
    return [r for r in _walk(get_resolver().url_patterns) if not r.name.startswith("admin:")]


def api_operations() -> list[tuple[str, str, str]]:
    """Return (method, path, url name) for every operation of the OpenAPI schema."""
    from dianti.api import api

    names = {re.sub(r"<\w+:(\w+)>", r"<\1>", r.pattern.removeprefix("api/v1/")): r.name
             for r in reversed(routes()) if r.name.startswith("api:")}  # a path's first name wins
    out = []
    for path, operations in api.get_openapi_schema()["paths"].items():
        django_path = re.sub(r"\{(\w+)\}", r"<\1>", path.removeprefix("/api/v1/"))
        for method in operations:
            out.append((method.upper(), path, names[django_path]))
    return out


def test_every_url_and_api_operation_is_declared() -> None:
    named = {r.name for r in routes()} | {n for _, _, n in api_operations()}
    missing = sorted(named - set(reads.READS))
    assert not missing, f"declare who may read these in core/reads.py: {missing}"


def test_the_table_names_only_urls_that_exist() -> None:
    stale = sorted(set(reads.READS) - {r.name for r in routes()})
    assert not stale, f"core/reads.py names URLs that no longer exist: {stale}"


# ── the world every URL is opened in: town A's campaign with a closed meeting, a case, an opinion, a point ───────

@pytest.fixture
def world(tree: Any, users: Any) -> dict[str, Any]:
    from dianti.appraisal.tests.factories import HAND, closed
    from dianti.orgs import services as org_services
    from dianti.orgs.models import Person
    from dianti.rectification.models import State
    from dianti.rectification.tests.factories import case_in, rectification_campaign
    from dianti.voices.tests.factories import opinion

    done = closed(tree, HAND)
    rect = rectification_campaign(tree, year=2021)
    case = case_in(State.IN_PROGRESS, rect.subjects.get(organization=tree.village_a1), actor=None,
                   secretary=users.secretary)
    staff = org_services.person_create(actor=None, name="联络员", organization=tree.town_a)
    staff.user = users.point_staff
    staff.save(update_fields=["user"])
    point = org_services.point_create(actor=None, kind="direct_report", name="雪水港村民情直报点",
                                      organization=tree.village_a1, staff=[staff])
    op = opinion(tree.village_a1, "村口的路灯坏了好几个月，晚上很黑")
    item = done.meeting.agenda.get(subject=done.va1)
    return {
        "tree": tree, "campaign": done.campaign, "meeting": done.meeting, "va1": done.va1, "item": item,
        "case": case, "rect": rect, "point": point, "opinion": op,
        "person": Person.objects.get(name="张书记"), "measure": case.measures.first(),
    }


def _args(route: Route, w: dict[str, Any]) -> dict[str, Any]:
    """Return real identifiers for ``route``'s parameters, chosen by what the URL is about."""
    tree, name = w["tree"], route.name
    by_name: dict[str, Any] = {
        "campaign_id": w["rect"].pk if name.startswith("rectification") else w["campaign"].pk,
        "sid": w["va1"].pk, "subject_id": w["va1"].pk if not name.startswith("rectification") else
        w["case"].subject_id, "meeting_id": w["meeting"].pk, "case_id": w["case"].pk, "item_id": w["item"].pk,
        "measure_id": w["measure"].pk if w["measure"] else 999999, "key": w["meeting"].public_key,
        "qid": 999999, "proposal_id": 999999, "scan_id": 999999, "serial": 1, "year": 2020, "fmt": "docx", "kind": "opinion",
        "person_id": w["person"].pk, "opinion_id": w["opinion"].pk, "job_id": 999999, "topic_id": 999999,
        "question_id": 999999, "batch": "0" * 32, "outbound_id": 999999, "channel": "sms_aliyun", "token": "not-the-token",
        # Acts are opened with a verb they do not know: the matrix reads, it never decides anything.
        "action": "nope", "name": "nope", "decision": "nope",
        "code": tree.village_a1.code,
    }
    pk = {"campaign": w["campaign"].pk, "portal": w["campaign"].pk, "subject": w["campaign"].pk,
          "meeting": w["meeting"].pk, "appraisal_campaign": w["campaign"].pk, "appraisal_meeting": w["meeting"].pk,
          "appraisal_subject": w["va1"].pk, "appraisal_withdraw": w["va1"].pk, "person": w["person"].pk,
          "rectification": w["case"].pk, "voices_point": w["point"].pk, "voices_support": w["opinion"].pk}
    out = {}
    for param in route.params:
        if param == "pk":
            out[param] = next((v for prefix, v in sorted(pk.items(), key=lambda kv: -len(kv[0]))
                               if name.startswith(prefix)), 999999)
        elif param == "code" and name in ("voices_track", "rectification_observe"):
            out[param] = w["opinion"].tracking_code
        elif param == "code" and name == "evaluator_enter":
            out[param] = "ABCDE-23456"
        elif param == "kind" and name == "org_import_template":
            out[param] = "orgs"
        elif param == "name" and name == "meeting_action":
            out[param] = "current"
        else:
            out[param] = by_name[param]
    return out


def _client(users: Any, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(getattr(users, role))
    return client


def _refused_by_read_rule(response: Any) -> bool:
    if response.status_code in (302, 301) and response.url.startswith(reverse("login")):
        return True
    if response.status_code == 401:
        return True
    if response.status_code != 403:
        return False
    if response.get("Content-Type", "").startswith("application/json"):
        return DENIED_REASON in response.json().get("detail", "")
    return DENIED_REASON in response.content.decode(errors="replace")


def test_every_url_answers_each_role_as_declared(world: dict[str, Any], users: Any) -> None:
    from dianti.api import api  # noqa: F401  (the API's routes are registered)

    api_methods: dict[str, str] = {}
    for method, _, name in api_operations():  # a path's GET when it has one: the matrix reads, it decides nothing
        api_methods.setdefault(name, method)
    wrong: list[str] = []
    for role in ROLES:
        client = _client(users, role)
        user = None if role == "anonymous" else getattr(users, role)
        for route in routes():
            url = reverse(route.name, kwargs=_args(route, world))
            method = api_methods.get(route.name, "GET")
            if method in ("POST", "PUT", "PATCH", "DELETE"):
                response = client.generic(method, url, "{}", content_type="application/json")
            else:
                response = client.get(url)
            assert response.status_code < 500, f"{role} {method} {url}: {response.status_code}"
            allowed = reads.may_read(user, route.name)
            refused = _refused_by_read_rule(response)
            if allowed == refused:
                wrong.append(f"{role:>16} {method} {url} → {response.status_code} (declared "
                             f"{'allowed' if allowed else 'refused'})")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("role", ["evaluator", "point_staff"])
def test_evaluators_and_point_staff_get_no_minutes_scores_or_people(world: dict[str, Any], users: Any,
                                                                    role: str) -> None:
    client = _client(users, role)
    meeting, campaign = world["meeting"], world["campaign"]
    for url in [reverse("meeting_minutes", args=[meeting.pk]), reverse("people_list"),
                reverse("appraisal_campaign_export", args=[campaign.pk]),
                reverse("appraisal_meeting", args=[meeting.pk]),
                f"/api/v1/meetings/{meeting.pk}/results", f"/api/v1/appraisal/campaigns/{campaign.pk}/results",
                f"/api/v1/appraisal/subjects/{world['va1'].pk}/result", "/api/v1/orgs/tree"]:
        response = client.get(url)
        assert response.status_code == 403, (url, response.status_code)


def test_a_token_script_is_held_to_the_same_table(world: dict[str, Any], users: Any) -> None:
    from dianti.core.tokens import token_create

    token = token_create(actor=None, user=users.evaluator, name="script")
    response = Client().get(f"/api/v1/meetings/{world['meeting'].pk}/results", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 403 and DENIED_REASON in response.json()["detail"]


def test_point_staff_read_only_the_opinions_their_points_serve(world: dict[str, Any], users: Any) -> None:
    from dianti.voices.tests.factories import opinion

    tree = world["tree"]
    elsewhere = opinion(tree.village_a2, "丰义村的垃圾没人清运，臭气熏天")
    client = _client(users, "point_staff")
    ids = {row["id"] for row in client.get("/api/v1/voices/opinions").json()["items"]}
    assert world["opinion"].pk in ids and elsewhere.pk not in ids
    assert _client(users, "town_admin").get("/api/v1/voices/opinions").status_code == 200


@pytest.mark.parametrize("role", ["public", "evaluator", "point_staff", "secretary", "county_approver", "town_admin"])
def test_the_home_page_links_only_to_pages_the_role_may_read(world: dict[str, Any], users: Any, role: str) -> None:
    client = _client(users, role)
    html = client.get(reverse("home")).content.decode()
    links = set(re.findall(r'href="(/[^"#]*)"', html)) - {reverse("logout")}
    refused = [url for url in sorted(links) if not url.startswith(("/static/", "/admin/"))
               and client.get(url).status_code == 403]
    assert not refused, refused


def test_only_a_view_that_says_so_is_exempt_from_the_read_table(rf: Any) -> None:
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpResponse
    from django.urls import ResolverMatch

    def view(request: Any) -> HttpResponse:
        return HttpResponse("ok")

    middleware = reads.ReadRulesMiddleware(lambda request: HttpResponse("ok"))
    request = rf.get("/somewhere/")
    request.user = AnonymousUser()
    request.resolver_match = ResolverMatch(view, (), {}, url_name=None)
    assert middleware.process_view(request, view, (), {}) is not None  # undeclared: to the login page
    view.reads_exempt = True  # type: ignore[attr-defined]
    assert middleware.process_view(request, view, (), {}) is None
