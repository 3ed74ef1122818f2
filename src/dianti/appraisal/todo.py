"""What needs a person's action in 评议考核 now: for the convener's admins, draft results to submit (送审) and
proposed actions (约谈, 整改通知 …) to decide; for the level above (or the approver), results waiting for review and a
county's annual grades and stars waiting for confirmation."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from dianti.campaigns.models import Campaign, Phase
from dianti.core import rules
from dianti.core.components import Todo
from dianti.core.scope import restrict, scope_for

from .models import ActionProposal, AssessmentRound, SubjectResult
from .publication import results_context, with_results_submitter

LIMIT = 50


def for_user(user: Any) -> list[Todo]:
    sc = scope_for(user)
    if not (sc.is_admin or sc.is_approver):
        return []
    return _to_review(user) + _to_submit(sc) + _proposals(sc) + _stars(user)


def _to_review(user: Any) -> list[Todo]:
    waiting = restrict(Campaign.objects.filter(
        subjects__result__status=SubjectResult.Status.SUBMITTED).distinct(), user, "org_path")
    return [Todo(_("审核评议结果：%(title)s") % {"title": c.title}, reverse("appraisal_campaign", args=[c.pk]),
                 why=_("评议结果已送审，等待您审核公示"), kind=_("审核"), deadline=c.due(Phase.APPRAISAL))
            for c in with_results_submitter(waiting).order_by("id")[:LIMIT]
            if rules.allows(user, "appraisal.results_publish", results_context(c))]


def _to_submit(sc: Any) -> list[Todo]:
    """Draft results of the convener's own campaigns in 评议 (before it, moving the phase is the to-do)."""
    drafts = Q(subjects__result__status=SubjectResult.Status.DRAFT)
    waiting = (Campaign.objects.filter(phase=Phase.APPRAISAL, org_path__in=sc.manage_roots)
               .annotate(n=Count("subjects", filter=drafts)).filter(n__gt=0).order_by("id")[:LIMIT])
    return [Todo(_("提交评议结果送审：%(title)s（%(n)d 人）") % {"title": c.title, "n": c.n},
                 reverse("appraisal_campaign", args=[c.pk]), c.n, _("核对计算结果后送上级审核公示"),
                 kind=_("送审"), deadline=c.due(Phase.APPRAISAL)) for c in waiting]


def _proposals(sc: Any) -> list[Todo]:
    # Proposals are decided by the convener's own admins (the level above may, but it is not waiting for them),
    # once the result they come from is published (services refuse before).
    pending = Q(proposals__status=ActionProposal.Status.PENDING,
                proposals__subject__result__status=SubjectResult.Status.PUBLISHED)
    waiting = (Campaign.objects.filter(org_path__in=sc.manage_roots)
               .annotate(n=Count("proposals", filter=pending)).filter(n__gt=0).order_by("id")[:LIMIT])
    return [Todo(_("确认处置建议：%(title)s（%(n)d 条）") % {"title": c.title, "n": c.n},
                 reverse("appraisal_proposals") + f"?campaign={c.pk}", c.n,
                 _("评议结果触发的约谈、整改等建议，须由人确认"), kind=_("确认"), deadline=c.due(Phase.APPRAISAL))
            for c in waiting]


def _stars(user: Any) -> list[Todo]:
    """A county's computed annual assessment waits for the level above (or its approver) to confirm it."""
    rounds = restrict(AssessmentRound.objects.filter(computed_at__isnull=False, confirmed_at__isnull=True),
                      user, "county__path").select_related("county").order_by("year")[:LIMIT]
    return [Todo(_("确认年度考核等次与星级：%(county)s %(year)d 年") % {"county": r.county.display_name, "year": r.year},
                 reverse("appraisal_annual") + f"?year={r.year}", why=_("年度考核已计算，等待确认后生效"), kind=_("确认"))
            for r in rounds if rules.allows(user, "appraisal.stars_confirm",
                                            rules.Context(body_path=r.county.path, made_by_id=r.computed_by_id))]
