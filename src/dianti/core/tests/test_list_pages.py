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

from dianti.campaigns import roster
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
    roster.list_submit(actor=None, campaign=campaign)
    roster.list_approve(actor=None, campaign=campaign)
    return campaign


def _published(world: Any, n: int) -> None:
    for _ in range(n):
        _publish(world, world["tree"].village_a1)


def _published_subjects(world: Any, n: int) -> None:
    """A published list cannot take more subjects: publish a longer one, n subjects longer than the last."""
    world["listed"] = world.get("listed", []) + OrganizationFactory.create_batch(n, parent=world["tree"].town_a)
    world["published"] = _publish(world, *world["listed"])


def _unsorted(world: Any, n: int) -> None:
    """Opinions on the subject's organization that no topic has taken: the workbench's unsorted list."""
    if "subject" not in world:
        world["subject"] = choose(world["campaign"], world["tree"].village_a1)[0]
    _opinions(world, n)


_groups = itertools.count(1)


def _places(world: Any, n: int) -> None:
    """Opinions on the subject's organization, each naming a village group of its own: the workbench by place."""
    if "subject" not in world:
        world["subject"] = choose(world["campaign"], world["tree"].village_a1)[0]
    for _ in range(n):
        i = next(_serial)
        opinion(world["tree"].village_a1, f"{next(_groups)}组的路灯坏了很久没人修（{i}）", who=f"villager-{i}")


def _responsibilities(world: Any, n: int) -> None:
    for _ in range(n):
        campaign_services.responsibility_add(actor=None, organization=world["tree"].village_a1, year=2020,
                                             title=f"责任事项{next(_serial)}")


def _schemes(world: Any, n: int) -> None:
    from dianti.appraisal import services as appraisal_services
    from dianti.appraisal.engine import default_scheme

    for _ in range(n):
        appraisal_services.scheme_save(actor=None, key=f"scheme-{next(_serial)}", data=default_scheme().to_dict(),
                                       organization=world["tree"].town_a)


def _failures(world: Any, n: int) -> None:
    """What a failing subscriber leaves behind (core/events.py records it; written here directly)."""
    from dianti.core.models import EventFailure

    EventFailure.objects.bulk_create(EventFailure(event="test_happened", subscriber="test_sub", error="订阅方出错",
                                                  org_path=world["tree"].village_a1.path) for _ in range(n))


def _meetings(world: Any, n: int) -> None:
    from dianti.meetings.tests.factories import reporting, scheduled

    if "reporting" not in world:
        world["reporting"] = reporting(world["tree"], year=2021)
    campaign = world["reporting"]
    for _ in range(n):
        scheduled(campaign)


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
    "public_campaigns": ListPage(lambda w: reverse("portal_campaigns"), "public", _published),
    "public_town": ListPage(lambda w: reverse("portal_org", args=[w["tree"].town_a.code]), "public", _villages),
    "public_meetings": ListPage(lambda w: reverse("portal_meetings"), "public", _meetings),
    "public_subjects": ListPage(lambda w: reverse("portal_campaign", args=[w["published"].pk]), "public",
                                _published_subjects),
    "api_opinions": ListPage(lambda w: "/api/v1/voices/opinions" + f"?limit={PAGE}", "town_admin", _opinions),
    "api_search": ListPage(lambda w: f"/api/v1/orgs/search?q=测试&limit={PAGE}", "county_admin",
                           _villages),
    "api_campaigns": ListPage(lambda w: f"/api/v1/campaigns?limit={PAGE}", "town_admin",
                              _campaigns),
    "workbench_unsorted": ListPage(lambda w: reverse("voices_workbench", args=[w["subject"].pk]), "town_admin",
                                   _unsorted),
    "workbench_places": ListPage(lambda w: reverse("voices_workbench_places", args=[w["subject"].pk]), "town_admin",
                                 _places),
    "responsibilities": ListPage(lambda w: reverse("responsibility_list", args=[w["tree"].village_a1.code]),
                                 "town_admin", _responsibilities),
    "schemes": ListPage(lambda w: reverse("appraisal_schemes"), "town_admin", _schemes),
    "event_failures": ListPage(lambda w: reverse("event_failures"), "town_admin", _failures),
    "api_meetings": ListPage(lambda w: f"/api/v1/meetings?limit={PAGE}", "town_admin", _meetings),
    "appraisal_campaign_results": ListPage(lambda w: reverse("appraisal_campaign", args=[w["campaign"].pk]),
                                           "town_admin", _subjects),
    "api_people": ListPage(lambda w: f"/api/v1/orgs/people?limit={PAGE}", "county_admin", _people),
    "api_members": ListPage(lambda w: f"/api/v1/orgs/{w['tree'].village_a1.code}/members?limit={PAGE}",
                            "county_admin", lambda w, n: _members(w, n)),
    "api_subjects": ListPage(lambda w: f"/api/v1/campaigns/{w['campaign'].pk}/subjects?limit={PAGE}", "town_admin",
                             _subjects),
    "api_responsibilities": ListPage(lambda w: f"/api/v1/campaigns/responsibilities/{w['tree'].village_a1.code}"
                                     f"?limit={PAGE}", "town_admin", _responsibilities),
    "api_audit": ListPage(lambda w: f"/api/v1/audit?limit={PAGE}", "county_admin", _villages),
    "api_campaign_results": ListPage(lambda w: f"/api/v1/appraisal/campaigns/{w['campaign'].pk}/results?limit={PAGE}",
                                     "town_admin", _subjects),
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



def _page_of(response: Any) -> Page:
    pages = [v for context in response.context for v in context.flatten().values() if isinstance(v, Page)]
    return max(pages, key=lambda p: p.paginator.count)


def test_a_list_longer_than_the_cap_says_cap_plus_and_pages_up_to_the_cap(
        client: Any, world: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pagination, "COUNT_CAP", 2 * PAGE)
    client.force_login(world["users"].county_admin)
    _people(world, 2 * PAGE + 1)  # with the tree's own people, more than the cap
    response = client.get(reverse("people_list") + "?page=9")
    page = _page_of(response)
    assert (page.paginator.capped, page.paginator.count, page.paginator.count_text) == (True, 2 * PAGE + 1, "6+")
    assert page.number == page.paginator.num_pages == 2  # past the cap's last page, the last page
    assert "共 6+ 条" in response.content.decode() and "第 2 页 共" not in response.content.decode()


def test_a_list_as_long_as_the_cap_is_counted_exactly(
        client: Any, world: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pagination, "COUNT_CAP", 2 * PAGE)
    client.force_login(world["users"].town_admin)
    _opinions(world, 2 * PAGE)
    response = client.get(reverse("voices_queue"))
    page = _page_of(response)
    assert (page.paginator.capped, page.paginator.count, page.paginator.count_text) == (False, 2 * PAGE, "6")
    assert "第 1 页 共 2 页" in response.content.decode()
    body = client.get(f"/api/v1/voices/opinions?limit={PAGE}").json()
    assert (body["count"], body["count_capped"]) == (2 * PAGE, False)
    _opinions(world, 1)
    body = client.get(f"/api/v1/voices/opinions?limit={PAGE}").json()
    assert (body["count"], body["count_capped"], len(body["items"])) == (2 * PAGE + 1, True, PAGE)


def test_an_organization_search_finds_a_fragment_of_a_name_or_short_name_and_a_code_prefix(
        client: Any, world: dict[str, Any]) -> None:
    """On PostgreSQL the name match goes through the index of characters and pairs: it must find what LIKE finds."""
    tree = world["tree"]
    OrganizationFactory(parent=tree.town_a, name="中共海盐县通元镇雪水港北村支部委员会", short_name="北港Ab村")
    client.force_login(world["users"].county_admin)

    def found(q: str) -> set[str]:
        body = client.get("/api/v1/orgs/search", {"q": q, "limit": 200}).json()
        return {row["name"] for row in body["items"]}

    assert "中共海盐县通元镇雪水港北村支部委员会" in found("港北") & found("北") & found("雪水港北村") & found("ab")
    assert "中共海盐县通元镇雪水港北村支部委员会" in found("北港AB")  # the short name, any case
    assert "中共海盐县通元镇雪水港北村支部委员会" not in found("港南") | found("北港北")
    assert {tree.village_a1.name} <= found(tree.village_a1.code)


def test_the_home_page_asks_as_many_questions_however_many_lists_wait_for_approval(
        client: Any, world: dict[str, Any], django_assert_max_num_queries: Any) -> None:
    def submit(n: int) -> None:
        for _ in range(n):
            year = next(world["years"])
            campaign = campaign_services.campaign_create(actor=None, convener=world["tree"].town_a, year=year,
                                                         title=f"{year}年度点题述职")
            choose(campaign, world["tree"].village_a1)
            roster.list_submit(actor=None, campaign=campaign)

    client.force_login(world["users"].county_admin)
    submit(1)
    response, small = read(client, reverse("home"), None)
    assert len(response.context["todo"]) >= 1
    submit(3)
    with django_assert_max_num_queries(small):
        response = client.get(reverse("home"))
    assert sum("审批述职对象名单" in str(t.label) for t in response.context["todo"]) == 4
