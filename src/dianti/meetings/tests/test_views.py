"""The staff pages of the meeting through the test client: who may see and do what, and what each page shows."""

from __future__ import annotations

import io

import docx
import pytest
from django.urls import reverse

from dianti.core import ratelimit
from dianti.meetings import documents, services
from dianti.meetings.models import Ballot, EvaluatorCode, Meeting, PaperEntry, Question

from .factories import held, reporting, vote
from .test_documents import report_docx

SCHEDULE = {"title": "通元镇述职评议会", "starts_at": "2020-06-20T09:00", "venue": "镇党群服务中心", "host": "",
            "minutes_each": "15", "grades": "好，较好，一般，差", "items": "德、能", "allow_revise": "on",
            "group_0_name": "镇党委班子成员", "group_0_weight": "40", "group_0_size": "2",
            "group_1_name": "党员代表", "group_1_weight": "60", "group_1_size": "3"}


def _as(client, user):
    client.force_login(user)
    return client


def test_the_schedule_page_schedules_and_leads_to_the_meeting(tree, users, client):
    campaign = reporting(tree)
    subjects = [s.pk for s in campaign.subjects.order_by("order")]
    response = _as(client, users.town_admin).post(reverse("meeting_schedule", args=[campaign.pk]),
                                                  {**SCHEDULE, "subject": subjects})
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response.url == reverse("meeting_detail", args=[meeting.pk])
    assert meeting.items == ["德", "能"] and meeting.agenda.count() == 2 and meeting.groups.count() == 2


def test_weights_off_100_are_said_on_the_form_in_chinese(tree, users, client):
    campaign = reporting(tree)
    response = _as(client, users.town_admin).post(reverse("meeting_schedule", args=[campaign.pk]), {
        **SCHEDULE, "group_1_weight": "50", "subject": [s.pk for s in campaign.subjects.all()]})
    assert response.status_code == 200 and "各评议人类别的权重之和须为 100%，现为 90%" in response.content.decode()
    assert not Meeting.objects.exists()


def test_schedule_is_403_or_404_outside_the_convener(tree, users, client):
    campaign = reporting(tree)
    url = reverse("meeting_schedule", args=[campaign.pk])
    assert _as(client, users.other_town_admin).get(url).status_code == 404
    assert _as(client, users.evaluator).post(url, SCHEDULE).status_code == 403
    assert not Meeting.objects.exists()


def test_meeting_pages_are_hidden_from_another_town(tree, users, client):
    h = held(tree)
    pk = h.meeting.pk
    _as(client, users.other_town_admin)
    for name in ("meeting_detail", "meeting_screen", "meeting_minutes", "meeting_paper_pdf"):
        assert client.get(reverse(name, args=[pk])).status_code == 404, name
    for name in ("meeting_codes", "meeting_paper_entry"):
        assert client.post(reverse(name, args=[pk])).status_code == 404, name
    assert client.post(reverse("meeting_action", args=[pk, "close"])).status_code == 404
    assert Meeting.objects.get().status == Meeting.Status.OPEN
    assert h.meeting.title not in client.get(reverse("meeting_list")).content.decode()


def test_an_evaluator_of_the_town_neither_sees_nor_runs_the_console(tree, users, client):
    h = held(tree)
    pk = h.meeting.pk
    _as(client, users.evaluator)  # evaluators score through the ballot pages only (core/reads.py)
    assert client.get(reverse("meeting_detail", args=[pk])).status_code == 403
    assert client.post(reverse("meeting_action", args=[pk, "close"])).status_code == 403
    assert client.post(reverse("meeting_codes", args=[pk])).status_code == 403
    assert client.post(reverse("meeting_question", args=[pk, 1]), {"action": "approve"}).status_code == 403


def test_issuing_codes_downloads_the_slips_at_once(tree, users, client):
    h = held(tree)
    response = _as(client, users.town_admin).post(reverse("meeting_codes", args=[h.meeting.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and EvaluatorCode.objects.filter(revoked=False).count() == 5


def test_the_host_opens_switches_and_closes_from_the_console(tree, users, client):
    h = held(tree)
    _as(client, users.town_admin)
    action = lambda name, **data: client.post(reverse("meeting_action", args=[h.meeting.pk, name]), data)  # noqa: E731
    assert action("current", item=h.items[1].pk).status_code == 302
    assert Meeting.objects.get().current_item == h.items[1]
    assert action("current", item="not a number").status_code == 302
    action("attendance", names="李四，王五\n赵六", role="党员代表")
    assert h.meeting.attendance.count() == 3
    assert action("bogus").status_code == 404
    action("close")
    page = client.get(reverse("meeting_detail", args=[h.meeting.pk])).content.decode()
    assert Meeting.objects.get().status == Meeting.Status.CLOSED and "测评结果" in page


def test_a_refused_close_says_which_paper_ballots_disagree(tree, users, client):
    h = held(tree)
    for clerk, grade in ((users.town_admin, "好"), (users.county_admin, "差")):
        _as(client, clerk).post(reverse("meeting_paper_entry", args=[h.meeting.pk]), {
            "serial": "9", "group": h.group("党员代表").pk, f"grade_{h.items[0].pk}": grade})
    response = client.post(reverse("meeting_action", args=[h.meeting.pk, "close"]), follow=True)
    assert "两次录入不一致" in response.content.decode() and "编号 9" in response.content.decode()
    assert Meeting.objects.get().status == Meeting.Status.OPEN


def test_paper_entry_and_resolve_through_the_console(tree, users, client):
    h = held(tree)
    url = reverse("meeting_paper_entry", args=[h.meeting.pk])
    data = {"serial": "3", "group": h.group("党员代表").pk, f"grade_{h.items[0].pk}": "好"}
    first = _as(client, users.town_admin).post(url, data, follow=True).content.decode()
    assert "编号 3 已录入，等待第二位录入员核对" in first
    second = _as(client, users.county_admin).post(url, {**data, f"grade_{h.items[0].pk}": "较好"}, follow=True)
    assert "编号 3 两次录入不一致" in second.content.decode()
    assert "请填写选票编号" in client.post(url, {"serial": "x", "group": "1"}, follow=True).content.decode()
    entry = PaperEntry.objects.get(clerk=users.county_admin)
    client.post(reverse("meeting_paper_resolve", args=[h.meeting.pk, 3]), {"entry": entry.pk})
    assert list(Ballot.objects.values_list("grade", "kind")) == [("较好", "paper")]


def test_resolving_a_serial_typed_once_is_refused_on_the_console(tree, users, client):
    h = held(tree)
    _as(client, users.town_admin).post(reverse("meeting_paper_entry", args=[h.meeting.pk]), {
        "serial": "4", "group": h.group("党员代表").pk, f"grade_{h.items[0].pk}": "好"})
    response = client.post(reverse("meeting_paper_resolve", args=[h.meeting.pk, 4]),
                           {"entry": PaperEntry.objects.get().pk}, follow=True)
    assert "编号 4 没有两次录入不一致的记录" in response.content.decode() and not Ballot.objects.exists()


def test_moderating_through_the_console(tree, users, client):
    h = held(tree)
    q = services.question_ask(meeting=h.meeting, text="书记，村里的路灯什么时候能修好？", device_hash=ratelimit.digest("a"))
    _as(client, users.town_admin)
    url = reverse("meeting_question", args=[h.meeting.pk, q.pk])
    client.post(url, {"action": "answer", "answer": "三个月内修好"})
    assert Question.objects.get().status == Question.Status.ANSWERED
    assert _as(client, users.other_town_admin).post(url, {"action": "hide"}).status_code == 404
    assert Question.objects.get().status == Question.Status.ANSWERED


def test_minutes_wait_for_the_close_then_download_as_docx(tree, users, client):
    h = held(tree)
    _as(client, users.town_admin)
    early = client.get(reverse("meeting_minutes", args=[h.meeting.pk]), follow=True)
    assert "会议结束后才能生成会议纪要" in early.content.decode()
    services.meeting_close(actor=None, meeting=h.meeting)
    response = client.get(reverse("meeting_minutes", args=[h.meeting.pk]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert docx.Document(io.BytesIO(response.content)).paragraphs[0].text.endswith("会议纪要")


def test_paper_ballot_copies_are_bounded_and_a_bad_number_is_not_a_crash(tree, users, client, monkeypatch):
    h = held(tree)
    asked = []
    monkeypatch.setattr(documents, "paper_ballots_pdf", lambda *, meeting, serials: asked.append(len(serials)) or b"%PDF")
    _as(client, users.town_admin)
    for copies in ("2", "", "500"):
        assert client.get(reverse("meeting_paper_pdf", args=[h.meeting.pk]), {"copies": copies}).status_code == 200
    for copies in ("abc", "0", "-3", "99999"):
        response = client.get(reverse("meeting_paper_pdf", args=[h.meeting.pk]), {"copies": copies}, follow=True)
        assert response.status_code == 200 and "一次可打印 1 至 500 张纸质选票" in response.content.decode()
    assert asked == [2, 20, 500]


def test_the_projector_shows_progress_per_group_and_never_the_grades_before_closing(tree, users, client):
    h = held(tree)
    vote(h, h.codes["党员代表"][0], "好", "差")
    vote(h, h.codes["党员代表"][1], "较好")
    vote(h, h.codes["镇党委班子成员"][0], "差")
    _as(client, users.town_admin)
    for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
        page = client.get(reverse("meeting_screen", args=[h.meeting.pk]), **headers).content.decode()
        assert "镇党委班子成员</span><b>1 / 2</b>" in page and "党员代表</span><b>2 / 3</b>" in page
        assert "雪水港村" in page and not [g for g in ("较好", "一般", "差", "平均分", "等次分布") if g in page]
    detail = client.get(reverse("meeting_detail", args=[h.meeting.pk])).content.decode()
    assert "测评结果" not in detail and "平均分" not in detail


def test_the_report_page_takes_the_secretary_s_upload_and_shows_its_text(tree, users, client):
    h = held(tree)
    url = reverse("meeting_report", args=[h.items[0].pk])
    _as(client, users.secretary)
    assert client.get(url).status_code == 200
    response = client.post(url, {"report": _named(report_docx(), "报告.docx")})
    assert response.status_code == 302
    assert "修通了村道三公里" in client.get(url).content.decode()
    bad = client.post(url, {"report": _named(b"hello", "报告.txt")}, follow=True).content.decode()
    assert "述职报告请上传 .docx 或 .pdf 文件" in bad


def test_the_report_page_is_closed_to_other_secretaries_and_towns(tree, users, client):
    h = held(tree)
    url = reverse("meeting_report", args=[h.items[1].pk])  # 丰义村: not 张书记's
    assert _as(client, users.secretary).get(url).status_code == 404
    assert client.post(url, {"report": _named(report_docx(), "报告.docx")}).status_code == 404
    assert _as(client, users.other_town_admin).get(url).status_code == 404
    assert not h.meeting.agenda.exclude(report="").exists()


def _named(content: bytes, name: str):
    f = io.BytesIO(content)
    f.name = name
    return f


@pytest.mark.parametrize("user", ["town_admin", "county_admin"])
def test_admins_see_the_meeting_in_their_list(tree, users, client, user):
    h = held(tree)
    assert h.meeting.title in _as(client, getattr(users, user)).get(reverse("meeting_list")).content.decode()


def test_a_secretary_finds_their_own_agenda_item_in_the_list(tree, users, client):
    h = held(tree)
    page = _as(client, users.secretary).get(reverse("meeting_list")).content.decode()
    assert reverse("meeting_report", args=[h.items[0].pk]) in page
    assert reverse("meeting_report", args=[h.items[1].pk]) not in page
