"""Named permission checks for organizations and people. Services call them; views and the API rely on them.

What is outside the user's subtree answers as missing (:class:`~dianti.core.scope.OutOfScope`, a 404); what they
can see but may not change is refused with a sentence (``PermissionDenied``, a 403).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

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


def ensure_can_view_org(user: Any, org: Organization | None) -> Organization:
    """Return ``org`` if the user may see it; otherwise answer as if it did not exist."""
    if org is None or not (is_system(user) or can_view_org(user, org)):
        raise OutOfScope("找不到该组织，或您无权查看")
    return org


def ensure_can_manage(user: Any, org: Organization | None) -> None:
    if org is None:
        if is_system(user) or scope_for(user).everything:
            return
        raise PermissionDenied("只有系统管理员可以创建顶级组织")
    if can_manage_org(user, org):
        return
    ensure_can_view_org(user, org)
    raise PermissionDenied(f"您无权管理“{org.name}”")
