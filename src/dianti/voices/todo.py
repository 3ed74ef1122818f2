"""What needs a person's action in 群众点题 now: opinions the classifier was unsure of, waiting for a person, and the
convener's subjects still without a topic while the campaign is in 点题. Sorting is the town's and the contact
points' work (the county oversees it), so it is their to-do; the topic is the convener's own admins' to set."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from dianti.campaigns.models import Campaign, Phase
from dianti.core.components import Todo
from dianti.core.scope import scope_for

from .selectors import OpinionFilters, opinion_queue

LIMIT = 20


def for_user(user: Any) -> list[Todo]:
    return _topics_to_set(user) + _to_review(user)


def _to_review(user: Any) -> list[Todo]:
    sc = scope_for(user)
    if not sc.roles & {"town_admin", "point_staff"}:
        return []
    n = opinion_queue(user, OpinionFilters(review=True)).count()  # the figure the linked page lists
    if not n:
        return []
    return [Todo(_("群众意见待人工分类（%(n)d 条）") % {"n": n}, reverse("voices_queue") + "?review=1", n,
                 _("系统分类把握不大，需要工作人员确认"), kind=_("分类"))]


def _topics_to_set(user: Any) -> list[Todo]:
    """One item per own campaign in 点题 with subjects still without a topic, leading to the first one's workbench
    (one query for all)."""
    own = scope_for(user).manage_roots
    if not own:
        return []
    untopiced = Q(subjects__topic="")
    waiting = (Campaign.objects.filter(phase=Phase.TOPICS, org_path__in=own)
               .annotate(n=Count("subjects", filter=untopiced), first=Min("subjects__id", filter=untopiced))
               .filter(n__gt=0).order_by("year", "org_path")[:LIMIT])
    return [Todo(_("点题：%(title)s（%(n)d 人尚未确定题目）") % {"title": c.title, "n": c.n},
                 reverse("voices_workbench", args=[c.first]), c.n, _("从群众意见中为每位书记选定述职题目"),
                 kind=_("点题"), deadline=c.due(Phase.TOPICS)) for c in waiting]
