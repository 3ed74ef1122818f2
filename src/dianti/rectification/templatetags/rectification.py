"""``{% rectification_panel opinion %}``: on a tracking page, the case behind the opinion and a way to tell the
committee what one sees."""

from __future__ import annotations

from typing import Any

from django import template

from .. import selectors

register = template.Library()


@register.inclusion_tag("rectification/_track_panel.html")
def rectification_panel(opinion: Any) -> dict[str, Any]:
    case = selectors.case_for_opinion(opinion)
    return {"case": case, "opinion": opinion, "percent": selectors.progress_percent(case) if case else 0}
