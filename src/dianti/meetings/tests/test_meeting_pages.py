"""Defects of the meeting pages found trying a fresh campaign as its users would (issue 10), each as a test."""

from __future__ import annotations

import io

import docx
from django.urls import reverse

from dianti.meetings import services
from dianti.meetings.models import Attendance, Ballot, Meeting

from .factories import held


def _as(client, user):
    client.force_login(user)
    return client


def test_the_console_lists_sheets_typed_once_and_closes_only_when_the_chair_confirms(tree, users, client):
    h = held(tree)
    _as(client, users.town_admin).post(reverse("meeting_paper_entry", args=[h.meeting.pk]), {
        "serial": "6", "group": h.group("党员代表").pk, f"grade_{h.items[0].pk}": "好"})
    detail = reverse("meeting_detail", args=[h.meeting.pk])
    page = client.get(detail).content.decode()
    assert "还有 1 张纸质选票只录入了一次，尚未计入：编号 6" in page and 'name="drop_single_entries"' in page
    close = reverse("meeting_action", args=[h.meeting.pk, "close"])
    refused = client.post(close, follow=True).content.decode()
    assert "只录入了一次" in refused and "编号 6" in refused
    assert Meeting.objects.get().status == Meeting.Status.OPEN
    client.post(close, {"drop_single_entries": "1"})
    assert Meeting.objects.get().status == Meeting.Status.CLOSED and not Ballot.objects.exists()


def test_a_secretary_s_list_does_not_say_no_meeting_is_scheduled(tree, users, client):
    h = held(tree)
    page = _as(client, users.secretary).get(reverse("meeting_list")).content.decode()
    assert "我的述职安排" in page and h.meeting.title in page
    assert "还没有安排述职会" not in page


def test_a_past_meeting_no_longer_offers_to_upload_a_report(tree, users, client):
    h = held(tree)
    _as(client, users.secretary)
    assert "上传述职报告" in client.get(reverse("meeting_list")).content.decode()
    services.meeting_close(actor=None, meeting=h.meeting)
    page = client.get(reverse("meeting_list")).content.decode()
    assert "上传述职报告" not in page and "会议已结束，未交报告" in page


def test_the_agenda_says_nobody_is_reporting_after_the_close(tree, users, client):
    h = held(tree)
    detail = reverse("meeting_detail", args=[h.meeting.pk])
    assert "正在述职" in _as(client, users.town_admin).get(detail).content.decode()
    services.meeting_close(actor=None, meeting=h.meeting)
    assert "正在述职" not in client.get(detail).content.decode()


def test_staff_record_attendance_by_name_and_by_count_and_the_minutes_count_them(tree, users, client):
    h = held(tree)
    hall = reverse("meeting_public", args=[h.meeting.public_key])
    client.post(hall, {"what": "sign_in", "name": "王大伯", "role": "党员"})  # signed in on a phone
    _as(client, users.town_admin)
    client.post(reverse("meeting_action", args=[h.meeting.pk, "attendance"]),
                {"names": "李四，王五", "unnamed": "5", "role": "群众代表"})
    assert sorted(Attendance.objects.values_list("via", "headcount")) == [("clerk", 1), ("clerk", 1), ("clerk", 5),
                                                                          ("qr", 1)]
    assert "签到 8 人" in client.get(reverse("meeting_detail", args=[h.meeting.pk])).content.decode()
    services.meeting_close(actor=None, meeting=h.meeting)
    minutes = docx.Document(io.BytesIO(client.get(reverse("meeting_minutes", args=[h.meeting.pk])).content))
    text = "\n".join(p.text for p in minutes.paragraphs)
    assert "出席：8 人（王大伯、李四、王五；另有 5 人未登记姓名）" in text


def test_recording_attendance_with_neither_names_nor_a_count_says_what_to_fill_in(tree, users, client):
    h = held(tree)
    response = _as(client, users.town_admin).post(
        reverse("meeting_action", args=[h.meeting.pk, "attendance"]), {"names": "", "unnamed": ""}, follow=True)
    assert "请填写参会人员姓名，或填写未登记姓名的人数" in response.content.decode()
    assert not Attendance.objects.exists()
