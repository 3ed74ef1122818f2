"""The subject list's approval (点名名单报批): the convener submits it, the level above (who :mod:`dianti.core.rules`
names) approves and publishes it (公示) or returns it with a note; the secretaries on it are told."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dianti.core import audit, notify, rules

from .models import Campaign, Phase
from .services import ensure_list_editable, tell_secretary


def list_context(campaign: Campaign) -> rules.Context:
    return rules.Context(body_path=campaign.org_path, made_by_id=campaign.list_submitted_by_id)


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


@transaction.atomic
def list_submit(*, actor: Any, campaign: Campaign) -> Campaign:
    """Submit the list for approval; the level above (who :mod:`rules` names) is told it is waiting for them."""
    rules.ensure(actor, "campaign.list_submit", list_context(campaign))
    ensure_list_editable(campaign)
    if not campaign.subjects.exists():
        raise ValidationError("名单为空：请先点名述职对象")
    campaign.list_status, campaign.list_submitted_at = Campaign.ListStatus.SUBMITTED, timezone.now()
    campaign.list_submitted_by = _user(actor)
    campaign.save(update_fields=["list_status", "list_submitted_at", "list_submitted_by"])
    audit.record(actor=actor, action="campaign.list_submit", target=campaign, org_path=campaign.org_path,
                 changes={"list_status": ["draft", "submitted"]})
    deciders = rules.deciders("campaign.list_approve", list_context(campaign))
    notify.notify([notify.recipient_for_user(u) for u in deciders], notify.Message(
        kind="list_waiting", title=_("述职对象名单待您审批：%(title)s") % {"title": campaign.title},
        body=_("%(org)s提交了 %(count)d 个述职对象，请审批并公示或退回。") % {
            "org": campaign.convener.display_name, "count": campaign.subjects.count()},
        url=reverse("campaign_detail", args=[campaign.pk])))
    return campaign


@transaction.atomic
def list_approve(*, actor: Any, campaign: Campaign) -> Campaign:
    """Approve the subject list (the level above, not the submitter): it is published (公示) and every chosen
    secretary not yet told is told — re-approving a returned list tells nobody twice."""
    rules.ensure(actor, "campaign.list_approve", list_context(campaign))
    if campaign.list_status != Campaign.ListStatus.SUBMITTED:
        raise ValidationError("只有待审批的名单才能审批公示")
    now = timezone.now()
    campaign.list_status, campaign.list_published_at = Campaign.ListStatus.PUBLISHED, now
    campaign.list_approved_by = _user(actor)
    campaign.save(update_fields=["list_status", "list_published_at", "list_approved_by"])
    audit.record(actor=actor, action="campaign.list_approve", target=campaign, org_path=campaign.org_path,
                 changes={"list_status": ["submitted", "published"]})
    untold = campaign.subjects.filter(chosen_told_at__isnull=True).select_related("secretary", "organization")
    for subject in untold:
        tell_secretary(subject, "chosen", _("您已被点名述职：%(title)s") % {"title": campaign.title},
                        _("%(org)s被列为述职对象（%(category)s）。理由：%(reason)s") % {
                            "org": subject.organization.name, "category": subject.get_category_display(),
                            "reason": subject.reason})
    untold.update(chosen_told_at=now)
    return campaign


@transaction.atomic
def list_return(*, actor: Any, campaign: Campaign, note: str = "") -> Campaign:
    """Send a submitted or published list back to draft (before 点题 starts), with a note saying why. The level
    above does this; if the list had been published, the secretaries on it are told it is being revised."""
    rules.ensure(actor, "campaign.list_return", list_context(campaign))
    if campaign.phase != Phase.NOMINATE or campaign.list_status == Campaign.ListStatus.DRAFT:
        raise ValidationError("只有点名阶段已提交或已公示的名单可以退回")
    old = campaign.list_status
    campaign.list_status, campaign.list_published_at = Campaign.ListStatus.DRAFT, None
    campaign.save(update_fields=["list_status", "list_published_at"])
    audit.record(actor=actor, action="campaign.list_return", target=campaign, org_path=campaign.org_path,
                 changes={"list_status": [old, "draft"]}, note=note)
    why = _("退回理由：%(note)s") % {"note": note.strip()} if note.strip() else ""
    if old == Campaign.ListStatus.PUBLISHED:
        for subject in campaign.subjects.select_related("secretary", "organization"):
            tell_secretary(subject, "list_returned", _("述职对象名单已退回修改：%(title)s") % {"title": campaign.title},
                            _("已公示的名单被上级退回修改，重新审批后会再次公示。") + why)
    notify.notify(notify.admins_at(campaign.org_path), notify.Message(
        kind="list_returned", title=_("述职对象名单被退回：%(title)s") % {"title": campaign.title},
        body=why or _("请修改后重新提交。"),
        url=reverse("campaign_detail", args=[campaign.pk])))
    return campaign
