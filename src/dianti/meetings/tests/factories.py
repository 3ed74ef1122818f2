"""Meetings for tests, through the services: a campaign in 述职 with topics, a scheduled meeting, an open one."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

from dianti.campaigns import services as campaign_services
from dianti.campaigns.models import Campaign, Phase
from dianti.campaigns.tests.factories import in_topics
from dianti.meetings import services
from dianti.meetings.models import AgendaItem, Meeting, PanelGroup

GROUPS = [services.GroupSpec("镇党委班子成员", Decimal(40), 2), services.GroupSpec("党员代表", Decimal(60), 3)]
STARTS = dt.datetime(2020, 6, 20, 9, 0)


def reporting(tree: Any, **fields: Any) -> Campaign:
    """Return the town campaign (雪水港村, 丰义村) moved to 述职, every subject with a topic."""
    campaign = in_topics(tree, **fields)
    for s in campaign.subjects.select_related("organization"):
        campaign_services.subject_topic_set(actor=None, subject=s, topic=f"{s.organization.short_name}如何把美丽资源变成美丽经济")
    return campaign_services.phase_move(actor=None, campaign=campaign, to=Phase.REPORTING)


def scheduled(campaign: Campaign, *, actor: Any = None, groups: list[services.GroupSpec] | None = None,
              **kw: Any) -> Meeting:
    subjects = kw.pop("subjects", None) or list(campaign.subjects.order_by("order", "id"))
    return services.meeting_schedule(
        actor=actor, campaign=campaign, title="通元镇村党组织书记点题述职评议会", starts_at=timezone.make_aware(STARTS),
        venue="通元镇党群服务中心大会议室", host="镇党委书记", subjects=subjects, groups=GROUPS if groups is None else groups, **kw)


@dataclass
class Held:
    """An open meeting with its plain codes (group name → codes) and agenda items in order."""

    meeting: Meeting
    codes: dict[str, list[str]]
    items: list[AgendaItem]

    def group(self, name: str) -> PanelGroup:
        return self.meeting.groups.get(name=name)

    def all_codes(self) -> list[str]:
        return [c for codes in self.codes.values() for c in codes]


def held(tree: Any, **kw: Any) -> Held:
    """Schedule, issue codes and open a meeting of the town campaign in 述职."""
    meeting = scheduled(reporting(tree), **kw)
    codes: dict[str, list[str]] = {}
    for group, code in services.codes_issue(actor=None, meeting=meeting):
        codes.setdefault(group.name, []).append(code)
    services.meeting_open(actor=None, meeting=meeting)
    meeting.refresh_from_db()
    return Held(meeting, codes, list(meeting.agenda.order_by("order")))


def vote(h: Held, code: str, *grades: str, **kw: Any) -> int:
    """Submit ``grades`` for the agenda items in order (an empty string skips an item)."""
    marks = {item.pk: services.Mark(g, **kw) for item, g in zip(h.items, grades, strict=False) if g}
    return services.ballot_submit(meeting=h.meeting, code=code, marks=marks)
