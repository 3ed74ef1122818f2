"""The Django admin is scoped like the rest of the site: lists hold only the user's subtree, another town's objects
cannot be opened or changed, and every change goes through the services (so it is audited)."""

from __future__ import annotations

from typing import Any

import pytest

from dianti.core.models import AuditEvent
from dianti.orgs import services
from dianti.orgs.models import Organization, Person

ADMINS = ["superuser", "county_admin", "town_admin", "other_town_admin"]
NOT_ADMINS = ["secretary", "evaluator", "point_staff", "public"]
TOWN_A = {"330424105", "330424105201", "33042410520101", "330424105202"}
TOWN_B = {"330424104", "330424104201"}
ALL = TOWN_A | TOWN_B | {"330424"}
ADMIN_VISIBLE = {"superuser": ALL, "county_admin": ALL, "town_admin": TOWN_A, "other_town_admin": TOWN_B}


def change_url(obj: Any) -> str:
    return f"/admin/{obj._meta.app_label}/{obj._meta.model_name}/{obj.pk}/change/"


def org_form(org: Organization, **changes: Any) -> dict[str, Any]:
    data = {"code": org.code, "name": org.name, "short_name": org.short_name, "kind": org.kind, "level": org.level,
            "field": org.field, "parent": org.parent_id or "", "secretary": org.secretary_id or "",
            "is_active": "on" if org.is_active else ""}
    data.update(changes)
    return data


def person_form(person: Person, **changes: Any) -> dict[str, Any]:
    data = {"name": person.name, "gender": person.gender, "phone": person.phone,
            "is_party_member": "on" if person.is_party_member else "", "organization": person.organization_id}
    data.update(changes)
    return data


@pytest.fixture
def outsider(tree: Any) -> Person:
    return services.person_create(actor=None, name="澉浦村民", organization=tree.village_b1, phone="13900001111")


@pytest.mark.parametrize("username", ADMINS)
def test_org_changelist_holds_only_the_admins_subtree(client: Any, users: Any, username: str) -> None:
    client.force_login(getattr(users, username))
    response = client.get("/admin/orgs/organization/")
    assert response.status_code == 200
    assert {o.code for o in response.context["cl"].result_list} == ADMIN_VISIBLE[username]


@pytest.mark.parametrize("username", ADMINS)
def test_person_and_audit_changelists_hold_only_the_admins_subtree(client: Any, users: Any, outsider: Person,
                                                                  username: str) -> None:
    client.force_login(getattr(users, username))
    people = {p.name for p in client.get("/admin/orgs/person/").context["cl"].result_list}
    assert ("澉浦村民" in people) == (username != "town_admin")
    assert ("张书记" in people) == (username != "other_town_admin")
    events = client.get("/admin/core/auditevent/").context["cl"].result_list
    codes = {o.code for o in Organization.objects.all() if any(e.org_path == o.path for e in events)}
    assert codes and codes <= ADMIN_VISIBLE[username]


@pytest.mark.parametrize("username", NOT_ADMINS)
def test_users_without_an_admin_role_cannot_enter_the_admin(client: Any, users: Any, username: str) -> None:
    user = getattr(users, username)
    user.is_staff = True  # even with the staff flag, no admin role means no admin pages
    user.save()
    client.force_login(user)
    assert client.get("/admin/orgs/organization/").status_code == 403
    assert client.get(change_url(users.secretary.person.organization)).status_code in (302, 403)


@pytest.mark.parametrize("model", ["org", "person"])
def test_town_admin_cannot_open_another_towns_object(client: Any, tree: Any, users: Any, outsider: Person,
                                                     model: str) -> None:
    client.force_login(users.town_admin)
    obj = tree.village_b1 if model == "org" else outsider
    hidden = client.get(change_url(obj))
    missing = client.get(change_url(obj).replace(f"/{obj.pk}/", "/987654/"))
    assert hidden.status_code != 200
    # The same answer as for an object that does not exist: no hint that it is there.
    assert (hidden.status_code, hidden.get("Location")) == (missing.status_code, missing.get("Location"))
    assert obj.name not in hidden.content.decode()


def test_town_admin_post_to_another_towns_org_changes_nothing(client: Any, tree: Any, users: Any) -> None:
    client.force_login(users.town_admin)
    events = AuditEvent.objects.count()
    response = client.post(change_url(tree.village_b1), org_form(tree.village_b1, name="被篡改的名称"))
    assert response.status_code != 200
    assert Organization.objects.get(pk=tree.village_b1.pk).name == "中共长墙山村委员会"
    assert AuditEvent.objects.count() == events


def test_town_admin_post_to_another_towns_person_changes_nothing(client: Any, users: Any, outsider: Person) -> None:
    client.force_login(users.town_admin)
    client.post(change_url(outsider), person_form(outsider, phone="13700000000"))
    outsider.refresh_from_db()
    assert outsider.phone == "13900001111"


def test_town_admin_cannot_move_own_org_into_another_town(client: Any, tree: Any, users: Any) -> None:
    client.force_login(users.town_admin)
    response = client.post(change_url(tree.village_a2), org_form(tree.village_a2, parent=tree.town_b.pk))
    assert response.status_code == 200  # the form again, with an error on 上级组织
    assert "parent" in response.context["adminform"].form.errors
    assert Organization.objects.get(pk=tree.village_a2.pk).parent == tree.town_a


def test_town_admin_cannot_add_an_org_under_another_town(client: Any, tree: Any, users: Any) -> None:
    client.force_login(users.town_admin)
    response = client.post("/admin/orgs/organization/add/",
                           org_form(Organization(code="330424104299", name="越权新建", kind="branch",
                                                 level="grassroots", field="village"), parent=tree.town_b.pk))
    assert response.status_code == 200
    assert "parent" in response.context["adminform"].form.errors
    assert not Organization.objects.filter(code="330424104299").exists()


def test_town_admin_cannot_add_a_top_level_org(client: Any, users: Any) -> None:
    client.force_login(users.town_admin)
    response = client.post("/admin/orgs/organization/add/",
                           org_form(Organization(code="X001", name="顶级组织", kind="committee", level="county",
                                                 field="committee")))
    assert response.status_code in (200, 403)
    if response.status_code == 200:
        assert "parent" in response.context["adminform"].form.errors
    assert not Organization.objects.filter(code="X001").exists()


def test_admin_change_goes_through_the_service_and_is_audited(client: Any, tree: Any, users: Any) -> None:
    client.force_login(users.town_admin)
    response = client.post(change_url(tree.village_a2), org_form(tree.village_a2, short_name="丰义"))
    assert response.status_code == 302
    assert Organization.objects.get(pk=tree.village_a2.pk).short_name == "丰义"
    event = AuditEvent.objects.filter(action="org.update").latest("id")
    assert event.actor == users.town_admin
    assert event.changes == {"short_name": ["丰义村", "丰义"]}


def test_admin_move_moves_the_subtree(client: Any, tree: Any, users: Any) -> None:
    client.force_login(users.county_admin)
    response = client.post(change_url(tree.village_a1), org_form(tree.village_a1, parent=tree.town_b.pk))
    assert response.status_code == 302
    branch = Organization.objects.get(code="33042410520101")
    assert branch.path.startswith(tree.town_b.path)
    assert Person.objects.get(name="张书记").org_path.startswith(tree.town_b.path)


def test_admin_refuses_moving_an_org_under_its_own_descendant_with_a_form_error(client: Any, tree: Any,
                                                                                 users: Any) -> None:
    client.force_login(users.county_admin)
    response = client.post(change_url(tree.village_a1),
                           org_form(tree.village_a1, parent=tree.village_a1_branch.pk))
    assert response.status_code == 200
    assert "不能把组织移到它自己的下级组织之下" in str(response.context["adminform"].form.errors)
    assert Organization.objects.get(pk=tree.village_a1.pk).parent == tree.town_a


def test_admin_add_person_goes_through_the_service(client: Any, tree: Any, users: Any) -> None:
    client.force_login(users.town_admin)
    response = client.post("/admin/orgs/person/add/", {"name": "新党员", "gender": "F", "phone": "13655556666",
                                                       "is_party_member": "on", "organization": tree.village_a2.pk})
    assert response.status_code == 302
    person = Person.objects.get(name="新党员")
    assert person.org_path == tree.village_a2.path
    assert AuditEvent.objects.filter(action="person.create", target_id=str(person.pk), actor=users.town_admin).exists()


def test_admin_refuses_an_invalid_phone_with_a_form_error(client: Any, tree: Any, users: Any) -> None:
    client.force_login(users.town_admin)
    person = Person.objects.get(name="张书记")
    response = client.post(change_url(person), person_form(person, phone="12345"))
    assert response.status_code == 200
    assert "不是有效的手机号" in str(response.context["adminform"].form.errors)
    person.refresh_from_db()
    assert person.phone == "13812345678"


def test_parent_autocomplete_offers_only_the_admins_subtree(client: Any, users: Any) -> None:
    client.force_login(users.town_admin)
    response = client.get("/admin/autocomplete/", {"app_label": "orgs", "model_name": "organization",
                                                   "field_name": "parent", "term": ""})
    assert response.status_code == 200
    offered = {item["text"] for item in response.json()["results"]}
    assert offered == set(Organization.objects.filter(code__in=TOWN_A).values_list("name", flat=True))


@pytest.mark.parametrize("model", ["membership", "rolegrant", "contactpoint", "auditevent"])
def test_read_only_models_cannot_be_added_or_changed_in_the_admin(client: Any, users: Any, model: str) -> None:
    client.force_login(users.county_admin)
    app = "core" if model == "auditevent" else "orgs"
    assert client.get(f"/admin/{app}/{model}/").status_code == 200
    assert client.get(f"/admin/{app}/{model}/add/").status_code == 403


def test_audit_records_cannot_be_changed_through_the_admin(client: Any, users: Any) -> None:
    client.force_login(users.superuser)
    event = AuditEvent.objects.filter(action="org.create").first()
    client.post(change_url(event), {"note": "改写", "action": "x"})
    assert AuditEvent.objects.get(pk=event.pk).note == ""


def test_town_admin_can_edit_own_town_whose_parent_is_above_their_scope(client: Any, tree: Any, users: Any) -> None:
    client.force_login(users.town_admin)
    assert "中共海盐县委员会" in client.get(change_url(tree.town_a)).content.decode()  # current parent shown
    response = client.post(change_url(tree.town_a), org_form(tree.town_a, short_name="通元"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    town = Organization.objects.get(pk=tree.town_a.pk)
    assert (town.short_name, town.parent) == ("通元", tree.county)


def test_town_admin_cannot_set_a_parent_above_their_scope_on_another_org(client: Any, tree: Any, users: Any) -> None:
    client.force_login(users.town_admin)
    response = client.post(change_url(tree.village_a2), org_form(tree.village_a2, parent=tree.county.pk))
    assert response.status_code == 200
    assert "parent" in response.context["adminform"].form.errors
    assert Organization.objects.get(pk=tree.village_a2.pk).parent == tree.town_a


def test_view_only_grant_does_not_show_whole_phones_in_the_admin(client: Any, tree: Any, users: Any,
                                                                 outsider: Person) -> None:
    from dianti.orgs.models import Role

    services.role_grant(actor=None, user=users.town_admin, organization=tree.town_b, role=Role.EVALUATOR)
    client.force_login(users.town_admin)
    assert "澉浦村民" not in {p.name for p in client.get("/admin/orgs/person/").context["cl"].result_list}
    assert "13900001111" not in client.get(change_url(outsider)).content.decode()


def test_town_admin_adds_an_org_in_own_town_through_the_service(client: Any, tree: Any, users: Any) -> None:
    client.force_login(users.town_admin)
    response = client.post("/admin/orgs/organization/add/",
                           org_form(Organization(code="330424105209", name="中共新星村委员会", kind="committee",
                                                 level="grassroots", field="village"), parent=tree.town_a.pk))
    assert response.status_code == 302
    org = Organization.objects.get(code="330424105209")
    assert org.path.startswith(tree.town_a.path) and org.depth == 3
    assert AuditEvent.objects.filter(action="org.create", target_id=str(org.pk), actor=users.town_admin).exists()
