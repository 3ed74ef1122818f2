"""The public stats endpoint (aggregate counts for a subtree, no personal data) and the API's own description."""

from __future__ import annotations

from typing import Any

import pytest

from dianti.core import stats
from dianti.orgs import services
from dianti.orgs.models import Organization
from dianti.orgs.tests.factories import PersonFactory, grow


def test_stats_count_the_subtree_for_anyone(client: Any, tree: Any, users: Any) -> None:
    PersonFactory(organization=tree.village_b1, is_party_member=False)
    PersonFactory(organization=tree.village_a2)
    response = client.get("/api/v1/stats", {"org": "330424"})
    assert response.status_code == 200
    body = response.json()
    assert body["org"] == "330424" and body["name"] == "中共海盐县委员会"
    # Grassroots organizations only: villages and their branches, not the county or town committees.
    assert (body["organizations"], body["people"], body["party_members"]) == (4, 3, 2)


def test_stats_of_a_town_count_only_that_town(client: Any, tree: Any, users: Any) -> None:
    PersonFactory(organization=tree.village_b1)
    town_a = client.get("/api/v1/stats", {"org": "330424105"}).json()
    town_b = client.get("/api/v1/stats", {"org": "330424104"}).json()
    assert (town_a["organizations"], town_a["people"]) == (3, 1)
    assert (town_b["organizations"], town_b["people"]) == (1, 1)


def test_inactive_organizations_are_not_counted(client: Any, tree: Any) -> None:
    services.org_update(actor=None, org=tree.village_a2, is_active=False)
    assert client.get("/api/v1/stats", {"org": "330424105"}).json()["organizations"] == 2


def test_stats_hold_no_personal_data(client: Any, tree: Any, users: Any) -> None:
    body = client.get("/api/v1/stats", {"org": "330424105201"})
    text = body.content.decode()
    assert "张书记" not in text and "13812345678" not in text and "5678" not in text
    counted = stats.keys()
    assert set(body.json()) == {"org", "name", *counted}
    assert all(isinstance(body.json()[key], int) for key in counted)


def test_unknown_org_code_is_404_in_chinese(client: Any, tree: Any) -> None:
    response = client.get("/api/v1/stats", {"org": "999999"})
    assert response.status_code == 404
    assert response.json() == {"detail": "找不到组织编码“999999”", "errors": []}


def test_stats_without_org_is_a_client_error(client: Any, tree: Any) -> None:
    assert client.get("/api/v1/stats").status_code in (400, 422)


@pytest.mark.parametrize("towns", [1, 6])
def test_stats_query_count_does_not_grow_with_the_tree(client: Any, tree: Any, towns: int,
                                                       django_assert_max_num_queries: Any) -> None:
    grow(tree.county, towns=towns, villages=towns * 2, people=2)
    # One lookup of the organization, then one count per registered key.
    with django_assert_max_num_queries(1 + stats.contributors()):
        response = client.get("/api/v1/stats", {"org": "330424"})
    assert response.json()["organizations"] == 4 + towns * towns * 2
    assert response.json()["people"] == towns * towns * 2 * 2


def test_openapi_schema_lists_the_endpoints(client: Any, users: Any) -> None:
    assert client.get("/api/v1/openapi.json").status_code == 403  # staff only (core/reads.py)
    client.force_login(users.county_admin)
    schema = client.get("/api/v1/openapi.json").json()
    assert {"/api/v1/stats", "/api/v1/orgs/tree", "/api/v1/orgs/search", "/api/v1/orgs/{code}"} <= set(schema["paths"])


def test_stats_counts_follow_an_org_moved_to_another_town(client: Any, tree: Any, users: Any) -> None:
    services.org_update(actor=None, org=tree.village_a1, parent=tree.town_b)
    town_b = client.get("/api/v1/stats", {"org": "330424104"}).json()
    assert (town_b["organizations"], town_b["people"]) == (3, 1)
    assert Organization.objects.subtree(tree.town_a.path).grassroots().count() == 1


def test_docs_api_endpoints_md_is_the_schema_and_the_read_table() -> None:
    from pathlib import Path

    from dianti.core.management.commands.api_endpoints import markdown

    doc = Path(__file__).resolve().parents[4] / "docs" / "api-endpoints.md"
    assert doc.read_text(encoding="utf-8") == markdown(), "run `dianti api_endpoints > docs/api-endpoints.md`"
    assert "未声明" not in markdown()
