"""Who may see and change what. Every staff-facing read and every write check starts here.

A role granted on an organization covers its whole subtree. A user's *view scope* is the union of the subtrees of
all their grants; their *manage scope* is the union of the subtrees where they hold an admin role (county or town
admin). Superusers see and manage everything. Scopes are sets of materialized-path ranges (see :mod:`paths`), so a
scoped query is a few indexed range conditions whatever the size of the tree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from . import paths

_CACHE_ATTR = "_dianti_scope"
#: A subtree rooted this shallow — a province or a city, up to a million people — is *wide*: what is cheap to
#: scan in a county (counting its people, matching its names) wants an index or a cache there.
WIDE_DEPTH = 2


def is_wide(path: str) -> bool:
    """Whether the subtree at ``path`` is a province's or a city's (see :data:`WIDE_DEPTH`)."""
    return paths.depth(path) <= WIDE_DEPTH


@dataclass(frozen=True)
class Scope:
    everything: bool
    view_roots: tuple[str, ...]
    manage_roots: tuple[str, ...]
    roles: frozenset[str]
    approve_roots: tuple[str, ...] = ()

    def can_approve_path(self, path: str) -> bool:
        """Whether the user holds the approver role (审批人) on ``path`` or above it (see :mod:`rules`)."""
        return self.everything or any(path.startswith(r) for r in self.approve_roots)

    def can_view_path(self, path: str) -> bool:
        return self.everything or any(path.startswith(r) for r in self.view_roots)

    def can_manage_path(self, path: str) -> bool:
        return self.everything or any(path.startswith(r) for r in self.manage_roots)

    @property
    def is_admin(self) -> bool:
        return self.everything or bool(self.manage_roots)

    @property
    def is_approver(self) -> bool:
        return self.everything or bool(self.approve_roots)

    @property
    def wide(self) -> bool:
        """Whether the user sees everything or a wide subtree (:func:`is_wide`)."""
        return self.everything or any(is_wide(r) for r in self.view_roots)


NOBODY = Scope(everything=False, view_roots=(), manage_roots=(), roles=frozenset())


def scope_for(user: Any) -> Scope:
    """Return (and cache on the user object for this request) the scope of ``user``."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOBODY
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    from .directory import directory

    d = directory()
    grants = d.grants(user)
    scope = Scope(
        everything=bool(user.is_superuser),
        view_roots=tuple(paths.minimal_roots([p for _, p in grants])),
        manage_roots=tuple(paths.minimal_roots([p for r, p in grants if r in d.admin_roles])),
        roles=frozenset(r for r, _ in grants),
        approve_roots=tuple(paths.minimal_roots([p for r, p in grants if r == d.approver_role])),
    )
    setattr(user, _CACHE_ATTR, scope)
    return scope


def forget(user: Any) -> None:
    """Drop the cached scope (after grants change)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def _ranges(roots: tuple[str, ...], field: str) -> Q:
    q = Q(pk__in=[])
    for root in roots:
        q |= Q(**{f"{field}__gte": root, f"{field}__lt": paths.successor(root)})
    return q


def path_filter(user: Any, field: str = "path", *, manage: bool = False) -> Q:
    """Return a ``Q`` that keeps rows whose ``field`` (a materialized path) is inside the user's scope."""
    scope = scope_for(user)
    if scope.everything:
        return Q()
    return _ranges(scope.manage_roots if manage else scope.view_roots, field)


def restrict(qs: QuerySet[Any], user: Any, field: str = "path", *, manage: bool = False) -> QuerySet[Any]:
    """Return ``qs`` restricted to the rows the user may see (or manage, with ``manage=True``)."""
    return qs.filter(path_filter(user, field, manage=manage))


class OutOfScope(Http404, PermissionDenied):
    """Raised when a user reaches for an object outside their organization subtree.

    To the asker such an object does not exist: pages and the API answer 404, the same as for an id that was never
    used, so no answer tells that something is there (``Http404`` comes first among the bases, and Django and the
    API both look for it first). It is also a ``PermissionDenied``, so code that catches every refusal catches it.
    Its message should read like the selector's own "not found" ("找不到该…，或您无权查看").

    Refusing an act on something the user *can* see is not this: that is a plain ``PermissionDenied`` (403) with a
    sentence naming who may (:func:`dianti.core.rules.ensure`, the ``ensure_…`` checks of each app's
    ``permissions.py``).
    """
