"""The kernel's directory (see :mod:`dianti.core.directory`), answered from this step's models."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models.functions import Length

from dianti.core.paths import SEGMENT
from dianti.core.scope import WIDE_DEPTH

from .models import ADMIN_ROLES, Organization, Role, RoleGrant
from .selectors import top_orgs


class OrgDirectory:
    admin_roles: frozenset[str] = frozenset(str(r) for r in ADMIN_ROLES)
    approver_role: str = str(Role.APPROVER)

    def grants(self, user: Any) -> list[tuple[str, str]]:
        return list(RoleGrant.objects.filter(user=user).values_list("role", "organization__path"))

    def holders(self, *, roles: Iterable[str], paths: Iterable[str]) -> list[Any]:
        grants = RoleGrant.objects.filter(role__in=list(roles), organization__path__in=list(paths))
        return [g.user for g in grants.select_related("user").order_by("user_id")]

    def any_holder(self, *, roles: Iterable[str], paths: Iterable[str]) -> bool:
        return RoleGrant.objects.filter(role__in=list(roles), organization__path__in=list(paths)).exists()

    def org_name(self, path: str) -> str:
        org = Organization.objects.filter(path=path).only("name", "short_name").first()
        return org.display_name if org is not None else ""

    def org_by_code(self, code: str) -> tuple[str, str] | None:
        return Organization.objects.filter(code=code).values_list("path", "name").first()

    def org_codes(self, paths: Iterable[str]) -> dict[str, str]:
        return dict(Organization.objects.filter(path__in=list(paths)).values_list("path", "code"))

    def top_orgs(self, user: Any) -> list[Any]:
        return top_orgs(user)

    def wide_paths(self) -> list[str]:
        shallow = Organization.objects.annotate(length=Length("path")).filter(length__lte=WIDE_DEPTH * SEGMENT)
        return list(shallow.order_by("path").values_list("path", flat=True))
