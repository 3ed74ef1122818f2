"""Template helpers for the dashboards."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def n(value: Any) -> str:
    """Return a count with thousands separators (1,484), the same in every language; "—" for None. (Humanize's
    ``intcomma`` asks the locale for every number: a dashboard shows hundreds.)"""
    return "—" if value is None else f"{int(value):,}"


@register.filter
def get_cell(cells: Any, key: str) -> str:
    """Return the value of ``cells[key]`` (a :class:`~dianti.dashboard.selectors.Cell`), with thousands separators."""
    cell = cells.get(key) if hasattr(cells, "get") else None
    return n(cell.value) if cell is not None else "0"
