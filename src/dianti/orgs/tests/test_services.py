"""Writes to organizations and people: validation, scope checks, moving subtrees and the audit trail."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from dianti.core.models import AuditEvent
from dianti.core.scope import OutOfScope
from dianti.orgs import services
from dianti.orgs.models import Membership, Organization, Person, Position, Role, RoleGrant

from .factories import OrganizationFactory, PersonFactory


def last_event(action: str) -> AuditEvent:
    event = AuditEvent.objects.filter(action=action).order_by("-id").first()
    assert event is not None, f"no audit record for {action}"
    return event


def test_org_create_records_who_made_it_and_every_value(tree: Any, users: Any) -> None:
    org = services.org_create(actor=users.town_admin, code="330424105203", name="中共新村支部委员会",
                              parent=tree.town_a, short_name="新村")
    event = last_event("org.create")
    assert event.actor == users.town_admin
    assert event.actor_name == "通元镇管理员"
    assert (event.target_type, event.target_id) == ("orgs.organization", str(org.pk))
    assert event.org_path == org.path
    assert event.changes["name"] == [None, "中共新村支部委员会"]
    assert event.changes["parent"] == [None, "中共通元镇委员会"]


def test_org_create_places_the_child_under_its_parent(tree: Any) -> None:
    org = OrganizationFactory(parent=tree.village_a2)
    assert org.path.startswith(tree.village_a2.path)
    assert org.depth == tree.village_a2.depth + 1
    assert org in Organization.objects.subtree(tree.town_a.path)


def test_duplicate_code_is_refused_in_chinese(tree: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        services.org_create(actor=None, code="330424105201", name="重复", parent=tree.town_a)
    assert exc.value.message_dict["code"] == ["组织编码“330424105201”已存在"]


def test_org_update_records_old_and_new_values(tree: Any, users: Any) -> None:
    services.org_update(actor=users.town_admin, org=tree.village_a2, name="中共丰义村总支部委员会",
                        kind=Organization.Kind.GENERAL_BRANCH)
    event = last_event("org.update")
    assert event.changes == {"name": ["中共丰义村委员会", "中共丰义村总支部委员会"],
                             "kind": ["committee", "general_branch"]}
    assert event.actor == users.town_admin


def test_org_update_without_a_change_writes_no_audit_record(tree: Any, users: Any) -> None:
    before = AuditEvent.objects.count()
    services.org_update(actor=users.town_admin, org=tree.village_a2, name=tree.village_a2.name)
    assert AuditEvent.objects.count() == before


def test_town_admin_cannot_change_another_towns_organization(tree: Any, users: Any) -> None:
    with pytest.raises(OutOfScope):
        services.org_update(actor=users.town_admin, org=tree.village_b1, name="改名")
    tree.village_b1.refresh_from_db()
    assert tree.village_b1.name == "中共长墙山村委员会"


def test_out_of_scope_write_is_a_404_and_a_permission_denied_for_django(tree: Any, users: Any) -> None:
    # Pages and the API answer it like a missing organization (404, no existence leak); code that catches every
    # refusal (PermissionDenied) still catches it.
    with pytest.raises(Http404):
        services.org_create(actor=users.town_admin, code="X1", name="越权", parent=tree.town_b)
    with pytest.raises(PermissionDenied):
        services.org_create(actor=users.town_admin, code="X1", name="越权", parent=tree.town_b)


def test_what_a_user_sees_but_may_not_manage_is_refused_not_hidden(tree: Any, users: Any) -> None:
    with pytest.raises(PermissionDenied, match="您无权管理") as refused:
        services.org_update(actor=users.county_approver, org=tree.town_a, name="改名")
    assert not isinstance(refused.value, OutOfScope)


def test_only_the_system_or_a_superuser_creates_top_level_organizations(users: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.org_create(actor=users.county_admin, code="330500", name="中共湖州市委员会", parent=None)
    org = services.org_create(actor=users.superuser, code="330500", name="中共湖州市委员会", parent=None)
    assert org.depth == 1


def test_moving_an_organization_moves_its_subtree_and_people(tree: Any, users: Any) -> None:
    person = PersonFactory(organization=tree.village_a1_branch)
    services.org_update(actor=users.county_admin, org=tree.village_a1, parent=tree.town_b)

    va1 = Organization.objects.get(code="330424105201")
    branch = Organization.objects.get(code="33042410520101")
    assert va1.parent == tree.town_b
    assert va1.path.startswith(tree.town_b.path) and va1.depth == 3
    assert branch.path.startswith(va1.path) and branch.depth == 4
    person.refresh_from_db()
    assert person.org_path == branch.path
    secretary = Person.objects.get(name="张书记")
    assert secretary.org_path == va1.path
    assert set(Organization.objects.subtree(tree.town_a.path).values_list("code", flat=True)) == {
        "330424105", "330424105202"}
    event = last_event("org.update")
    assert event.changes["parent"] == ["中共通元镇委员会", "中共澉浦镇委员会"]


def test_moved_subtree_changes_who_may_see_it(tree: Any, users: Any) -> None:
    from dianti.orgs import selectors

    services.org_update(actor=users.county_admin, org=tree.village_a1, parent=tree.town_b)
    assert not selectors.visible_orgs(users.town_admin).filter(code="33042410520101").exists()
    assert selectors.visible_orgs(users.other_town_admin).filter(code="33042410520101").exists()


def test_new_children_of_a_moved_org_do_not_collide(tree: Any, users: Any) -> None:
    services.org_update(actor=users.county_admin, org=tree.village_a1, parent=tree.town_b)
    va1 = Organization.objects.get(code="330424105201")
    child = OrganizationFactory(parent=va1)
    assert child.path.startswith(va1.path)
    assert Organization.objects.filter(path=child.path).count() == 1


@pytest.mark.parametrize("target", ["village_a1", "village_a1_branch"])
def test_cannot_move_an_organization_under_itself_or_its_descendant(tree: Any, users: Any, target: str) -> None:
    with pytest.raises(ValidationError) as exc:
        services.org_update(actor=users.county_admin, org=tree.village_a1, parent=getattr(tree, target))
    assert exc.value.message_dict["parent"] == ["不能把组织移到它自己的下级组织之下"]
    assert Organization.objects.get(code="330424105201").parent == tree.town_a


def test_town_admin_cannot_move_an_organization_into_another_town(tree: Any, users: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.org_update(actor=users.town_admin, org=tree.village_a2, parent=tree.town_b)
    assert Organization.objects.get(code="330424105202").parent == tree.town_a


def test_update_of_a_stale_org_object_keeps_the_child_counter(tree: Any, users: Any) -> None:
    stale = Organization.objects.get(pk=tree.town_a.pk)
    OrganizationFactory(parent=tree.town_a)
    services.org_update(actor=users.town_admin, org=stale, short_name="通元")
    # Had the stale counter been written back, this child would get the previous child's path.
    OrganizationFactory(parent=tree.town_a)
    assert Organization.objects.filter(parent=tree.town_a).count() == 4


@pytest.mark.parametrize("phone", ["12345678901", "1381234567", "138123456789", "abcdefghijk"])
def test_invalid_phone_is_refused_in_chinese(tree: Any, phone: str) -> None:
    with pytest.raises(ValidationError) as exc:
        services.person_create(actor=None, name="王五", organization=tree.village_a2, phone=phone)
    assert exc.value.message_dict["phone"] == ["不是有效的手机号（应为以1开头的11位数字）"]
    assert not Person.objects.filter(name="王五").exists()


def test_phone_is_normalised_before_it_is_stored(tree: Any) -> None:
    person = services.person_create(actor=None, name="王五", organization=tree.village_a2, phone="138-1234 5679")
    assert person.phone == "13812345679"


def test_person_update_records_old_and_new_values_and_refuses_bad_phone(tree: Any, users: Any) -> None:
    person = PersonFactory(organization=tree.village_a2, phone="13900000001")
    services.person_update(actor=users.town_admin, person=person, phone="13900000002", organization=tree.village_a1)
    event = last_event("person.update")
    # The audit log keeps the phone masked: the number itself is stored only encrypted.
    assert event.changes == {"phone": ["139****0001", "139****0002"],
                             "organization": ["中共丰义村委员会", "中共雪水港村总支部委员会"]}
    person.refresh_from_db()
    assert person.org_path == tree.village_a1.path
    with pytest.raises(ValidationError, match="不是有效的手机号"):
        services.person_update(actor=users.town_admin, person=person, phone="110")


def test_town_admin_cannot_move_a_person_into_another_town(tree: Any, users: Any) -> None:
    person = PersonFactory(organization=tree.village_a2)
    with pytest.raises(PermissionDenied):
        services.person_update(actor=users.town_admin, person=person, organization=tree.village_b1)


def test_appointing_a_secretary_sets_the_organizations_secretary(tree: Any, users: Any) -> None:
    person = PersonFactory(organization=tree.village_a2, name="李书记")
    membership = services.membership_add(actor=users.town_admin, person=person, organization=tree.village_a2,
                                         position=Position.SECRETARY)
    assert Organization.objects.get(pk=tree.village_a2.pk).secretary == person
    assert last_event("membership.add").changes == {"position": [None, "书记"]}
    assert last_event("org.update").changes == {"secretary": [None, "李书记"]}

    services.membership_remove(actor=users.town_admin, membership=membership)
    assert Organization.objects.get(pk=tree.village_a2.pk).secretary is None
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_adding_the_same_position_twice_keeps_one_membership(tree: Any) -> None:
    person = PersonFactory(organization=tree.village_a2)
    for _ in range(2):
        services.membership_add(actor=None, person=person, organization=tree.village_a2,
                                position=Position.PARTY_MEMBER)
    assert Membership.objects.filter(person=person).count() == 1
    assert AuditEvent.objects.filter(action="membership.add", target_repr__startswith=person.name).count() == 1


def test_town_admin_cannot_appoint_another_towns_person(tree: Any, users: Any) -> None:
    outsider = PersonFactory(organization=tree.village_b1)
    with pytest.raises(PermissionDenied):
        services.membership_add(actor=users.town_admin, person=outsider, organization=tree.village_a2,
                                position=Position.SECRETARY)
    assert Organization.objects.get(pk=tree.village_a2.pk).secretary is None


def test_role_grant_and_revoke_are_audited_and_scoped(tree: Any, users: Any) -> None:
    grant = services.role_grant(actor=users.town_admin, user=users.public, organization=tree.village_a2,
                                role=Role.EVALUATOR)
    assert last_event("role.grant").changes == {"role": [None, "评议人"]}
    with pytest.raises(PermissionDenied):
        services.role_grant(actor=users.town_admin, user=users.public, organization=tree.town_b, role=Role.EVALUATOR)
    services.role_revoke(actor=users.town_admin, grant=grant)
    assert not RoleGrant.objects.filter(pk=grant.pk).exists()
    assert last_event("role.revoke").changes == {"role": ["评议人", None]}


def test_point_create_copies_the_organization_path(tree: Any, users: Any) -> None:
    staff = PersonFactory(organization=tree.village_a2)
    point = services.point_create(actor=users.town_admin, kind="direct_report", name="丰义村民情直报点",
                                  organization=tree.village_a2, place="丰义村文化礼堂", staff=[staff])
    assert point.org_path == tree.village_a2.path
    assert list(point.staff.all()) == [staff]
    assert last_event("point.create").org_path == tree.village_a2.path


class TestAuditLogIsAppendOnly:
    def test_saving_an_existing_record_is_refused(self, tree: Any) -> None:
        event = AuditEvent.objects.first()
        event.note = "改写"
        with pytest.raises(PermissionError, match="只可追加"):
            event.save()

    def test_deleting_a_record_is_refused(self, tree: Any) -> None:
        with pytest.raises(PermissionError, match="只可追加"):
            AuditEvent.objects.first().delete()

    def test_bulk_update_and_delete_are_refused(self, tree: Any) -> None:
        count = AuditEvent.objects.count()
        with pytest.raises(PermissionError):
            AuditEvent.objects.all().update(note="x")
        with pytest.raises(PermissionError):
            AuditEvent.objects.filter(action="org.create").delete()
        assert AuditEvent.objects.count() == count
        assert not AuditEvent.objects.filter(note="x").exists()

    def test_a_rolled_back_write_leaves_no_record(self, tree: Any, users: Any) -> None:
        count = AuditEvent.objects.count()
        with pytest.raises(ValidationError):
            services.org_update(actor=users.county_admin, org=tree.village_a1, parent=tree.village_a1_branch)
        assert AuditEvent.objects.count() == count


def test_changing_to_a_code_already_in_use_is_refused_in_chinese(tree: Any, users: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        services.org_update(actor=users.town_admin, org=tree.village_a2, code="330424105201")
    assert exc.value.message_dict["code"] == ["组织编码“330424105201”已存在"]
    assert Organization.objects.get(pk=tree.village_a2.pk).code == "330424105202"
