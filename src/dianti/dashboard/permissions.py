"""Named checks for the dashboards and the annual report: who may open them is the read table's (core/reads.py:
the admins and the approvers, who decide on what the figures count); which organization is the scope's — a town
sees its own subtree only, and an organization out of reach answers as if it did not exist."""

from __future__ import annotations

from typing import Any

from dianti.core.reads import may_read
from dianti.core.scope import scope_for


def can_view_dashboards(user: Any, sc: Any = None) -> bool:
    """Whether ``user`` may open the dashboards at all (the navigation shows the entry to them)."""
    return may_read(user, "dashboard")


def can_view_path(user: Any, path: str) -> bool:
    """Whether the organization at ``path`` is inside ``user``'s subtree."""
    return scope_for(user).can_view_path(path)
