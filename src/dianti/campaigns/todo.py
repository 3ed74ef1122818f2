"""What needs a person's action in 党委点名 now: submitted lists that wait for this person's approval, and — for the
level above — the campaigns below it that are behind schedule (still in a phase whose deadline has passed)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from dianti.core import rules
from dianti.core.components import Todo
from dianti.core.scope import restrict, scope_for

from .models import Campaign, Phase
from .phases import TRANSITIONS, may_make
from .roster import list_context
from .selectors import behind_schedule

LIMIT = 50
#: Campaigns behind schedule named in the item (all are on the page it leads to).
BEHIND_NAMED = 5
#: Own campaigns checked for a phase they may now move to (each check asks its guards: a few queries).
OWN_ACTIVE = 5


def for_user(user: Any) -> list[Todo]:
    sc = scope_for(user)
    if not (sc.is_admin or sc.is_approver):
        return []
    return _lists_to_approve(user) + _ready_to_move(user, sc) + (_behind(user) if sc.is_admin else [])


def _lists_to_approve(user: Any) -> list[Todo]:
    waiting = restrict(Campaign.objects.filter(list_status=Campaign.ListStatus.SUBMITTED), user, "org_path")
    waiting = waiting.annotate(n=Count("subjects"))  # one query for the list and its sizes
    return [Todo(_("审批述职对象名单：%(title)s") % {"title": c.title}, reverse("campaign_detail", args=[c.pk]),
                 c.n, _("名单已提交，等待您审批公示"), kind=_("审批"), deadline=c.due(Phase.NOMINATE))
            for c in waiting.order_by("list_submitted_at", "id")[:LIMIT]
            if rules.allows(user, "campaign.list_approve", list_context(c))]


def _behind(user: Any) -> list[Todo]:
    """One item for every campaign below that is behind schedule, naming the first few (longest overdue first)."""
    late = behind_schedule(user)
    if not late:
        return []
    named = pgettext("list separator", "、").join(
        f"{c.convener.display_name}（{c.get_phase_display()}）" for c in late[:BEHIND_NAMED])
    more = pgettext("after a shortened list of names", "等") if len(late) > BEHIND_NAMED else ""
    url = reverse("campaign_list") + "?behind=1"
    return [Todo(_("进度滞后的下级述职活动（%(n)d 项）") % {"n": len(late)}, url, len(late),
                 _("已过本阶段截止日期仍未推进，请督促：%(names)s") % {"names": named + more}, kind=_("督促"),
                 deadline=late[0].due())]


def _ready_to_move(user: Any, sc: Any) -> list[Todo]:
    """The convener's own campaigns whose next phase has nothing missing any more: the move is the to-do."""
    own = (Campaign.objects.filter(org_path__in=sc.manage_roots, list_status=Campaign.ListStatus.PUBLISHED)
           .exclude(phase=Phase.ARCHIVED).order_by("year", "id")[:OWN_ACTIVE])
    items = []
    for c in own:
        forward = next((t for (src, _tgt), t in TRANSITIONS.items() if src == c.phase and t.forward), None)
        if forward is not None and may_make(user, c, forward) and not forward.missing(c):
            items.append(Todo(_("推进阶段：%(title)s") % {"title": c.title}, reverse("campaign_detail", args=[c.pk]),
                              why=_("本阶段工作已完成，可以“%(move)s”") % {"move": forward.label}, kind=_("推进"),
                              deadline=c.due()))
    return items
