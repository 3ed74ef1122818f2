"""Writes to organizations, people, positions, role grants and points. Each validates, writes in one transaction,
and appends an audit record; nothing else saves these models."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr

from dianti.core import audit, paths, scope

from .models import ContactPoint, Membership, Organization, Person, Position, RoleGrant, mask_phone
from .permissions import ensure_can_manage

ORG_FIELDS = ("code", "name", "short_name", "kind", "level", "field", "parent", "secretary", "is_active")
PERSON_FIELDS = ("name", "gender", "phone", "is_party_member", "organization")
PHONE_RE = re.compile(r"^1[3-9]\d{9}$")


def validate_phone(phone: str) -> str:
    phone = phone.strip().replace(" ", "").replace("-", "")
    if phone and not PHONE_RE.match(phone):
        raise ValidationError({"phone": "不是有效的手机号（应为以1开头的11位数字）"})
    return phone


def _allocate_path(parent: Organization | None) -> str:
    if parent is None:
        n = Organization.objects.filter(parent__isnull=True).count() + 1
        while Organization.objects.filter(path=paths.child_path("", n)).exists():
            n += 1
        return paths.child_path("", n)
    Organization.objects.filter(pk=parent.pk).update(child_counter=F("child_counter") + 1)
    parent.refresh_from_db(fields=["child_counter"])
    return paths.child_path(parent.path, parent.child_counter)


@transaction.atomic
def org_create(*, actor: Any, code: str, name: str, parent: Organization | None, **fields: Any) -> Organization:
    """Create an organization under ``parent`` (None for a top-level one)."""
    ensure_can_manage(actor, parent)
    code = code.strip()
    if Organization.objects.filter(code=code).exists():
        raise ValidationError({"code": f"组织编码“{code}”已存在"})
    org = Organization(code=code, name=name.strip(), parent=parent, **fields)
    org.path = _allocate_path(parent)
    org.depth = paths.depth(org.path)
    org.full_clean()
    org.save()
    audit.record(actor=actor, action="org.create", target=org, org_path=org.path,
                 changes={k: [None, v] for k, v in audit.snapshot(org, ORG_FIELDS).items()})
    return org


@transaction.atomic
def org_update(*, actor: Any, org: Organization, **fields: Any) -> Organization:
    """Change an organization's fields; a new ``parent`` moves its whole subtree."""
    ensure_can_manage(actor, org)
    before = audit.snapshot(org, ORG_FIELDS)
    new_parent = fields.pop("parent", org.parent)
    for name, value in fields.items():
        if name not in ORG_FIELDS:
            raise ValueError(f"unknown organization field {name}")
        setattr(org, name, value)
    if "code" in fields and Organization.objects.filter(code=org.code).exclude(pk=org.pk).exists():
        raise ValidationError({"code": f"组织编码“{org.code}”已存在"})
    org.full_clean(exclude=["parent"])
    if new_parent != org.parent:
        _move(actor, org, new_parent)
    # Name the fields: a stale ``org`` must not write back an old child_counter (its next child would then
    # collide with an existing path).
    org.save(update_fields=[*ORG_FIELDS, "path", "depth"])
    changes = audit.diff(before, audit.snapshot(org, ORG_FIELDS))
    if changes:
        audit.record(actor=actor, action="org.update", target=org, org_path=org.path, changes=changes)
    return org


def _move(actor: Any, org: Organization, new_parent: Organization | None) -> None:
    ensure_can_manage(actor, new_parent)
    if new_parent is not None and new_parent.path.startswith(org.path):
        raise ValidationError({"parent": "不能把组织移到它自己的下级组织之下"})
    old = org.path
    new = _allocate_path(new_parent)
    cut = len(old) + 1
    subtree = Organization.objects.subtree(old)
    subtree.update(path=Concat(Value(new), Substr("path", cut)), depth=F("depth") - len(old) // 4 + len(new) // 4)
    for model in (Person, ContactPoint):
        model.objects.filter(org_path__gte=old, org_path__lt=paths.successor(old)).update(
            org_path=Concat(Value(new), Substr("org_path", cut))
        )
    org.path, org.depth, org.parent = new, paths.depth(new), new_parent


def _for_audit(snapshot: dict[str, Any]) -> dict[str, Any]:
    """Mask the phone in what the audit log keeps: the number itself is stored only encrypted."""
    if snapshot.get("phone"):
        snapshot = {**snapshot, "phone": mask_phone(snapshot["phone"])}
    return snapshot


@transaction.atomic
def person_create(*, actor: Any, name: str, organization: Organization, **fields: Any) -> Person:
    ensure_can_manage(actor, organization)
    fields["phone"] = validate_phone(fields.get("phone", ""))
    person = Person(name=name.strip(), organization=organization, org_path=organization.path, **fields)
    person.full_clean()
    person.save()
    audit.record(actor=actor, action="person.create", target=person, org_path=person.org_path,
                 changes={k: [None, v] for k, v in _for_audit(audit.snapshot(person, PERSON_FIELDS)).items()})
    return person


@transaction.atomic
def person_update(*, actor: Any, person: Person, **fields: Any) -> Person:
    ensure_can_manage(actor, person.organization)
    before = audit.snapshot(person, PERSON_FIELDS)
    if "phone" in fields:
        fields["phone"] = validate_phone(fields["phone"])
    if "organization" in fields:
        ensure_can_manage(actor, fields["organization"])
    for name, value in fields.items():
        if name not in PERSON_FIELDS:
            raise ValueError(f"unknown person field {name}")
        setattr(person, name, value)
    person.org_path = person.organization.path
    person.full_clean()
    person.save()
    changes = audit.diff(before, audit.snapshot(person, PERSON_FIELDS))
    if "phone" in changes:
        changes["phone"] = [mask_phone(v or "") for v in changes["phone"]]
    if changes:
        audit.record(actor=actor, action="person.update", target=person, org_path=person.org_path, changes=changes)
    return person


@transaction.atomic
def membership_add(*, actor: Any, person: Person, organization: Organization, position: str) -> Membership:
    """Give ``person`` a position in ``organization``; appointing a 书记 also sets the organization's secretary."""
    ensure_can_manage(actor, organization)
    ensure_can_manage(actor, person.organization)
    membership, created = Membership.objects.get_or_create(
        person=person, organization=organization, position=position
    )
    if created:
        audit.record(actor=actor, action="membership.add", target=membership, org_path=organization.path,
                     changes={"position": [None, membership.get_position_display()]})
    if position == Position.SECRETARY and organization.secretary_id != person.pk:
        org_update(actor=actor, org=organization, secretary=person)
    return membership


@transaction.atomic
def membership_remove(*, actor: Any, membership: Membership) -> None:
    ensure_can_manage(actor, membership.organization)
    org = membership.organization
    audit.record(actor=actor, action="membership.remove", target=membership, org_path=org.path,
                 changes={"position": [membership.get_position_display(), None]})
    if membership.position == Position.SECRETARY and org.secretary_id == membership.person_id:
        org_update(actor=actor, org=org, secretary=None)
    membership.delete()


@transaction.atomic
def role_grant(*, actor: Any, user: Any, organization: Organization, role: str) -> RoleGrant:
    ensure_can_manage(actor, organization)
    grant, created = RoleGrant.objects.get_or_create(user=user, organization=organization, role=role)
    if created:
        audit.record(actor=actor, action="role.grant", target=grant, org_path=organization.path,
                     changes={"role": [None, grant.get_role_display()]})
    scope.forget(user)
    return grant


@transaction.atomic
def role_revoke(*, actor: Any, grant: RoleGrant) -> None:
    ensure_can_manage(actor, grant.organization)
    audit.record(actor=actor, action="role.revoke", target=grant, org_path=grant.organization.path,
                 changes={"role": [grant.get_role_display(), None]})
    grant.delete()
    scope.forget(grant.user)


@transaction.atomic
def point_create(
    *, actor: Any, kind: str, name: str, organization: Organization, place: str = "", staff: list[Person] | None = None
) -> ContactPoint:
    ensure_can_manage(actor, organization)
    point = ContactPoint(kind=kind, name=name.strip(), place=place, organization=organization)
    point.full_clean()
    point.save()
    if staff:
        point.staff.set(staff)
    audit.record(actor=actor, action="point.create", target=point, org_path=organization.path,
                 changes={"name": [None, point.name], "kind": [None, point.get_kind_display()]})
    return point
