"""Closed meetings with hand-chosen ballots, through the services: the campaign of the conftest tree (雪水港村 and
丰义村 reporting to 通元镇), a panel, one code per evaluator, each evaluator's grades (and item marks) for the two
secretaries, the vote closed — which computes draft results — and the campaign moved on to 评议."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

from dianti.campaigns import services as campaign_services
from dianti.campaigns.models import Campaign, Phase, Subject
from dianti.campaigns.tests.factories import in_topics
from dianti.meetings import services as meeting_services
from dianti.meetings.models import Meeting

# A ballot: (grade for 雪水港村, grade for 丰义村), optionally with item marks {item: mark} for each.
Vote = tuple[str, str] | tuple[str, str, Mapping[str, int] | None, Mapping[str, int] | None]


@dataclass
class Closed:
    campaign: Campaign
    meeting: Meeting
    va1: Subject
    va2: Subject


def reporting(tree: Any, **fields: Any) -> Campaign:
    campaign = in_topics(tree, **fields)
    for s in campaign.subjects.select_related("organization"):
        campaign_services.subject_topic_set(actor=None, subject=s, topic=f"{s.organization.short_name}如何发展集体经济")
    return campaign_services.phase_move(actor=None, campaign=campaign, to=Phase.REPORTING)


def close_meeting(campaign: Campaign, votes: Mapping[str, Sequence[Vote]], *, weights: Mapping[str, int] | None = None,
                  grades: Sequence[str] | None = None, items: Sequence[str] = (), actor: Any = None) -> Meeting:
    """Hold a meeting of ``campaign`` where group ``name`` casts ``votes[name]`` and close it."""
    names = list(votes)
    weights = weights or {n: 100 // len(names) + (100 % len(names) if i == 0 else 0) for i, n in enumerate(names)}
    subjects = list(campaign.subjects.order_by("order", "id"))
    meeting = meeting_services.meeting_schedule(
        actor=actor, campaign=campaign, title="通元镇村党组织书记点题述职评议会",
        starts_at=timezone.make_aware(dt.datetime(campaign.year, 6, 20, 9)), venue="党群服务中心",
        subjects=subjects, groups=[meeting_services.GroupSpec(n, Decimal(weights[n]), max(1, len(votes[n])))
                                   for n in names], grades=grades, items=items)
    codes: dict[str, list[str]] = {}
    for group, code in meeting_services.codes_issue(actor=actor, meeting=meeting):
        codes.setdefault(group.name, []).append(code)
    meeting_services.meeting_open(actor=actor, meeting=meeting)
    items_order = list(meeting.agenda.order_by("order"))
    for name, ballots in votes.items():
        for code, ballot in zip(codes[name], ballots, strict=False):
            marks = {}
            for k, item in enumerate(items_order):
                grade = ballot[k]
                scores = ballot[2 + k] if len(ballot) > 2 else None  # type: ignore[misc]
                if grade:
                    marks[item.pk] = meeting_services.Mark(str(grade), dict(scores) if scores else None)
            meeting_services.ballot_submit(meeting=meeting, code=code, marks=marks)
    meeting_services.meeting_close(actor=actor, meeting=meeting)
    meeting.refresh_from_db()
    return meeting


def closed(tree: Any, votes: Mapping[str, Sequence[Vote]], *, appraisal: bool = True, **kw: Any) -> Closed:
    """Return the tree's campaign after a closed meeting with ``votes``, moved on to 评议 unless told otherwise."""
    campaign = reporting(tree)
    meeting = close_meeting(campaign, votes, **kw)
    if appraisal:
        campaign = campaign_services.phase_move(actor=None, campaign=campaign, to=Phase.APPRAISAL)
    subjects = list(campaign.subjects.order_by("order", "id"))
    return Closed(campaign, meeting, subjects[0], subjects[1])


# The hand-computed case of test_results: the default scheme's groups 群众代表 (50 %) and 镇干部 (30 %); no 驻村干部.
PUBLIC = [("好", "较好"), ("好", "较好"), ("较好", "较好"), ("较好", "一般"), ("一般", "差"), ("差", "差")]
TOWN = [("好", "好"), ("较好", "一般")]
HAND = {"群众代表": PUBLIC, "镇干部": TOWN}
# 12 of 12 群众代表 say 差 for 雪水港村: every rule (约谈, 不合格, 整改) fires without doubt.
POOR = {"群众代表": [("差", "好")] * 12}
