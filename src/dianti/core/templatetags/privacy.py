"""``{% privacy_notice "opinion" %}``: the 个人信息收集说明 shown on a public page before anything is submitted."""

from __future__ import annotations

from typing import Any

from django import template

from dianti.core import retention

register = template.Library()

KINDS = ("opinion", "hall", "observation")


@register.inclusion_tag("core/_privacy_notice.html")
def privacy_notice(kind: str) -> dict[str, Any]:
    """Render what the page collects, why, for how long and who sees it (PIPL art. 17), for one kind of page."""
    if kind not in KINDS:
        raise template.TemplateSyntaxError(f"privacy_notice: unknown kind {kind!r}")
    return {"kind": kind, "days": retention.retention_days()}
