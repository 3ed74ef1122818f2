"""Organization endpoints of the API: tree, search and detail (scope itself is proven in test_scope_matrix)."""

from __future__ import annotations

from typing import Any

from dianti.core.tokens import token_create

from .factories import grow


def get(client: Any, user: Any, url: str) -> Any:
    token = token_create(actor=None, user=user, name="测试脚本")
    response = client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200, response.content
    return response.json()


def test_tree_without_root_returns_the_users_top_organizations(client: Any, users: Any) -> None:
    [top] = get(client, users.town_admin, "/api/v1/orgs/tree")
    assert (top["code"], top["name"], top["level"], top["has_children"]) == (
        "330424105", "中共通元镇委员会", "town", True)


def test_tree_of_a_root_lists_children_with_grassroots_counts(client: Any, users: Any) -> None:
    nodes = get(client, users.county_admin, "/api/v1/orgs/tree?root=330424")
    assert [(n["code"], n["parent"], n["grassroots"], n["has_children"]) for n in nodes] == [
        ("330424105", "330424", 3, True), ("330424104", "330424", 1, True)]


def test_detail_has_secretary_and_children(client: Any, users: Any) -> None:
    body = get(client, users.town_admin, "/api/v1/orgs/330424105201")
    assert body["name"] == "中共雪水港村总支部委员会" and body["parent"] == "330424105"
    assert body["kind"] == "general_branch" and body["field"] == "village" and body["depth"] == 3
    assert body["secretary"] == {"name": "张书记", "phone": "13812345678"}
    assert [c["code"] for c in body["children"]] == ["33042410520101"]


def test_detail_of_an_org_without_secretary(client: Any, users: Any) -> None:
    assert get(client, users.county_admin, "/api/v1/orgs/330424104")["secretary"] is None


def test_search_by_name_is_paged_by_limit_and_offset(client: Any, users: Any) -> None:
    found = get(client, users.county_admin, "/api/v1/orgs/search?q=雪水港")
    assert [o["code"] for o in found["items"]] == ["330424105201", "33042410520101"] and found["count"] == 2
    first = get(client, users.county_admin, "/api/v1/orgs/search?q=330424&limit=2")
    second = get(client, users.county_admin, "/api/v1/orgs/search?q=330424&limit=2&offset=2")
    assert len(first["items"]) == len(second["items"]) == 2 and first["count"] > 4
    assert not {o["code"] for o in first["items"]} & {o["code"] for o in second["items"]}
    client.force_login(users.county_admin)
    assert client.get("/api/v1/orgs/search?q=330424&limit=0").status_code == 422


def test_unknown_code_is_404_in_chinese(client: Any, users: Any) -> None:
    client.force_login(users.county_admin)
    response = client.get("/api/v1/orgs/999999")
    assert response.status_code == 404
    assert response.json() == {"detail": "找不到该组织，或您无权查看", "errors": []}


def test_token_use_is_recorded_and_token_creation_audited(client: Any, users: Any) -> None:
    from dianti.core.models import ApiToken, AuditEvent

    get(client, users.county_admin, "/api/v1/orgs/tree")
    token = ApiToken.objects.get(user=users.county_admin)
    assert token.last_used_at is not None
    assert len(token.key_hash) == 64  # only the hash is stored
    assert AuditEvent.objects.filter(action="token.create", target_id=str(token.pk)).exists()


def test_tree_query_count_does_not_grow_with_the_tree(client: Any, tree: Any, users: Any,
                                                      django_assert_max_num_queries: Any) -> None:
    token = token_create(actor=None, user=users.county_admin, name="测试脚本")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    client.get("/api/v1/orgs/330424", **headers)
    with django_assert_max_num_queries(10) as small:
        client.get("/api/v1/orgs/330424", **headers)
    grow(tree.county, towns=8, villages=5)
    with django_assert_max_num_queries(10) as big:
        body = client.get("/api/v1/orgs/330424", **headers).json()
    assert len(body["children"]) == 10
    assert len(big.captured_queries) == len(small.captured_queries)


def test_people_are_searched_in_the_admins_tree_with_whole_phones(client: Any, users: Any, tree: Any) -> None:
    from .factories import PersonFactory

    PersonFactory(organization=tree.village_b1, name="李澉浦", phone="13955556666")
    town = get(client, users.town_admin, "/api/v1/orgs/people?q=5678")
    assert [(p["name"], p["phone"], p["organization"]) for p in town["items"]] == [
        ("张书记", "13812345678", "330424105201")]
    assert get(client, users.town_admin, "/api/v1/orgs/people?q=李澉浦")["count"] == 0
    assert get(client, users.county_admin, "/api/v1/orgs/people?org=330424104")["count"] == 1


def test_a_person_with_their_positions(client: Any, users: Any) -> None:
    from dianti.orgs.models import Person

    person = Person.objects.get(name="张书记")
    body = get(client, users.town_admin, f"/api/v1/orgs/people/{person.pk}")
    assert body["memberships"] == [{"organization": "330424105201", "organization_name": "中共雪水港村总支部委员会",
                                    "position": "secretary", "position_label": "书记", "since": None}]
    client.force_login(users.other_town_admin)
    assert client.get(f"/api/v1/orgs/people/{person.pk}").status_code == 404


def test_members_show_phones_masked_to_those_who_do_not_manage_them(client: Any, users: Any) -> None:
    [member] = get(client, users.county_approver, "/api/v1/orgs/330424105201/members")["items"]
    assert member["person"]["phone"] == "138****5678" and member["position"] == "secretary"
    [member] = get(client, users.town_admin, "/api/v1/orgs/330424105201/members")["items"]
    assert member["person"]["phone"] == "13812345678"


def test_detail_lists_roles_and_points(client: Any, users: Any, tree: Any) -> None:
    from dianti.orgs import services

    services.point_create(actor=None, kind="direct_report", name="雪水港村民情直报点", organization=tree.village_a1,
                          staff=[])
    town = get(client, users.county_admin, "/api/v1/orgs/330424105")
    assert {(r["user"], r["role"]) for r in town["roles"]} == {
        ("通元镇管理员", "town_admin"), ("评议人", "evaluator"), ("直报点联络员", "point_staff")}
    village = get(client, users.county_admin, "/api/v1/orgs/330424105201")
    assert [(p["kind"], p["name"]) for p in village["points"]] == [("direct_report", "雪水港村民情直报点")]
