"""Organization and people pages: bounded queries whatever the tree size, search, and phone masking."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from dianti.orgs import services
from dianti.orgs.models import Person, Position

from .factories import OrganizationFactory, PersonFactory, grow

#: Session, user, scope, then the page's own reads; generous enough for the layout, small enough to catch N+1.
PAGE_QUERY_BOUND = 15


def queries(client: Any, url: str) -> int:
    client.get(url)  # warm caches (content types, translations) so both measurements count the same things
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def add_members(org: Any, n: int) -> None:
    for person in PersonFactory.create_batch(n, organization=org):
        services.membership_add(actor=None, person=person, organization=org, position=Position.PARTY_MEMBER)


def bigger(tree: Any) -> None:
    """Grow the tree tenfold: more towns, villages, people and members of the measured organizations."""
    grow(tree.county, towns=6, villages=6, people=2)
    grow(tree.town_a, towns=4, villages=5, people=1)
    add_members(tree.town_a, 30)


@pytest.mark.parametrize("page", ["tree", "org_detail_county", "org_detail_town", "children", "people", "search"])
def test_page_query_count_does_not_grow_with_the_tree(client: Any, tree: Any, users: Any, page: str) -> None:
    url = {
        "tree": reverse("org_tree"),
        "org_detail_county": reverse("org_detail", args=["330424"]),
        "org_detail_town": reverse("org_detail", args=["330424105"]),
        "children": reverse("org_children", args=["330424"]),
        "people": reverse("people_list") + "?org=330424",
        "search": reverse("org_search") + "?q=村",
    }[page]
    add_members(tree.town_a, 2)
    client.force_login(users.county_admin)
    small = queries(client, url)
    bigger(tree)
    big = queries(client, url)
    assert big == small, f"{page}: {small} queries on the small tree, {big} on the bigger one"
    assert big <= PAGE_QUERY_BOUND


def test_org_detail_shows_secretary_members_roles_and_children(client: Any, tree: Any, users: Any) -> None:
    member = PersonFactory(organization=tree.village_a1, name="王党员")
    services.membership_add(actor=None, person=member, organization=tree.village_a1, position=Position.PARTY_MEMBER)
    client.force_login(users.town_admin)
    response = client.get(reverse("org_detail", args=["330424105201"]))
    page = response.content.decode()
    assert response.context["org"].secretary.name == "张书记"
    assert [m.person.name for m in response.context["members"]] == ["张书记", "王党员"]  # 书记 first
    assert [g.user.username for g in response.context["roles"]] == ["secretary"]
    assert [n.org.code for n in response.context["children"]] == ["33042410520101"]
    assert "张书记" in page and "王党员" in page and "雪水港村第一党支部" in page


def test_breadcrumbs_stop_at_the_top_of_the_users_scope(client: Any, users: Any) -> None:
    client.force_login(users.town_admin)
    crumbs = client.get(reverse("org_detail", args=["33042410520101"])).context["breadcrumbs"]
    assert [o.code for o in crumbs] == ["330424105", "330424105201"]
    client.force_login(users.county_admin)
    crumbs = client.get(reverse("org_detail", args=["33042410520101"])).context["breadcrumbs"]
    assert [o.code for o in crumbs] == ["330424", "330424105", "330424105201"]


def test_tree_children_count_grassroots_organizations_below_each_child(client: Any, tree: Any, users: Any) -> None:
    client.force_login(users.county_admin)
    nodes = {n.org.code: n for n in client.get(reverse("org_children", args=["330424"])).context["children"]}
    assert (nodes["330424105"].grassroots, nodes["330424104"].grassroots) == (3, 1)
    assert nodes["330424105"].has_children
    leaf = client.get(reverse("org_children", args=["330424105"])).context["children"]
    assert {n.org.code: n.has_children for n in leaf} == {"330424105201": True, "330424105202": False}


def search(client: Any, q: str) -> list[str]:
    return [o.code for o in client.get(reverse("org_search"), {"q": q}).context["results"]]


def test_search_finds_by_name_short_name_and_code_prefix(client: Any, tree: Any, users: Any) -> None:
    OrganizationFactory(parent=tree.town_a, code="330424105F0001", name="中共浙江某紧固件有限公司支部委员会",
                        short_name="红帽紧固件")
    client.force_login(users.county_admin)
    assert search(client, "雪水港") == ["330424105201", "33042410520101"]
    assert search(client, "红帽") == ["330424105F0001"]
    assert search(client, "3304241052") == ["330424105201", "330424105202", "33042410520101"]
    assert search(client, "24105") == []  # codes match by prefix only
    assert search(client, "  ") == []


def test_search_results_are_shallowest_first(client: Any, users: Any) -> None:
    client.force_login(users.county_admin)
    codes = search(client, "330424")
    assert codes[0] == "330424" and codes[-1] == "33042410520101"


def test_people_list_filters_by_name_and_phone_tail(client: Any, tree: Any, users: Any) -> None:
    PersonFactory(organization=tree.village_a2, name="李丰义", phone="13900001234")
    client.force_login(users.town_admin)

    def names(**q: str) -> set[str]:
        return {p.name for p in client.get(reverse("people_list"), q).context["page"]}

    assert names(q="丰义") == {"李丰义"}
    assert names(q="1234") == {"李丰义"}
    assert names(org="330424105202") == {"李丰义"}
    assert names(org="330424105201") == {"张书记"}


# Phone masking ---------------------------------------------------------------------------------------------------

FULL, MASKED = "13812345678", "138****5678"


@pytest.mark.parametrize(("username", "expected"), [
    ("superuser", FULL), ("county_admin", FULL), ("town_admin", FULL), ("county_approver", MASKED),
])
def test_phone_is_whole_only_for_admins_over_the_person(client: Any, users: Any, username: str,
                                                         expected: str) -> None:
    client.force_login(getattr(users, username))
    person = Person.objects.get(name="张书记")
    pages = [client.get(reverse("org_detail", args=["330424105201"])).content.decode()]
    if username != "county_approver":  # the approver reads organizations, not people (core/reads.py)
        pages.append(client.get(reverse("person_detail", args=[person.pk])).content.decode())
    for page in pages:
        assert expected in page
        if expected == MASKED:
            assert FULL not in page
    api = client.get("/api/v1/orgs/330424105201").json()
    assert api["secretary"] == {"name": "张书记", "phone": expected}


def test_people_export_gives_admins_whole_phones(client: Any, users: Any) -> None:
    client.force_login(users.town_admin)
    response = client.get(reverse("people_list"), {"format": "xlsx"})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    phone = rows[0].index("手机号")
    assert [r[phone] for r in rows[1:]] == [FULL]


@pytest.mark.parametrize("username", ["secretary", "evaluator", "point_staff", "county_approver"])
def test_people_are_closed_to_roles_whose_work_needs_no_people_list(client: Any, users: Any, username: str) -> None:
    client.force_login(getattr(users, username))
    person = Person.objects.get(name="张书记")
    for url in (reverse("people_list"), reverse("people_list") + "?format=xlsx",
                reverse("person_detail", args=[person.pk])):
        assert client.get(url).status_code == 403, url


def test_a_view_grant_elsewhere_does_not_unmask_that_towns_phones(client: Any, tree: Any, users: Any) -> None:
    from dianti.orgs.models import Role

    PersonFactory(organization=tree.village_b1, name="澉浦人", phone="13955556666")
    services.role_grant(actor=None, user=users.town_admin, organization=tree.town_b, role=Role.EVALUATOR)
    client.force_login(users.town_admin)
    person = Person.objects.get(name="澉浦人")
    page = client.get(reverse("person_detail", args=[person.pk])).content.decode()
    assert "139****6666" in page and "13955556666" not in page


def test_non_admin_cannot_confirm_a_masked_number_by_searching_it(client: Any, users: Any) -> None:
    client.force_login(users.evaluator)
    assert client.get(reverse("people_list"), {"q": FULL}).status_code == 403  # no people list at all
    client.force_login(users.town_admin)
    assert [p.name for p in client.get(reverse("people_list"), {"q": FULL}).context["page"]] == ["张书记"]


def test_person_page_lists_only_positions_the_viewer_may_see(client: Any, tree: Any, users: Any) -> None:
    person = Person.objects.get(name="张书记")
    services.membership_add(actor=users.county_admin, person=person, organization=tree.village_b1,
                            position=Position.COMMITTEE_MEMBER)
    client.force_login(users.town_admin)
    page = client.get(reverse("person_detail", args=[person.pk])).content.decode()
    assert "中共雪水港村总支部委员会" in page
    assert "中共长墙山村委员会" not in page
    client.force_login(users.county_admin)
    assert "中共长墙山村委员会" in client.get(reverse("person_detail", args=[person.pk])).content.decode()
