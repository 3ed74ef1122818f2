"""Who holds which role where, and what an organization is called: the facts the kernel's scope, rules and sign-in
read. The organizations step owns them and provides them under the name ``"directory"`` (its component); the
kernel asks through :func:`directory` and never imports that step."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from . import components


class Directory(Protocol):
    admin_roles: frozenset[str]  # roles that manage an organization (and so see and act in its subtree)
    approver_role: str  # 审批人: the second pair of eyes at the top of the system

    def grants(self, user: Any) -> list[tuple[str, str]]:
        """Return ``(role, organization path)`` for every role the user holds."""
        ...

    def holders(self, *, roles: Iterable[str], paths: Iterable[str]) -> list[Any]:
        """Return the users holding one of ``roles`` on one of the organizations at ``paths``."""
        ...

    def any_holder(self, *, roles: Iterable[str], paths: Iterable[str]) -> bool:
        ...

    def org_name(self, path: str) -> str:
        """Return the organization's short display name ("" when there is none at ``path``)."""
        ...

    def org_by_code(self, code: str) -> tuple[str, str] | None:
        """Return ``(path, name)`` of the organization with this public code."""
        ...

    def org_codes(self, paths: Iterable[str]) -> dict[str, str]:
        """Return the public code of each organization at ``paths`` (path → code)."""
        ...

    def top_orgs(self, user: Any) -> list[Any]:
        """Return the highest organizations the user holds a role on (objects with ``path`` and ``display_name``)."""
        ...

    def wide_paths(self) -> list[str]:
        """Return the paths of the organizations whose subtrees are wide (provinces and cities, :func:`.scope.is_wide`)."""
        ...


def directory() -> Directory:
    return components.provider("directory")  # type: ignore[no-any-return]
