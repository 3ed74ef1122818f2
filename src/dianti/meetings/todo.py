"""What needs a person's action at 述职会 now: a secretary's report not yet uploaded for a coming meeting, and
meetings whose voting an admin has open."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from dianti.core.components import Todo
from dianti.core.scope import scope_for

from .models import AgendaItem, Meeting


def for_user(user: Any) -> list[Todo]:
    items: list[Todo] = []
    if not getattr(user, "is_authenticated", False):
        return items
    for item in (AgendaItem.objects.filter(subject__secretary__user=user, meeting__status=Meeting.Status.SCHEDULED,
                                           report="").select_related("meeting")[:20]):
        items.append(Todo(_("上传述职报告：%(title)s") % {"title": item.meeting.title},
                          reverse("meeting_report", args=[item.pk]), why=_("述职会前请上传述职报告")))
    own = scope_for(user).manage_roots  # the convener's admins run the meeting; the level above only watches
    if own:
        for meeting in Meeting.objects.filter(status=Meeting.Status.OPEN, org_path__in=own)[:20]:
            items.append(Todo(_("述职会正在投票：%(title)s") % {"title": meeting.title},
                              reverse("meeting_detail", args=[meeting.pk]), why=_("投票结束后请结束投票")))
    return items
