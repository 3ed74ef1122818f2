"""Deadline reminders (a daily job of the campaigns step): a phase's deadline is told once, a few days ahead."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from dianti.core import notify

from .models import Campaign, Phase

REMIND_DAYS = 3


def deadline_reminders(today: dt.date | None = None) -> int:
    """Tell the convener's admins (and, while topics or reports are due, the secretaries) of deadlines within
    three days; each phase's deadline is reminded once. Return how many campaigns were reminded."""
    today = today or timezone.localdate()
    count = 0
    for campaign in Campaign.objects.exclude(phase=Phase.ARCHIVED).exclude(deadlines={}):
        due = campaign.deadline_for(campaign.phase)
        if not due or campaign.reminders_sent.get(campaign.phase) == due:
            continue
        days = (dt.date.fromisoformat(due) - today).days
        if not 0 <= days <= REMIND_DAYS:
            continue
        with transaction.atomic():
            label = Phase(campaign.phase).label
            msg = notify.Message(kind="deadline",
                                 title=_("%(title)s：“%(phase)s”阶段将于 %(due)s 截止") % {
                                     "title": campaign.title, "phase": label, "due": due},
                                 body=ngettext("距截止还有 %(days)d 天。", "距截止还有 %(days)d 天。", days) % {
                                     "days": days},
                                 url=reverse("campaign_detail", args=[campaign.pk]),
                                 params={"title": campaign.title, "phase": str(label), "due": due, "days": str(days)},
                                 org_path=campaign.org_path)
            recipients = notify.admins_at(campaign.org_path)
            if campaign.phase in (Phase.TOPICS, Phase.REPORTING):
                recipients += [notify.recipient_for_person(s.secretary)
                               for s in campaign.subjects.select_related("secretary") if s.secretary]
            notify.notify(recipients, msg)
            campaign.reminders_sent = {**campaign.reminders_sent, campaign.phase: due}
            campaign.save(update_fields=["reminders_sent"])
        count += 1
    return count
