"""群众点题's lines in a secretary's record (:mod:`dianti.campaigns.record`): where the topic came from — the people's
voices behind it (how many opinions, from how many people, through which channels, and the most supported few as
they were moderated: visible, not merged duplicates, never a name) or the 党建责任清单 item it was drawn from."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from dianti.core.components import Audience, Fact
from dianti.core.reads import may_read
from dianti.core.scope import scope_for

from .models import AssignedTopic, Opinion

SHOWN = 3  # opinions quoted per topic
EXCERPT = 80  # characters of each


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1] + "…"


def facts(subjects: list[Any], audience: str, viewer: Any) -> dict[int, list[Fact]]:
    sources = {a.subject_id: a for a in AssignedTopic.objects.filter(subject__in=[s.pk for s in subjects])
               .select_related("topic", "responsibility")}
    topic_ids = [a.topic_id for a in sources.values() if a.topic_id]
    quoted: dict[int, list[str]] = defaultdict(list)
    ranked = Window(RowNumber(), partition_by=F("topic_id"), order_by=[F("supports").desc(), F("id").desc()])
    rows = (Opinion.objects.filter(topic__in=topic_ids, status=Opinion.Status.VISIBLE, duplicate_of__isnull=True)
            .annotate(rank=ranked).filter(rank__lte=SHOWN).order_by("topic_id", "rank").values_list("topic_id", "text"))
    for topic_id, text in rows:
        if _excerpt(text) not in quoted[topic_id]:  # opinions worded alike are quoted once
            quoted[topic_id].append(_excerpt(text))
    workbench = audience == Audience.STAFF and may_read(viewer, "voices_workbench")
    out: dict[int, list[Fact]] = {}
    for s in subjects:
        source = sources.get(s.pk)
        if source is None:
            continue
        if source.topic is not None:
            t = source.topic
            channels = pgettext("list separator", "、").join(label for label, _n in t.channel_list[:4])
            url = reverse("voices_workbench", args=[s.pk]) if workbench and scope_for(viewer).can_view_path(
                s.campaign.org_path) else ""
            out[s.pk] = [Fact("voices", _("群众呼声"),
                              _("%(n)d 条意见，%(people)d 人反映，%(supports)d 人次关心") % {
                                  "n": t.size, "people": t.people, "supports": t.supports},
                              url=url, note=_("来自：%(channels)s") % {"channels": channels} if channels else "")]
            out[s.pk] += [Fact("voice", _("群众意见"), text) for text in quoted.get(t.pk, [])]
        elif source.responsibility is not None:
            out[s.pk] = [Fact("voices", _("题目来源"), _("党建责任清单：%(item)s") % {
                "item": source.responsibility.title})]
    return out
