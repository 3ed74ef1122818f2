"""Template context shared by every page: the navigation the user's roles allow."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

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
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": [], "readable": Readable(user)}
    from .selectors import unread_count

    sc = scope_for(user)
    unread = unread_count(user)
    nav = [(_("首页"), reverse("home"))]
    if sc.is_admin:
        nav.append((_("述职活动"), reverse("campaign_list")))
    if sc.is_admin or "point_staff" in sc.roles:
        nav.append((_("群众意见"), reverse("voices_queue")))
    if "secretary" in sc.roles or _reports(user):
        nav.append((_("我的述职"), reverse("my_campaigns")))
    if sc.is_admin:
        nav.append((_("述职会"), reverse("meeting_list")))
    nav += [(_("评议考核"), reverse("appraisal_index"))] if sc.is_admin else []
    nav += [(_("整改"), reverse("rectification_list"))] if sc.is_admin or sc.roles & {"secretary", "point_staff"} else []
    readable = Readable(user)
    if "org_tree" in readable:
        nav.append((pgettext("navigation", "组织"), reverse("org_tree")))
    # 人员 and 审计日志 are reached from the home page and the organization pages, keeping the bar to one row.
    nav.append((_("通知") + (f" ({unread})" if unread else ""), reverse("notifications")))
    return {"nav": nav, "user_scope": sc, "unread_notifications": unread, "readable": readable}


def _reports(user: Any) -> bool:
    """Whether the user is the secretary of some subject (e.g. a town admin who is also a town secretary)."""
    from dianti.campaigns.models import Subject

    return Subject.objects.filter(secretary__user=user).exists()
