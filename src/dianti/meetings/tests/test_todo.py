"""The 述职会 to-do, walked: each item appears, the work is done through the service, and it goes.

The secretary prepares from their topic, then uploads the report before the meeting (by its date); the convener
schedules a meeting for subjects not on any agenda; while voting is open it has paper sheets typed only once (for a
second clerk) or twice and disagreeing, and questions from the floor to moderate."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dianti.campaigns import services as campaign_services
from dianti.campaigns.models import Phase
from dianti.campaigns.tests.factories import in_topics
from dianti.meetings import services, todo
from dianti.meetings.models import PaperEntry

from .factories import GROUPS, STARTS, held, reporting, scheduled

pytestmark = pytest.mark.django_db


def _of(user: Any, kind: str) -> list[Any]:
    return [i for i in todo.for_user(user) if i.kind == kind]


def _docx() -> SimpleUploadedFile:
    from docx import Document

    doc = Document()
    doc.add_paragraph("雪水港村党组织书记点题述职报告")
    buf = io.BytesIO()
    doc.save(buf)
    return SimpleUploadedFile("述职报告.docx", buf.getvalue())


def test_the_secretary_prepares_from_the_topic_then_uploads_the_report_by_the_meeting(tree: Any, users: Any) -> None:
    campaign = in_topics(tree, deadlines={Phase.REPORTING: "2030-06-30"})
    mine = campaign.subjects.get(organization=tree.village_a1)
    assert todo.for_user(users.secretary) == []  # chosen, no topic yet: nothing to prepare
    campaign_services.subject_topic_set(actor=users.town_admin, subject=mine, topic="村道破损和停车难怎么解决")
    [prepare] = todo.for_user(users.secretary)
    assert (prepare.kind, prepare.url, str(prepare.deadline)) == ("准备", reverse("my_campaigns"), "2030-06-30")
    assert "村道破损和停车难怎么解决" in prepare.label
    for s in campaign.subjects.exclude(pk=mine.pk):
        campaign_services.subject_topic_set(actor=None, subject=s, topic="老年食堂如何办得长久")
    meeting = scheduled(campaign)  # the preparation item gives way to the upload
    [upload] = todo.for_user(users.secretary)
    item = meeting.agenda.get(subject=mine)
    assert (upload.kind, upload.url, upload.deadline) == ("上传", reverse("meeting_report", args=[item.pk]),
                                                          dt.date(2020, 6, 20))
    services.report_upload(actor=users.secretary, item=item, upload=_docx())
    assert todo.for_user(users.secretary) == []
    assert todo.for_user(users.other_town_admin) == []


def test_subjects_on_no_agenda_wait_for_a_meeting_to_be_scheduled(tree: Any, users: Any) -> None:
    campaign = reporting(tree)
    [item] = _of(users.town_admin, "安排")
    assert item.count == 2 and item.url == reverse("meeting_schedule", args=[campaign.pk])
    assert _of(users.county_admin, "安排") == []
    first, second = campaign.subjects.order_by("order", "id")
    scheduled(campaign, subjects=[first])
    [item] = _of(users.town_admin, "安排")
    assert item.count == 1
    services.meeting_schedule(actor=users.town_admin, campaign=campaign, title="第二场", venue="村委会",
                              starts_at=STARTS.replace(tzinfo=dt.UTC), subjects=[second], groups=GROUPS)
    assert _of(users.town_admin, "安排") == []


def _enter(h: Any, clerk: Any, serial: int, *grades: str) -> str:
    return services.paper_enter(actor=clerk, meeting=h.meeting, group=h.group("党员代表"), serial=serial,
                                grades={item.pk: g for item, g in zip(h.items, grades, strict=True)})


def test_a_paper_sheet_typed_once_waits_for_a_second_clerk(tree: Any, users: Any) -> None:
    h = held(tree)
    assert _of(users.town_admin, "录入") == [] and [i.kind for i in todo.for_user(users.town_admin)] == ["主持"]
    _enter(h, users.town_admin, 1, "好", "较好")
    _enter(h, users.town_admin, 2, "好", "好")
    [item] = _of(users.town_admin, "录入")
    assert item.count == 2 and item.url == reverse("meeting_paper_entry", args=[h.meeting.pk])
    _enter(h, users.county_admin, 1, "好", "较好")
    assert _of(users.town_admin, "录入")[0].count == 1
    assert _enter(h, users.county_admin, 2, "好", "差") == "mismatch"
    assert _of(users.town_admin, "录入") == []
    [dispute] = _of(users.town_admin, "核对")
    services.paper_resolve(actor=users.town_admin, meeting=h.meeting, serial=2,
                           entry=PaperEntry.objects.get(serial=2, clerk=users.town_admin))
    assert _of(users.town_admin, "核对") == []
    services.meeting_close(actor=users.town_admin, meeting=h.meeting)
    assert todo.for_user(users.town_admin) == []  # voting closed: nothing of this meeting waits


def test_a_question_from_the_floor_waits_for_moderation(tree: Any, users: Any) -> None:
    h = held(tree)
    q = services.question_ask(meeting=h.meeting, text="书记，村里的路灯什么时候能修好？", device_hash="d" * 64)
    [item] = _of(users.town_admin, "审核")
    assert item.url == reverse("meeting_detail", args=[h.meeting.pk]) + "#questions"
    assert _of(users.county_admin, "审核") == []  # the level above watches the meeting, it does not run it
    services.question_moderate(actor=users.town_admin, question=q, action="approve")
    assert _of(users.town_admin, "审核") == []
