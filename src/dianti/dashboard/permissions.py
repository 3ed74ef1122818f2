"""Named checks for the dashboards and the annual report: who may open them is the read table's (core/reads.py:
the admins and the approvers, who decide on what the figures count); which organization is the scope's — a town
sees its own subtree only, and an organization out of reach answers as if it did not exist
(``orgs.permissions.ensure_can_view_org``, which :func:`dianti.dashboard.selectors.root_for` calls)."""

from __future__ import annotations

from typing import Any

from dianti.core.reads import may_read


def can_view_dashboards(user: Any, sc: Any = None) -> bool:
    """Whether ``user`` may open the dashboards at all (the navigation shows the entry to them)."""
    return may_read(user, "dashboard")
