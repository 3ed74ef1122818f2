"""What needs a person's action in 评议考核 now: results waiting for this person's review, and proposed actions
(约谈, 整改通知 …) waiting for a decision."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from dianti.campaigns.models import Campaign
from dianti.core import rules
from dianti.core.components import Todo
from dianti.core.scope import restrict, scope_for

from .models import ActionProposal, SubjectResult
from .publication import results_context, with_results_submitter

LIMIT = 50


def for_user(user: Any) -> list[Todo]:
    sc = scope_for(user)
    if not (sc.is_admin or sc.is_approver):
        return []
    items: list[Todo] = []
    waiting = restrict(Campaign.objects.filter(
        subjects__result__status=SubjectResult.Status.SUBMITTED).distinct(), user, "org_path")
    for c in with_results_submitter(waiting).order_by("id")[:LIMIT]:
        if rules.allows(user, "appraisal.results_publish", results_context(c)):
            items.append(Todo(_("审核评议结果：%(title)s") % {"title": c.title},
                              reverse("appraisal_campaign", args=[c.pk]), why=_("评议结果已送审，等待您审核公示")))
    # Proposals are decided by the convener's own admins (the level above may, but it is not waiting for them).
    pending = ActionProposal.objects.filter(status=ActionProposal.Status.PENDING,
                                            campaign__org_path__in=sc.manage_roots).count()
    if pending:
        items.append(Todo(_("待确认的处置建议（%(n)d 条）") % {"n": pending}, reverse("appraisal_proposals"), pending,
                          _("评议结果触发的约谈、整改等建议，须由人确认")))
    return items
