"""Template helpers for the dashboards."""

from __future__ import annotations

from typing import Any

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma

register = template.Library()


@register.filter
def get_cell(cells: Any, key: str) -> str:
    """Return the value of ``cells[key]`` (a :class:`~dianti.dashboard.selectors.Cell`), with thousands separators."""
    cell = cells.get(key) if hasattr(cells, "get") else None
    return intcomma(cell.value) if cell is not None else "0"
