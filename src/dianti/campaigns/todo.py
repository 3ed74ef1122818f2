"""What needs a person's action in 党委点名 now: submitted lists that wait for this person's approval."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _

from dianti.core import rules
from dianti.core.components import Todo
from dianti.core.scope import restrict, scope_for

from .models import Campaign
from .services import list_context

LIMIT = 50


def for_user(user: Any) -> list[Todo]:
    sc = scope_for(user)
    if not (sc.is_admin or sc.is_approver):
        return []
    waiting = restrict(Campaign.objects.filter(list_status=Campaign.ListStatus.SUBMITTED), user, "org_path")
    waiting = waiting.annotate(n=Count("subjects"))  # one query for the list and its sizes
    return [Todo(_("审批述职对象名单：%(title)s") % {"title": c.title}, reverse("campaign_detail", args=[c.pk]),
                 c.n, _("名单已提交，等待您审批公示"))
            for c in waiting.order_by("list_submitted_at", "id")[:LIMIT]
            if rules.allows(user, "campaign.list_approve", list_context(c))]
