"""Template context shared by every page: the navigation the user's roles allow, each step's entries declared by its
component (``nav``), in the order of the cycle."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from .accounts import SESSION_SECOND_FACTOR
from .components import navigation as step_navigation
from .scope import scope_for


class Readable:
    """``{% if "org_detail" in readable %}``: whether the user may open a URL name (core/reads.py), so a page
    links only to what the user's role may read."""

    def __init__(self, user: Any) -> None:
        self.user = user

    def __contains__(self, name: str) -> bool:
        from .reads import may_read

        return may_read(self.user, name)


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The bar: 首页 with the person's 待办 count, each step's entries with the to-do items under them, and 通知
    with the unread count. The to-do counts cost every step's queries, so no page pays for them inline: the home
    page, which lists the items anyway, hands its summary over (``request.todo_summary``); any other page draws the
    bar without counts and asks for them after loading (``todo_nav``, answered from a kept summary, :mod:`.todo`)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or getattr(request, "session", {}).get(SESSION_SECOND_FACTOR):
        return {"nav": [], "readable": Readable(user)}  # nothing is reachable before the one-time code
    from .selectors import unread_count

    sc = scope_for(user)
    unread = unread_count(user)
    readable = Readable(user)
    links = [(str(e.label), reverse(e.url_name)) for e in step_navigation(user, sc)]
    waiting = getattr(request, "todo_summary", None)
    badges = waiting.badges(url for _label, url in links) if waiting is not None else {}
    nav = [(_("首页"), reverse("home"), waiting.total if waiting is not None else 0)]
    nav += [(label, url, badges.get(url, 0)) for label, url in links]
    # 人员 and 审计日志 are reached from the home page and the organization pages, keeping the bar to one row.
    nav.append((_("通知") + (f" ({unread})" if unread else ""), reverse("notifications"), 0))
    return {"nav": nav, "nav_active": _section(getattr(request, "nav_path", request.path), nav), "user_scope": sc, "unread_notifications": unread, "readable": readable,
            "todo_summary": waiting, "nav_deferred": waiting is None}


def _section(path: str, nav: list[tuple[Any, str, int]]) -> str:
    """The bar's entry the page at ``path`` belongs to: the longest link it starts with (an organization page under
    组织); 首页, a prefix of every path, only for itself."""
    home = reverse("home")
    under = [url for _label, url, _n in nav if url == path or (url != home and path.startswith(url))]
    return max(under, key=len, default="")
