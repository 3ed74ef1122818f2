"""The pages: list (filters, red overdue, Excel, query count), opening by hand and from proposals, the case page and
its actions, the 三责联诺 form, progress with evidence, supervision, notices, the public side, stats and API."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from dianti.appraisal.models import ActionProposal
from dianti.core import events
from dianti.rectification.models import Case, Observation, State

from .factories import case_in, in_days


def _png() -> SimpleUploadedFile:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (20, 20), (200, 30, 30)).save(buf, format="PNG")
    return SimpleUploadedFile("照片.png", buf.getvalue(), content_type="image/png")


@pytest.fixture
def cases(campaign: Any, users: Any) -> tuple[Case, Case]:
    a1, a2 = campaign.subjects.order_by("order")
    late = case_in(State.IN_PROGRESS, a1, actor=users.town_admin, secretary=users.secretary)
    Case.objects.filter(pk=late.pk).update(deadline=dt.date.today() - dt.timedelta(days=2))
    done = case_in(State.CLOSED, a2, actor=users.town_admin)
    return Case.objects.get(pk=late.pk), done


def test_the_list_shows_overdue_in_red_and_filters(client: Any, users: Any, cases: Any, tree: Any) -> None:
    late, done = cases
    client.force_login(users.county_admin)
    with CaptureQueriesContext(connection) as q:
        page = client.get("/rectification/")
    assert page.status_code == 200 and len(q) <= 20
    html = page.content.decode()
    assert 'class="late"' in html and "各镇（街道）整改情况" in html
    assert [c.pk for c in client.get("/rectification/?overdue=1").context["page"]] == [late.pk]
    assert [c.pk for c in client.get("/rectification/?state=closed").context["page"]] == [done.pk]
    assert client.get(f"/rectification/?town={tree.town_b.code}").context["page"].paginator.count == 0
    row = client.get("/rectification/").context["by_town"][0]
    assert (row.total, row.overdue, row.closed) == (2, 1, 1)


def test_the_list_exports_to_excel(client: Any, users: Any, cases: Any) -> None:
    from openpyxl import load_workbook

    client.force_login(users.town_admin)
    response = client.get("/rectification/?format=xlsx")
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:3] == ("文号", "发文单位", "组织") and len(rows) == 3
    assert {r[5] for r in rows[1:]} == {"整改中", "已销号"} and "是" in {r[6] for r in rows[1:]}


def test_the_secretary_sees_only_their_own_cases(client: Any, users: Any, cases: Any) -> None:
    client.force_login(users.secretary)
    page = client.get("/rectification/")
    assert [c.pk for c in page.context["page"]] == [cases[0].pk]
    assert "整改" in [label for label, _url, _waiting in page.context["nav"]]


def test_open_by_hand_then_issue_from_the_case_page(client: Any, users: Any, subject: Any) -> None:
    client.force_login(users.town_admin)
    response = client.post(f"/rectification/open/{subject.pk}/", {
        "problems": "组织生活不规范\n村务公开不及时", "requirements": "", "deadline": in_days(60).isoformat()})
    case = Case.objects.get(subject=subject)
    assert response.status_code == 302 and case.state == State.DRAFT and case.problems.count() == 2
    client.post(f"/rectification/{case.pk}/do/issue/")
    case.refresh_from_db()
    assert case.state == State.ISSUED and case.number.endswith("〕1号")
    assert client.get(f"/rectification/{case.pk}/notice.docx").status_code == 200
    assert client.get(f"/rectification/{case.pk}/notice.pdf")["Content-Type"] == "application/pdf"


def test_a_bad_open_says_what_to_fix(client: Any, users: Any, subject: Any) -> None:
    client.force_login(users.town_admin)
    response = client.post(f"/rectification/open/{subject.pk}/", {"problems": "差", "deadline": "2001-01-01"})
    assert response.status_code == 200
    assert "太短" in response.content.decode() or "不能早于今天" in response.content.decode()
    assert not Case.objects.exists()


def test_confirmed_proposals_open_draft_cases(client: Any, users: Any, campaign: Any, subject: Any) -> None:
    ActionProposal.objects.create(subject=subject, campaign=campaign, org_path=campaign.org_path,
                                  action=ActionProposal.Action.RECTIFICATION, rule="low_satisfaction",
                                  reason="满意率 52%，低于 60%", status=ActionProposal.Status.CONFIRMED)
    client.force_login(users.town_admin)
    page = client.get(f"/rectification/campaign/{campaign.pk}/")
    assert page.context["pending"] == 1
    client.post(f"/rectification/campaign/{campaign.pk}/", {"deadline": in_days(60).isoformat()})
    case = Case.objects.get()
    assert case.proposal is not None and "述职评议中" in case.problems.get().text
    assert client.get(f"/rectification/campaign/{campaign.pk}/").context["pending"] == 0


def test_actions_need_their_note(client: Any, users: Any, subject: Any) -> None:
    case = case_in(State.AWAITING, subject, actor=users.town_admin, secretary=users.secretary)
    client.force_login(users.town_admin)
    page = client.get(f"/rectification/{case.pk}/")
    assert {m.name for m in page.context["moves"]} == {"close", "reject", "carry_over"}
    response = client.post(f"/rectification/{case.pk}/do/close/", {"note": ""}, follow=True)
    assert "请写明验收销号的理由" in response.content.decode()
    client.post(f"/rectification/{case.pk}/do/close/", {"note": "实地核查，已整改到位"})
    case.refresh_from_db()
    assert case.state == State.CLOSED
    assert client.get(f"/rectification/{case.pk}/timeline/").status_code == 200


def test_the_commitment_form_adds_rows_and_submits(client: Any, users: Any, subject: Any) -> None:
    case = case_in(State.ISSUED, subject, actor=users.town_admin)
    p1, p2 = case.problems.all()
    client.force_login(users.secretary)
    page = client.post(f"/rectification/{case.pk}/commit/", {f"n-{p1.pk}": "1", f"n-{p2.pk}": "1", "add": p1.pk,
                                                             f"m-{p1.pk}-0-text": "每月召开主题党日"})
    assert page.status_code == 200 and [len(b.rows) for b in page.context["form"].blocks] == [2, 1]
    assert "每月召开主题党日" in page.content.decode()
    data = {f"n-{p1.pk}": "1", f"n-{p2.pk}": "1", "mechanisms": "每月公开一次村务", "pledge": "按期完成"}
    for p in (p1, p2):
        data.update({f"m-{p.pk}-0-text": "逐条整改到位", f"m-{p.pk}-0-owner": "李主任",
                     f"m-{p.pk}-0-deadline": in_days(20).isoformat(), f"m-{p.pk}-0-expected": "群众满意"})
    bad = client.post(f"/rectification/{case.pk}/commit/", {**data, f"m-{p2.pk}-0-owner": ""})
    assert bad.status_code == 400 and "问题 2 的第 1 条措施：请填写责任人" in bad.content.decode()
    assert client.post(f"/rectification/{case.pk}/commit/", data).status_code == 302
    case.refresh_from_db()
    assert case.state == State.COMMITTED and case.measures.count() == 2 and case.mechanisms.count() == 1


def test_progress_with_evidence_and_refused_files(client: Any, users: Any, subject: Any) -> None:
    case = case_in(State.IN_PROGRESS, subject, actor=users.town_admin, secretary=users.secretary)
    measure = case.measures.first()
    client.force_login(users.secretary)
    url = f"/rectification/measures/{measure.pk}/progress/"
    fake = SimpleUploadedFile("照片.jpg", b"not a picture", content_type="image/jpeg")
    exe = SimpleUploadedFile("病毒.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    bad = client.post(url, {"percent": 50, "text": "正在推进整改", "files": [fake, exe]})
    assert bad.status_code == 400
    body = bad.content.decode()
    assert "无法识别照片“照片.jpg”" in body and "不支持“病毒.exe”的文件类型" in body
    pdf = SimpleUploadedFile("台账.pdf", b"%PDF-1.4\n%%EOF", content_type="application/pdf")
    assert client.post(url, {"percent": 60, "text": "正在推进整改", "files": [_png(), pdf]}).status_code == 302
    measure.refresh_from_db()
    report = measure.reports.get()
    assert measure.percent == 60 and sorted(report.evidence.values_list("kind", flat=True)) == ["document", "photo"]
    photo = report.evidence.get(kind="photo")
    assert client.get(f"/rectification/evidence/{photo.pk}/").status_code == 200
    client.force_login(users.other_town_admin)
    assert client.get(f"/rectification/evidence/{photo.pk}/").status_code == 404


def test_point_staff_file_a_supervision_visit(client: Any, users: Any, subject: Any) -> None:
    case = case_in(State.IN_PROGRESS, subject, actor=users.town_admin, secretary=users.secretary)
    client.force_login(users.point_staff)
    response = client.post(f"/rectification/{case.pk}/supervise/", {
        "visited_on": dt.date.today().isoformat(), "seen": "公开栏已更新，走访三户均知晓", "rating": "fair_good"})
    assert response.status_code == 302
    assert case.supervisions.get().author_name == "直报点联络员"


@pytest.mark.django_db(transaction=True)
def test_the_public_tells_what_they_see_through_the_tracking_page(client: Any, users: Any, subject: Any,
                                                                   voiced: list[Any]) -> None:
    case = case_in(State.IN_PROGRESS, subject, actor=users.town_admin, secretary=users.secretary)
    code = voiced[1].tracking_code
    track = client.get(f"/v/t/{code}/").content.decode()
    assert "整改进展" in track and f"/r/{code}/" in track
    assert client.get(f"/r/{code}/").status_code == 200
    # A bot filling the honeypot is turned away without a trace.
    client.post(f"/r/{code}/", {"text": "机器人写的内容很多很多", "website": "http://spam"})
    assert not Observation.objects.exists()
    assert client.post(f"/r/{code}/", {"text": "路灯已经修好了"}).status_code == 200
    assert Observation.objects.get().case == case
    assert client.post(f"/r/{code}/", {"text": "短"}).status_code == 400
    for _ in range(2):
        client.post(f"/r/{code}/", {"text": "又去看了一次，路灯还亮着"})
    assert client.post(f"/r/{code}/", {"text": "又去看了一次，路灯还亮着"}).status_code == 429
    assert client.get("/r/NOSUCHCODE/").status_code == 404


def test_stats_count_open_overdue_and_closed(client: Any, cases: Any, tree: Any) -> None:
    data = client.get("/api/v1/stats", {"org": tree.county.code}).json()
    assert (data["rectifications_open"], data["rectifications_overdue"], data["rectifications_closed"]) == (1, 1, 1)
    data = client.get("/api/v1/stats", {"org": tree.town_b.code}).json()
    assert (data["rectifications_open"], data["rectifications_overdue"], data["rectifications_closed"]) == (0, 0, 0)


def test_the_api_lists_cases_in_scope(client: Any, users: Any, cases: Any) -> None:
    client.force_login(users.town_admin)
    listed = client.get("/api/v1/rectification/cases", {"overdue": True}).json()["items"]
    assert [c["id"] for c in listed] == [cases[0].pk] and listed[0]["overdue"] is True
    detail = client.get(f"/api/v1/rectification/cases/{cases[1].pk}").json()
    assert detail["state"] == "closed" and [e["kind"] for e in detail["events"]][-1] == "close"
    client.force_login(users.other_town_admin)
    assert client.get("/api/v1/rectification/cases").json() == {"items": [], "count": 0, "count_capped": False}
    assert client.get(f"/api/v1/rectification/cases/{cases[1].pk}").status_code == 404


def test_the_list_leads_admins_to_the_campaigns_in_rectification(client: Any, users: Any, campaign: Any) -> None:
    client.force_login(users.town_admin)
    assert client.get("/rectification/").context["campaigns"] == [campaign]
    client.force_login(users.other_town_admin)
    assert client.get("/rectification/").context["campaigns"] == []


def test_confirming_a_proposal_opens_a_draft_case(users: Any, campaign: Any, subject: Any) -> None:
    proposal = ActionProposal.objects.create(subject=subject, campaign=campaign, org_path=campaign.org_path,
                                             action=ActionProposal.Action.RECTIFICATION, rule="low",
                                             reason="满意率低于 60%", status=ActionProposal.Status.CONFIRMED)
    _confirmed(proposal, users.town_admin)
    case = Case.objects.get(subject=subject)
    assert case.state == State.DRAFT and case.proposal == proposal
    # A second confirmation while the case is open changes nothing (and does not fail the confirmation).
    _confirmed(proposal, users.town_admin)
    assert Case.objects.count() == 1


def _confirmed(proposal: ActionProposal, actor: Any) -> None:
    """Publish what the appraisal step publishes when a proposal is confirmed (inside its transaction)."""
    with transaction.atomic():
        events.publish("proposal_confirmed", actor=actor, proposal_id=proposal.pk, action=proposal.action,
                       org_path=proposal.org_path)
