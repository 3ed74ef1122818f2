"""``{% page_url n %}``: the address of page ``n`` of the list being shown, for ``core/_pager.html``."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def page_url(context: Any, number: int) -> str:
    """Return ``pager_url`` (default: the request's path) with the request's query and ``page`` set to ``number``.

    A partial's pager gives ``pager_url`` (the partial's own address), since the page it sits in has another."""
    request = context["request"]
    base = context.get("pager_url") or request.path
    # A partial embedded in another page (a town's children on the tree page) must not carry the host's query.
    query = request.GET.copy() if base == request.path else type(request.GET)(mutable=True)
    query["page"] = number
    return f"{base}?{query.urlencode()}"
