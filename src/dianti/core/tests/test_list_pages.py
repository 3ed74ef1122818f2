"""Every list page is paginated and asks the database the same number of questions however long its list is.

Each list below is grown past one page (pages are cut to :data:`PAGE` rows here so a few rows make several
pages), its page is read, the list is grown again by more than a page, and the page must show one page of rows
with a pager and make no more queries than before. Speed is measured by ``dianti bench pages``, never here.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.paginator import Page
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dianti.campaigns import services as campaign_services
from dianti.campaigns.tests.factories import choose
from dianti.core import pagination
from dianti.orgs.tests.factories import OrganizationFactory, PersonFactory
from dianti.voices.tests.factories import opinion

PAGE = 3
_serial = itertools.count()


@dataclass(frozen=True)
class ListPage:
    url: Callable[[Any], str]
    user: str  # a name in the conftest ``users``; "public" reads without logging in
    grow: Callable[[Any, int], None]  # add n rows to the list
    headers: dict[str, str] | None = None


def _villages(world: Any, n: int) -> None:
    OrganizationFactory.create_batch(n, parent=world["tree"].town_a)


def _people(world: Any, n: int) -> None:
    PersonFactory.create_batch(n, organization=world["tree"].village_a1)


def _opinions(world: Any, n: int) -> None:
    for _ in range(n):
        i = next(_serial)
        opinion(world["tree"].village_a1, f"第{i}条意见：村口的路灯坏了很久没人修", who=f"villager-{i}")


def _campaigns(world: Any, n: int) -> None:
    for _ in range(n):
        year = next(world["years"])
        campaign_services.campaign_create(actor=None, convener=world["tree"].town_a, year=year, title=f"{year}年度点题述职")


def _subjects(world: Any, n: int) -> None:
    choose(world["campaign"], *OrganizationFactory.create_batch(n, parent=world["tree"].town_a))


def _publish(world: Any, *orgs: Any) -> Any:
    year = next(world["years"])
    campaign = campaign_services.campaign_create(actor=None, convener=world["tree"].town_a, year=year,
                                                 title=f"{year}年度点题述职")
    choose(campaign, *orgs)
    campaign_services.list_submit(actor=None, campaign=campaign)
    campaign_services.list_approve(actor=None, campaign=campaign)
    return campaign


def _published(world: Any, n: int) -> None:
    for _ in range(n):
        _publish(world, world["tree"].village_a1)


def _published_subjects(world: Any, n: int) -> None:
    """A published list cannot take more subjects: publish a longer one, n subjects longer than the last."""
    world["listed"] = world.get("listed", []) + OrganizationFactory.create_batch(n, parent=world["tree"].town_a)
    world["published"] = _publish(world, *world["listed"])


LISTS: dict[str, ListPage] = {
    "town_children": ListPage(lambda w: reverse("org_children", args=[w["tree"].town_a.code]), "county_admin",
                              _villages, {"HX-Request": "true"}),
    "org_detail_children": ListPage(lambda w: reverse("org_detail", args=[w["tree"].town_a.code]), "county_admin",
                                    _villages),
    "tree_as_town_admin": ListPage(lambda w: reverse("org_tree"), "town_admin", _villages),
    "search": ListPage(lambda w: reverse("org_search") + "?q=测试", "county_admin", _villages),
    "search_partial": ListPage(lambda w: reverse("org_search") + "?q=测试", "county_admin", _villages,
                               {"HX-Request": "true"}),
    "people": ListPage(lambda w: reverse("people_list"), "county_admin", _people),
    "org_members": ListPage(lambda w: reverse("org_detail", args=[w["tree"].village_a1.code]), "county_admin",
                            lambda w, n: _members(w, n)),
    "audit": ListPage(lambda w: reverse("audit_log"), "county_admin", _villages),
    "opinions": ListPage(lambda w: reverse("voices_queue"), "town_admin", _opinions),
    "campaigns": ListPage(lambda w: reverse("campaign_list"), "town_admin", _campaigns),
    "campaign_subjects": ListPage(lambda w: reverse("campaign_detail", args=[w["campaign"].pk]), "town_admin",
                                  _subjects),
    "public_campaigns": ListPage(lambda w: reverse("portal_index"), "public", _published),
    "public_subjects": ListPage(lambda w: reverse("portal_campaign", args=[w["published"].pk]), "public",
                                _published_subjects),
    "api_opinions": ListPage(lambda w: "/api/v1/voices/opinions" + f"?limit={PAGE}", "town_admin", _opinions),
    "api_search": ListPage(lambda w: f"/api/v1/orgs/search?q=测试&limit={PAGE}", "county_admin",
                           _villages),
    "api_campaigns": ListPage(lambda w: f"/api/v1/campaigns?limit={PAGE}", "town_admin",
                              _campaigns),
}


def _members(world: Any, n: int) -> None:
    from dianti.orgs import services
    from dianti.orgs.models import Position

    village = world["tree"].village_a1
    for person in PersonFactory.create_batch(n, organization=village):
        services.membership_add(actor=None, person=person, organization=village, position=Position.PARTY_MEMBER)


@pytest.fixture
def world(tree: Any, users: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setattr(pagination, "PER_PAGE", PAGE)
    campaign = campaign_services.campaign_create(actor=None, convener=tree.town_a, year=2020, title="通元镇2020年度")
    return {"tree": tree, "users": users, "campaign": campaign, "years": itertools.count(2030)}


def shown(response: Any) -> tuple[int, int]:
    """Return (rows on this page, rows in the whole list) of a list page or an API list."""
    if response["Content-Type"].startswith("application/json"):
        body = response.json()
        return len(body["items"]), body["count"]
    pages = [v for context in response.context for v in context.flatten().values() if isinstance(v, Page)]
    assert pages, "the page hands its template no Page: the list is not paginated"
    page = max(pages, key=lambda p: p.paginator.count)
    return len(page.object_list), page.paginator.count


def read(client: Any, url: str, headers: dict[str, str] | None) -> tuple[Any, int]:
    client.get(url, headers=headers or {})  # warm the per-process caches (content types, translations)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, headers=headers or {})
    assert response.status_code == 200, response.content[:500]
    return response, len(ctx.captured_queries)


@pytest.mark.parametrize("name", list(LISTS))
def test_a_list_page_shows_one_page_and_its_queries_do_not_grow_with_the_list(
        client: Any, world: dict[str, Any], name: str, django_assert_max_num_queries: Any) -> None:
    spec = LISTS[name]
    if spec.user != "public":
        client.force_login(getattr(world["users"], spec.user))
    spec.grow(world, PAGE + 1)
    response, small = read(client, spec.url(world), spec.headers)
    rows, total = shown(response)
    assert rows == PAGE and total > PAGE, f"{name}: {rows} rows shown of {total}"
    if not response["Content-Type"].startswith("application/json"):
        assert "下一页" in response.content.decode(), f"{name}: no pager"
    spec.grow(world, 2 * PAGE + 1)
    client.get(spec.url(world), headers=spec.headers or {})
    with django_assert_max_num_queries(small):
        response = client.get(spec.url(world), headers=spec.headers or {})
    rows, bigger = shown(response)
    assert rows == PAGE and bigger >= total + 2 * PAGE + 1, f"{name}: {rows} rows shown of {bigger}"

