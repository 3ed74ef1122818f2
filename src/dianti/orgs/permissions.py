"""Named permission checks for organizations and people. Services call them; views and the API rely on them."""

from __future__ import annotations

from typing import Any

from dianti.core.scope import OutOfScope, scope_for

from .models import Organization, Person


def is_system(actor: Any) -> bool:
    """The demo loader, migrations and management commands act as the system (``actor=None``)."""
    return actor is None


def can_view_org(user: Any, org: Organization) -> bool:
    return scope_for(user).can_view_path(org.path)


def can_manage_org(user: Any, org: Organization) -> bool:
    return is_system(user) or scope_for(user).can_manage_path(org.path)


def can_see_full_phone(user: Any, person: Person) -> bool:
    """Only admins over the person's organization see the whole number; everyone else sees 138****5678."""
    return scope_for(user).can_manage_path(person.org_path)


def ensure_can_manage(user: Any, org: Organization | None) -> None:
    if org is None:
        if is_system(user) or scope_for(user).everything:
            return
        raise OutOfScope("只有系统管理员可以创建顶级组织")
    if not can_manage_org(user, org):
        raise OutOfScope(f"您无权管理“{org.name}”")
