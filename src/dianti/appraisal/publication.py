"""Writes for the review and publication (公示) of results: the convener submits the engine's results, the level
above publishes or returns them, and may withdraw (撤回) a published one with a reason — every publication kept in
:class:`~.models.ResultPublication`. Who may is core/rules.py's; numbers come from the engine via :mod:`.services`."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dianti.campaigns import services as campaign_services
from dianti.campaigns.models import Campaign, Phase, Subject
from dianti.core import audit, notify, rules

from .models import ResultPublication, SubjectResult


def _ensure_appraisal_phase(campaign: Campaign) -> None:
    if campaign.phase != Phase.APPRAISAL:
        raise ValidationError(_("只有在“评议”阶段才能提交、审核和公布评议结果"))


def _submitters(campaign: Any) -> QuerySet[SubjectResult]:
    """Who submitted the campaign's results now waiting (``campaign``: a row or an ``OuterRef``)."""
    return (SubjectResult.objects.filter(subject__campaign=campaign, status=SubjectResult.Status.SUBMITTED)
            .exclude(submitted_by=None).order_by("pk").values("submitted_by"))


def with_results_submitter(campaigns: QuerySet[Campaign]) -> QuerySet[Campaign]:
    """Return ``campaigns`` each with who submitted its waiting results, so :func:`results_context` of a list of
    them asks nothing more."""
    return campaigns.annotate(results_submitter=Subquery(_submitters(OuterRef("pk"))[:1]))


def results_context(campaign: Campaign) -> rules.Context:
    """The rule context of a campaign's results: its convener, and who submitted the results now waiting."""
    if hasattr(campaign, "results_submitter"):
        made_by = campaign.results_submitter
    else:
        made_by = _submitters(campaign).values_list("submitted_by", flat=True).first()
    return rules.Context(body_path=campaign.org_path, made_by_id=made_by)


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


@transaction.atomic
def results_submit(*, actor: Any, campaign: Campaign) -> int:
    """Submit the campaign's draft results for approval (送审); every one must have a score. The level above (or
    the approver) is told that they are waiting for it."""
    rules.ensure(actor, "appraisal.results_submit", rules.Context(body_path=campaign.org_path))
    _ensure_appraisal_phase(campaign)
    drafts = list(SubjectResult.objects.filter(subject__campaign=campaign, status=SubjectResult.Status.DRAFT)
                  .select_related("subject__organization"))
    if not drafts:
        raise ValidationError(_("没有待提交的评议结果：请先计算结果"))
    empty = [r.subject.organization.display_name for r in drafts if r.score is None]
    if empty:
        raise ValidationError(_("以下述职对象没有有效票，不能提交：%(names)s") % {"names": "、".join(empty)})
    SubjectResult.objects.filter(pk__in=[r.pk for r in drafts]).update(
        status=SubjectResult.Status.SUBMITTED, submitted_at=timezone.now(), submitted_by=_user(actor))
    audit.record(actor=actor, action="appraisal.submit", target=campaign, org_path=campaign.org_path,
                 changes={"results": [None, len(drafts)]})
    deciders = rules.deciders("appraisal.results_publish", results_context(campaign))
    notify.notify([notify.recipient_for_user(u) for u in deciders], notify.Message(
        kind="results_waiting", title=_("评议结果待您审核：%(t)s") % {"t": campaign.title},
        body=_("%(n)d 个评议结果已送审，请审核通过并公示或退回。") % {"n": len(drafts)},
        url=reverse("appraisal_campaign", args=[campaign.pk])))
    return len(drafts)


@transaction.atomic
def results_return(*, actor: Any, campaign: Campaign, note: str = "") -> int:
    """Send submitted results back to draft (审核不通过), with a note saying why; the level above does this."""
    rules.ensure(actor, "appraisal.results_return", results_context(campaign))
    n = SubjectResult.objects.filter(subject__campaign=campaign, status=SubjectResult.Status.SUBMITTED).update(
        status=SubjectResult.Status.DRAFT, submitted_at=None, submitted_by=None)
    if not n:
        raise ValidationError(_("没有待审核的评议结果"))
    audit.record(actor=actor, action="appraisal.return", target=campaign, org_path=campaign.org_path,
                 changes={"results": [n, 0]}, note=note)
    return n


@transaction.atomic
def results_publish(*, actor: Any, campaign: Campaign) -> int:
    """Approve the submitted results and publish them (公示) — the level above, never the submitter.

    Each subject becomes 已评议 with its score (so the campaign can move on to 整改 once all are), each
    publication is kept in :class:`ResultPublication`, the secretary is told once the transaction commits, and the
    public site shows the result — figures only, never a ballot.
    """
    rules.ensure(actor, "appraisal.results_publish", results_context(campaign))
    _ensure_appraisal_phase(campaign)
    rows = list(SubjectResult.objects.filter(subject__campaign=campaign, status=SubjectResult.Status.SUBMITTED)
                .select_related("subject", "subject__organization", "subject__secretary", "subject__campaign",
                                "subject__campaign__convener", "scheme"))
    if not rows:
        raise ValidationError(_("没有待审核的评议结果：请先提交"))
    now, user = timezone.now(), _user(actor)
    for r in rows:
        r.status, r.published_at, r.published_by = SubjectResult.Status.PUBLISHED, now, user
        r.save(update_fields=["status", "published_at", "published_by"])
        ResultPublication.objects.create(result=r, score=r.score, satisfaction=r.satisfaction, ballots=r.ballots,
                                         scheme_label=f"{r.scheme.name} 第 {r.scheme.version} 版",
                                         published_at=now, published_by=user)
        subject = r.subject
        campaign_services.subject_outcome_set(actor=actor, subject=subject, status=Subject.Status.APPRAISED,
                                              score=round(r.score, 2) if r.score is not None else None)
        if subject.secretary is not None:
            sat = f"，满意率 {r.satisfaction:.1%}" if r.satisfaction is not None else ""
            notify.notify([notify.recipient_for_person(subject.secretary)], notify.Message(
                kind="appraisal_published", title=f"评议结果已公布：{campaign.title}",
                body=f"{subject.organization.name}：评议得分 {r.score:.2f}{sat}。",
                url=reverse("appraisal_subject", args=[subject.pk])))
    audit.record(actor=actor, action="appraisal.publish", target=campaign, org_path=campaign.org_path,
                 changes={"results": [None, len(rows)]})
    return len(rows)


@transaction.atomic
def results_withdraw(*, actor: Any, subject: Subject, reason: str) -> SubjectResult:
    """Withdraw (撤回) a published result, with a reason: the level above does this while the campaign is in 评议.

    The publication stays in the history marked withdrawn; the result goes back to draft (recompute, submit and
    publish it again); the subject is 已述职 again; its secretary and the convener's admins are told.
    """
    campaign = subject.campaign
    rules.ensure(actor, "appraisal.results_withdraw", rules.Context(body_path=campaign.org_path))
    if len(reason.strip()) < 4:
        raise ValidationError({"reason": _("请写明撤回的理由（至少 4 个字）")})
    result = SubjectResult.objects.select_for_update().filter(subject=subject).first()
    if result is None or result.status != SubjectResult.Status.PUBLISHED:
        raise ValidationError(_("只有已公示的评议结果可以撤回"))
    if campaign.phase != Phase.APPRAISAL:
        raise ValidationError(_("述职活动已进入“%(p)s”阶段：请先将其退回“评议”阶段，再撤回评议结果")
                              % {"p": campaign.get_phase_display()})
    now = timezone.now()
    ResultPublication.objects.filter(result=result, withdrawn_at__isnull=True).update(
        withdrawn_at=now, withdrawn_by=_user(actor), withdraw_reason=reason.strip())
    result.status, result.published_at, result.published_by = SubjectResult.Status.DRAFT, None, None
    result.submitted_at, result.submitted_by = None, None
    result.save(update_fields=["status", "published_at", "published_by", "submitted_at", "submitted_by"])
    campaign_services.subject_outcome_set(actor=actor, subject=subject, status=Subject.Status.REPORTED, score=None)
    audit.record(actor=actor, action="appraisal.withdraw", target=subject, org_path=subject.org_path,
                 changes={"score": [result.score, None]}, note=reason.strip())
    message = notify.Message(
        kind="appraisal_withdrawn", title=_("评议结果已撤回：%(org)s") % {"org": subject.organization.display_name},
        body=_("已公示的评议结果被撤回，重新审核后再公示。理由：%(r)s") % {"r": reason.strip()},
        url=reverse("appraisal_subject", args=[subject.pk]))
    people = [notify.recipient_for_person(subject.secretary)] if subject.secretary is not None else []
    people += [notify.recipient_for_user(u) for u in rules.deciders("appraisal.results_submit",
                                                                     rules.Context(body_path=campaign.org_path))]
    notify.notify(people, message)
    return result
