"""The scope matrix: every named user against every organization, through every page and API endpoint that reads
organizations or people. In scope → 200; out of scope → 404, exactly like a code that does not exist (no existence
leak). Lists (search, people, exports, the API) hold exactly the rows in scope. A role whose work needs no such page
(core/reads.py: evaluators, point staff, secretaries, the public) is refused it outright with 403."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from dianti.core import reads
from dianti.core.tokens import token_create
from dianti.orgs import services

ORG_CODES = {
    "county": "330424", "town_a": "330424105", "village_a1": "330424105201", "village_a1_branch": "33042410520101",
    "village_a2": "330424105202", "town_b": "330424104", "village_b1": "330424104201",
}
TOWN_A = {"town_a", "village_a1", "village_a1_branch", "village_a2"}
TOWN_B = {"town_b", "village_b1"}
#: What each named user may see. Roles cover their organization's whole subtree and nothing else.
VISIBLE: dict[str, set[str]] = {
    "superuser": set(ORG_CODES),
    "county_admin": set(ORG_CODES),
    "town_admin": TOWN_A,
    "evaluator": TOWN_A,
    "point_staff": TOWN_A,
    "other_town_admin": TOWN_B,
    "secretary": {"village_a1", "village_a1_branch"},
    "public": set(),
}
USERS = list(VISIBLE)
TARGETS = ["town_a", "village_a1_branch", "village_a2", "town_b", "village_b1"]
#: One person placed in each organization, named after it.
PERSON = {key: f"人员{key}" for key in ORG_CODES}


@dataclass
class World:
    tree: Any
    users: Any
    people: dict[str, Any]

    def code(self, key: str) -> str:
        return ORG_CODES[key]


@pytest.fixture
def world(tree: Any, users: Any) -> World:
    people = {key: services.person_create(actor=None, name=PERSON[key], organization=getattr(tree, key),
                                          phone=f"1390000{i:04d}")
              for i, key in enumerate(ORG_CODES)}
    return World(tree, users, people)


def as_user(client: Any, world: World, username: str, auth: str) -> dict[str, str]:
    """Authenticate ``client`` as the user by session, or return the bearer-token header for them."""
    user = getattr(world.users, username)
    if auth == "token":
        return {"HTTP_AUTHORIZATION": f"Bearer {token_create(actor=None, user=user, name='test')}"}
    client.force_login(user)
    return {}


Url = Callable[[World, str], str]
PAGES: dict[str, tuple[str, Url]] = {
    "org_detail": ("session", lambda w, t: reverse("org_detail", args=[w.code(t)])),
    "org_children": ("session", lambda w, t: reverse("org_children", args=[w.code(t)])),
    "people_of_org": ("session", lambda w, t: reverse("people_list") + f"?org={w.code(t)}"),
    "people_of_org_xlsx": ("session", lambda w, t: reverse("people_list") + f"?org={w.code(t)}&format=xlsx"),
    "person_detail": ("session", lambda w, t: reverse("person_detail", args=[w.people[t].pk])),
    "api_detail": ("session", lambda w, t: f"/api/v1/orgs/{w.code(t)}"),
    "api_detail_token": ("token", lambda w, t: f"/api/v1/orgs/{w.code(t)}"),
    "api_tree": ("session", lambda w, t: f"/api/v1/orgs/tree?root={w.code(t)}"),
    "api_tree_token": ("token", lambda w, t: f"/api/v1/orgs/tree?root={w.code(t)}"),
}


#: The URL name each page is declared under in core/reads.py.
READ_NAME = {"org_detail": "org_detail", "org_children": "org_children", "people_of_org": "people_list",
             "people_of_org_xlsx": "people_list", "person_detail": "person_detail", "api_detail": "api:detail",
             "api_detail_token": "api:detail", "api_tree": "api:tree", "api_tree_token": "api:tree",
             "org_search": "org_search", "org_export": "org_export", "org_tree": "org_tree", "api_search": "api:search"}


def refused(world: World, username: str, page: str) -> bool:
    """Whether the user's roles may not open ``page`` at all (core/reads.py)."""
    return not reads.may_read(getattr(world.users, username), READ_NAME[page])


@pytest.mark.parametrize("page", list(PAGES))
@pytest.mark.parametrize("username", USERS)
def test_object_pages_answer_404_outside_the_users_subtree(client: Any, world: World, username: str,
                                                           page: str) -> None:
    auth, url = PAGES[page]
    headers = as_user(client, world, username, auth)
    responses = {target: client.get(url(world, target), **headers) for target in TARGETS}
    assert {t: r.status_code for t, r in responses.items()} == {
        t: 403 if refused(world, username, page) else 200 if t in VISIBLE[username] else 404 for t in TARGETS}
    for target, response in responses.items():
        if response.status_code in (403, 404):
            assert PERSON[target] not in response.content.decode()


@pytest.mark.parametrize("page", ["org_detail", "org_children", "people_of_org", "api_detail", "api_tree"])
def test_out_of_scope_answers_exactly_like_a_code_that_does_not_exist(client: Any, world: World, page: str) -> None:
    client.force_login(world.users.town_admin)
    auth, url = PAGES[page]
    hidden = client.get(url(world, "village_b1"))
    missing = client.get(url(world, "town_a").replace(ORG_CODES["town_a"], "999999999"))
    assert hidden.status_code == missing.status_code == 404
    assert without_tokens(hidden) == without_tokens(missing)


def test_person_out_of_scope_answers_like_a_person_that_does_not_exist(client: Any, world: World) -> None:
    client.force_login(world.users.town_admin)
    hidden = client.get(reverse("person_detail", args=[world.people["village_b1"].pk]))
    missing = client.get(reverse("person_detail", args=[10**9]))
    assert hidden.status_code == missing.status_code == 404
    assert without_tokens(hidden) == without_tokens(missing)


def without_tokens(response: Any) -> str:
    """Return the page without its per-request CSRF token."""
    return re.sub(r'"X-CSRFToken": "\w+"|name="csrfmiddlewaretoken" value="\w+"', "", response.content.decode())


def codes_in_html(response: Any) -> set[str]:
    return set(re.findall(r'href="/orgs/(\d+)/"', response.content.decode()))


def sheet_column(response: Any, header: str) -> set[str]:
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    col = rows[0].index(header)
    return {str(r[col]) for r in rows[1:]}


def api_codes(response: Any) -> set[str]:
    assert response.status_code == 200, response.content
    body = response.json()
    return {item["code"] for item in (body["items"] if isinstance(body, dict) else body)}


def visible_codes(username: str) -> set[str]:
    return {ORG_CODES[k] for k in VISIBLE[username]}


def visible_people(username: str) -> set[str]:
    return {PERSON[k] for k in VISIBLE[username]} | ({"张书记"} if "village_a1" in VISIBLE[username] else set())


def hidden_names(username: str) -> list[str]:
    """Return the names and short names of the organizations neither visible to the user nor above them."""
    from dianti.orgs.models import Organization

    shown = {ORG_CODES[k] for k in VISIBLE[username]}
    below = {o.path for o in Organization.objects.filter(code__in=shown)}
    hidden = [o for o in Organization.objects.exclude(code__in=shown) if not any(p.startswith(o.path) for p in below)]
    return [name for o in hidden for name in (o.name, o.short_name) if name]


@pytest.mark.parametrize("username", USERS)
def test_search_page_lists_only_organizations_in_scope(client: Any, world: World, username: str) -> None:
    as_user(client, world, username, "session")
    if refused(world, username, "org_search"):
        assert client.get(reverse("org_search"), {"q": "330424"}).status_code == 403
        return
    for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
        response = client.get(reverse("org_search"), {"q": "330424"}, **headers)
        assert {o.code for o in response.context["results"]} == visible_codes(username)
        html = response.content.decode()
        assert not [name for name in hidden_names(username) if name in html]


@pytest.mark.parametrize("username", USERS)
def test_org_export_holds_only_organizations_in_scope(client: Any, world: World, username: str) -> None:
    as_user(client, world, username, "session")
    if refused(world, username, "org_export"):
        assert client.get(reverse("org_export")).status_code == 403
        return
    assert sheet_column(client.get(reverse("org_export")), "组织编码") == visible_codes(username)
    filtered = client.get(reverse("org_export"), {"q": "村"})
    assert sheet_column(filtered, "组织编码") == {c for c in visible_codes(username) if len(c) > 9}


@pytest.mark.parametrize("username", USERS)
def test_people_list_and_export_hold_only_people_in_scope(client: Any, world: World, username: str) -> None:
    as_user(client, world, username, "session")
    if refused(world, username, "people_of_org"):
        assert client.get(reverse("people_list"), {"format": "xlsx"}).status_code == 403
        return
    page = client.get(reverse("people_list")).content.decode()
    shown = {name for name in [*PERSON.values(), "张书记"] if name in page}
    assert shown == visible_people(username)
    export = client.get(reverse("people_list"), {"format": "xlsx"})
    assert sheet_column(export, "姓名") == visible_people(username)


@pytest.mark.parametrize("auth", ["session", "token"])
@pytest.mark.parametrize("username", USERS)
def test_api_search_and_tree_hold_only_organizations_in_scope(client: Any, world: World, username: str,
                                                              auth: str) -> None:
    headers = as_user(client, world, username, auth)
    if refused(world, username, "api_search"):
        assert client.get("/api/v1/orgs/search?q=330424", **headers).status_code == 403
        assert client.get("/api/v1/orgs/tree", **headers).status_code == 403
        return
    assert api_codes(client.get("/api/v1/orgs/search?q=330424&limit=200", **headers)) == visible_codes(username)
    assert api_codes(client.get("/api/v1/orgs/search?q=村", **headers)) == {
        c for c in visible_codes(username) if len(c) > 9}
    tops = api_codes(client.get("/api/v1/orgs/tree", **headers))
    expected_tops = {"superuser": {"330424"}, "county_admin": {"330424"}, "other_town_admin": {"330424104"},
                     "secretary": {"330424105201"}, "public": set()}.get(username, {"330424105"})
    assert tops == expected_tops


@pytest.mark.parametrize("username", USERS)
def test_tree_page_shows_only_the_users_subtree(client: Any, world: World, username: str) -> None:
    as_user(client, world, username, "session")
    response = client.get(reverse("org_tree"))
    if refused(world, username, "org_tree"):
        assert response.status_code == 403
        return
    assert response.status_code == 200
    assert codes_in_html(response) <= visible_codes(username)
    html = response.content.decode()
    assert not [name for name in hidden_names(username) if name in html]
    if username == "town_admin":
        assert codes_in_html(response) == {"330424105", "330424105201", "330424105202"}


def test_anonymous_visitors_are_sent_to_login_and_refused_by_the_api(client: Any, world: World) -> None:
    for url in (reverse("org_tree"), reverse("org_detail", args=["330424"]), reverse("people_list")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert client.get("/api/v1/orgs/330424").status_code == 401
    assert client.get("/api/v1/orgs/tree", HTTP_AUTHORIZATION="Bearer dt_not-a-token").status_code == 401


def test_token_of_a_deactivated_user_stops_working(client: Any, world: World) -> None:
    headers = as_user(client, world, "county_admin", "token")
    client.logout()
    assert client.get("/api/v1/orgs/330424", **headers).status_code == 200
    world.users.county_admin.is_active = False
    world.users.county_admin.save()
    assert client.get("/api/v1/orgs/330424", **headers).status_code == 401
