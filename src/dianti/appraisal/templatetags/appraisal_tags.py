"""Template helpers for 评议考核 pages: the charts' words, star grades, percentages and proposal tags."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import json_script
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def chart_labels() -> SafeString:
    """Return the <script type="application/json" id="chart-labels"> the chart script reads its words from."""
    return json_script({"score": _("得分"), "satisfaction": _("满意率"), "interval": _("置信区间"),
                        "ballots": _("票数"), "items": _("分项得分"), "stars": _("星级"), "total": _("年度总分"),
                        "appraisal": _("述职评议得分")}, "chart-labels")


@register.filter
def stars(n: Any) -> str:
    """Return ★ repeated ``n`` times ("" for none)."""
    try:
        return "★" * int(n)
    except (TypeError, ValueError):
        return ""


@register.filter
def pct(x: Any, digits: int = 1) -> str:
    """Return a fraction as a percentage (0.727 → "72.7%"); "—" for None."""
    if x is None or x == "":
        return "—"
    return f"{float(x) * 100:.{int(digits)}f}%"


@register.filter
def num(x: Any, digits: int = 2) -> str:
    """Return a number with ``digits`` decimals; "—" for None."""
    if x is None or x == "":
        return "—"
    return f"{float(x):.{int(digits)}f}"


@register.filter
def proposal_tag(status: str) -> str:
    """Return the tag colour of a proposal status."""
    return {"pending": "amber", "confirmed": "red", "dismissed": ""}.get(status, "")


@register.filter
def get(mapping: Any, key: Any) -> Any:
    """Return ``mapping[key]`` (None when absent)."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None
