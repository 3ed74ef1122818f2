"""述职会 through the API: schedule, run and close a meeting, moderate questions, upload a report — and never an
evaluator code, a device or a single ballot in any answer."""

from __future__ import annotations

import io
from typing import Any

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dianti.core.models import AuditEvent
from dianti.meetings import services
from dianti.meetings.models import EvaluatorCode, Meeting
from dianti.testing.api import ApiClient

from .factories import held, reporting, vote

SCHEDULE = {"title": "通元镇村党组织书记点题述职评议会", "starts_at": "2020-06-20T09:00:00+08:00",
            "venue": "通元镇党群服务中心", "groups": [{"name": "镇党委班子成员", "weight": 40, "size": 2},
                                                  {"name": "党员代表", "weight": 60, "size": 3}]}


@pytest.fixture
def admin(client: Any, users: Any) -> ApiClient:
    return ApiClient(client, users.town_admin)


def test_a_meeting_is_scheduled_run_and_closed(admin: ApiClient, tree: Any) -> None:
    campaign = reporting(tree)
    subjects = list(campaign.subjects.order_by("order").values_list("pk", flat=True))
    status, m = admin("post", "/api/v1/meetings", {**SCHEDULE, "campaign": campaign.pk, "subjects": subjects[::-1]})
    assert status == 201, m
    assert [a["subject"] for a in m["agenda"]] == subjects[::-1] and m["status"] == "scheduled"
    assert [(p["group"], p["expected"], p["submitted"]) for p in m["progress"]] == [("镇党委班子成员", 2, 0),
                                                                                     ("党员代表", 3, 0)]
    url = f"/api/v1/meetings/{m['id']}"
    assert admin("post", f"{url}/do/open", {})[1]["status"] == "open"
    status, body = admin("post", f"{url}/do/attendance", {"names": ["李四", "王五"], "unnamed": 10})
    assert status == 200 and body["attendance"] == 12
    item = m["agenda"][1]["id"]
    assert admin("post", f"{url}/do/current", {"item": item})[1]["current_item"] == item
    assert admin("get", f"{url}/results")[0] == 409
    assert admin("post", f"{url}/do/close", {})[1]["status"] == "closed"
    status, tally = admin("get", f"{url}/results")
    assert status == 200 and tally["count"] == 2
    assert [e.action for e in AuditEvent.objects.filter(target_id=str(m["id"]), target_type="meetings.meeting")
            .order_by("id")] == ["meeting.schedule", "meeting.open", "meeting.attendance", "meeting.close"]


def test_a_schedule_the_service_refuses_is_explained(admin: ApiClient, tree: Any) -> None:
    campaign = reporting(tree)
    body = {**SCHEDULE, "campaign": campaign.pk, "subjects": [campaign.subjects.first().pk],
            "groups": [{"name": "党员代表", "weight": 50, "size": 3}]}
    status, answer = admin("post", "/api/v1/meetings", body)
    assert status == 422 and "100%" in answer["detail"] and not Meeting.objects.exists()


def test_no_answer_carries_a_code_a_device_or_a_ballot(client: Any, tree: Any, users: Any) -> None:
    h = held(tree)
    for group_codes in h.codes.values():
        for code in group_codes[:2]:
            vote(h, code, "好", "较好")
    services.meeting_close(actor=None, meeting=h.meeting)
    admin = ApiClient(client, users.county_admin)
    answers = " ".join(str(admin("get", url)[1]) for url in (
        "/api/v1/meetings", f"/api/v1/meetings/{h.meeting.pk}", f"/api/v1/meetings/{h.meeting.pk}/results",
        f"/api/v1/appraisal/meetings/{h.meeting.pk}/results", "/api/v1/audit"))
    secrets = [*h.all_codes(), *EvaluatorCode.objects.values_list("code_hash", flat=True),
               *EvaluatorCode.objects.exclude(device_hash="").values_list("device_hash", flat=True),
               *h.meeting.ballots.values_list("token", flat=True)]
    assert secrets and not [s for s in secrets if s in answers]
    assert "'submitted': 2, 'phone': 2" in answers  # the counts are there


def _report() -> SimpleUploadedFile:
    document, out = docx.Document(), io.BytesIO()
    document.add_paragraph("围绕路灯和停车难，我们今年做了三件事。")
    document.save(out)
    return SimpleUploadedFile("述职报告.docx", out.getvalue())


def test_a_secretary_finds_their_item_and_uploads_the_report(client: Any, tree: Any, users: Any) -> None:
    h = held(tree)
    secretary = ApiClient(client, users.secretary)
    status, mine = secretary("get", "/api/v1/meetings/mine")
    assert status == 200 and [(i["meeting"], i["report"]) for i in mine] == [(h.meeting.pk, False)]
    status, item = secretary.upload(f"/api/v1/meetings/items/{mine[0]['id']}/report", {"file": _report()})
    assert status == 200 and item["report"] is True
    assert "三件事" in h.meeting.agenda.get(pk=mine[0]["id"]).report_text
    other = h.meeting.agenda.exclude(pk=mine[0]["id"]).get()
    # Another secretary's item is out of their sight: answered like a missing one.
    assert secretary.upload(f"/api/v1/meetings/items/{other.pk}/report", {"file": _report()})[0] == 404


def test_questions_are_moderated(admin: ApiClient, tree: Any) -> None:
    h = held(tree)
    question = services.question_ask(meeting=h.meeting, text="村里的停车位什么时候能建好？", device_hash="d1")
    status, body = admin("post", f"/api/v1/meetings/{h.meeting.pk}/questions/{question.pk}", {"action": "approve"})
    assert status == 200 and body["status"] == "approved"
    detail = admin("get", f"/api/v1/meetings/{h.meeting.pk}")[1]
    assert [q["text"] for q in detail["questions"]] == ["村里的停车位什么时候能建好？"]
    assert admin("post", f"/api/v1/meetings/{h.meeting.pk}/questions/{question.pk}", {"action": "shout"})[0] == 422
