"""What needs a person's action in 群众点题 now: opinions the classifier was unsure of, waiting for a person.
Sorting is the town's and the contact points' work (the county oversees it), so it is their to-do."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from dianti.core.components import Todo
from dianti.core.scope import scope_for

from .selectors import OpinionFilters, opinion_queue


def for_user(user: Any) -> list[Todo]:
    sc = scope_for(user)
    if not sc.roles & {"town_admin", "point_staff"}:
        return []
    n = opinion_queue(user, OpinionFilters(review=True)).count()  # the figure the linked page lists
    if not n:
        return []
    return [Todo(_("群众意见待人工分类（%(n)d 条）") % {"n": n}, reverse("voices_queue") + "?review=1", n,
                 _("系统分类把握不大，需要工作人员确认"))]
