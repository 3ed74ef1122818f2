"""What needs a person's action at 述职会 now.

A secretary: the topic to prepare for (set, no meeting yet) and then the report to upload before the meeting.
The convener's admins: subjects of a campaign in 述职 not yet on any meeting's agenda (a meeting to schedule), and at
a meeting whose voting is open — the vote to close, paper ballots typed only once (waiting for the second clerk) or
twice and disagreeing, questions from the floor waiting for moderation. The level above only watches meetings.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dianti.campaigns.models import Campaign, Phase, Subject
from dianti.core.components import Todo
from dianti.core.scope import scope_for

from .models import AgendaItem, Meeting, Question
from .selectors import papers_pending

LIMIT = 20


def for_user(user: Any) -> list[Todo]:
    if not getattr(user, "is_authenticated", False):
        return []
    items = _secretary(user)
    own = scope_for(user).manage_roots  # the convener's admins run the meeting; the level above only watches
    if own:
        items += _to_schedule(own) + _open_meetings(own)
    return items


def _secretary(user: Any) -> list[Todo]:
    items: list[Todo] = []
    for item in (AgendaItem.objects.filter(subject__secretary__user=user, meeting__status=Meeting.Status.SCHEDULED,
                                           report="", meeting__rehearsal_of=None).select_related("meeting", "subject")[:LIMIT]):
        items.append(Todo(_("上传述职报告：%(title)s") % {"title": item.meeting.title},
                          reverse("meeting_report", args=[item.pk]),
                          why=_("述职题目：%(topic)s。述职会前请上传述职报告") % {"topic": item.subject.topic},
                          kind=_("上传"), deadline=timezone.localtime(item.meeting.starts_at).date()))
    # A topic set and no meeting yet to upload for: the secretary reads it and prepares (the upload item follows).
    on_agenda = AgendaItem.objects.filter(subject=OuterRef("pk"), meeting__status__in=[Meeting.Status.SCHEDULED,
                                                                                       Meeting.Status.OPEN])
    preparing = (Subject.objects.filter(secretary__user=user, status=Subject.Status.TOPIC_SET,
                                        campaign__phase__in=[Phase.TOPICS, Phase.REPORTING])
                 .exclude(topic="").filter(~Exists(on_agenda)).select_related("campaign")[:LIMIT])
    for s in preparing:
        items.append(Todo(_("您的述职题目：%(topic)s") % {"topic": s.topic}, reverse("my_campaigns"),
                          why=_("%(title)s。请阅读群众反映的意见，准备述职报告；述职会安排后在此上传")
                          % {"title": s.campaign.title}, kind=_("准备"), deadline=s.campaign.due(Phase.REPORTING)))
    return items


def _to_schedule(own: tuple[str, ...]) -> list[Todo]:
    unscheduled = Q(subjects__agenda_items__isnull=True)
    waiting = (Campaign.objects.filter(phase=Phase.REPORTING, org_path__in=own)
               .annotate(n=Count("subjects", filter=unscheduled, distinct=True)).filter(n__gt=0)
               .order_by("year", "org_path")[:LIMIT])
    return [Todo(_("安排述职会：%(title)s（%(n)d 人尚未排入议程）") % {"title": c.title, "n": c.n},
                 reverse("meeting_schedule", args=[c.pk]), c.n, _("安排会议时间、地点、议程和评议人"),
                 kind=_("安排"), deadline=c.due(Phase.REPORTING)) for c in waiting]


def _open_meetings(own: tuple[str, ...]) -> list[Todo]:
    meetings = list(Meeting.objects.filter(status=Meeting.Status.OPEN, org_path__in=own).order_by("starts_at")[:LIMIT])
    if not meetings:
        return []
    paper = papers_pending(m.pk for m in meetings)
    asked = dict(Question.objects.filter(meeting__in=meetings, status=Question.Status.PENDING).values("meeting")
                 .annotate(n=Count("id")).values_list("meeting", "n"))
    items: list[Todo] = []
    for m in meetings:
        where = reverse("meeting_detail", args=[m.pk])
        items.append(Todo(_("述职会正在投票：%(title)s") % {"title": m.title}, where,
                          why=_("投票结束后请结束投票"), kind=_("主持")))
        pending = paper[m.pk]
        entry = reverse("meeting_paper_entry", args=[m.pk])
        if pending.single:
            items.append(Todo(_("纸质选票待第二人录入：%(title)s（%(n)d 张）") % {"title": m.title, "n": len(pending.single)},
                              entry, len(pending.single), _("每张纸质选票须由另一位录入员再录一次，一致后计入"),
                              kind=_("录入")))
        if pending.disputed:
            items.append(Todo(_("纸质选票两次录入不一致：%(title)s（%(n)d 张）") % {"title": m.title,
                                                                            "n": len(pending.disputed)},
                              entry, len(pending.disputed), _("请对照纸质选票选定正确的录入"), kind=_("核对")))
        if asked.get(m.pk):
            items.append(Todo(_("现场提问待审核：%(title)s（%(n)d 条）") % {"title": m.title, "n": asked[m.pk]},
                              where + "#questions", asked[m.pk], _("审核通过后提问才会上屏"), kind=_("审核")))
    return items
