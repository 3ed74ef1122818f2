"""述职会's lines in a secretary's record (:mod:`dianti.campaigns.record`): the meeting that heard them, their
report (read on its page by staff and by the secretary; the public learns only that they reported) and the
questions put from the floor that the hall saw."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from dianti.core.components import Audience, Fact
from dianti.core.reads import may_read

from .models import AgendaItem, Meeting, Question
from .permissions import can_view_meeting

_SHOWN = (Question.Status.APPROVED, Question.Status.ANSWERED)


def facts(subjects: list[Any], audience: str, viewer: Any) -> dict[int, list[Fact]]:
    # The latest meeting that heard each subject (a subject rescheduled sits on two agendas).
    items: dict[int, AgendaItem] = {}
    for item in (AgendaItem.objects.filter(subject__in=[s.pk for s in subjects], meeting__rehearsal_of=None)
                 .select_related("meeting")
                 .annotate(asked=Count("questions", filter=Q(questions__status__in=_SHOWN)))
                 .order_by("meeting__starts_at")):
        items[item.subject_id] = item
    out: dict[int, list[Fact]] = {}
    for s in subjects:
        item = items.get(s.pk)
        if item is None:
            continue
        m = item.meeting
        when = formats.date_format(timezone.localtime(m.starts_at), "DATE_FORMAT")
        staff = audience == Audience.STAFF and can_view_meeting(viewer, m)
        meeting_url = reverse("meeting_detail", args=[m.pk]) if staff and may_read(viewer, "meeting_detail") else ""
        lines = [Fact("meeting", _("述职会"), f"{when} · {m.venue}" if audience != Audience.PUBLIC else when,
                      url=meeting_url, note=m.get_status_display())]
        own = audience == Audience.SELF
        report_url = reverse("meeting_report", args=[item.pk]) if (staff or own) and item.report else ""
        if audience == Audience.PUBLIC:
            if m.status == Meeting.Status.CLOSED:
                lines.append(Fact("report", _("述职"), _("已在会上述职")))
        elif item.report:
            lines.append(Fact("report", _("述职报告"), _("已上传"), url=report_url, tone="ok"))
        else:
            lines.append(Fact("report", _("述职报告"), _("未上传"), tone="warn" if m.status != Meeting.Status.CLOSED
                              else ""))
        if item.asked:
            lines.append(Fact("questions", _("现场提问"), _("%(n)d 条") % {"n": item.asked}))
        out[s.pk] = lines
    return out
