"""整改 through the API: open and issue a case, the secretary's commitment and progress with evidence, point staff's
supervision, and closing — the services, rules and timeline of the pages."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dianti.orgs import services as org_services
from dianti.rectification.models import Case, State
from dianti.testing.api import ApiClient

from .factories import PROBLEMS, case_in, in_days, rectification_campaign


def photo() -> SimpleUploadedFile:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(out, "PNG")
    return SimpleUploadedFile("会议记录.png", out.getvalue(), content_type="image/png")


@pytest.fixture
def campaign(tree: Any) -> Any:
    return rectification_campaign(tree)


def test_a_case_goes_from_draft_to_closed_through_the_api(client: Any, tree: Any, users: Any, campaign: Any) -> None:
    town, secretary = ApiClient(client, users.town_admin), ApiClient(client, users.secretary)
    subject = campaign.subjects.get(organization=tree.village_a1)
    status, case = town("post", "/api/v1/rectification/cases", {"subject": subject.pk, "problems": PROBLEMS,
                                                                 "deadline": in_days(60).isoformat()})
    assert status == 201, case
    assert (case["state"], case["problems"]) == ("draft", PROBLEMS)
    url = f"/api/v1/rectification/cases/{case['id']}"
    status, case = town("put", url, {"problems": PROBLEMS[:1], "deadline": in_days(45).isoformat()})
    assert status == 200 and case["problems"] == PROBLEMS[:1]
    assert town("post", f"{url}/moves/issue", {})[1]["state"] == "issued"
    [problem] = case["problem_list"]
    measure = {"problem": problem["id"], "text": "每月按时召开三会一课并公示记录", "owner": "张书记",
               "deadline": in_days(30).isoformat(), "expected": "组织生活规范"}
    assert town("post", f"{url}/commitment", {"measures": [measure]})[0] == 403  # the secretary's own act
    status, case = secretary("post", f"{url}/commitment", {"measures": [measure], "mechanisms": ["党员联户制度"]})
    assert status == 200 and case["state"] == "committed" and case["mechanisms"] == ["党员联户制度"]
    assert town("post", f"{url}/moves/approve", {})[1]["state"] == "in_progress"
    measure_id = case["measures"][0]["id"]
    status, case = secretary.upload(f"/api/v1/rectification/measures/{measure_id}/progress", {
        "percent": 100, "text": "三会一课已按月召开并公示", "files": [photo()]})
    assert status == 200, case
    [report] = case["measures"][0]["reports"]
    assert report["percent"] == 100 and report["evidence"][0]["kind"] == "photo"
    client.force_login(users.secretary)  # evidence is downloaded with the session, as from the page
    assert client.get(report["evidence"][0]["url"]).status_code == 200
    client.logout()
    assert secretary("post", f"{url}/moves/submit", {})[1]["state"] == "awaiting"
    assert town("post", f"{url}/moves/close", {"note": "经核查已整改到位"})[1]["state"] == "closed"
    events = [e["kind"] for e in town("get", url)[1]["events"]]
    assert events[:3] == ["open", "issue", "commit"] and events[-1] == "close"


def test_cases_are_opened_from_every_confirmed_proposal(client: Any, users: Any, campaign: Any) -> None:
    town = ApiClient(client, users.town_admin)
    status, made = town("post", f"/api/v1/rectification/campaigns/{campaign.pk}/open",
                        {"deadline": in_days(90).isoformat()})
    assert status == 201 and made == []  # the factory's campaign confirmed no 整改通知 proposal


def test_point_staff_supervise_the_cases_their_points_watch(client: Any, tree: Any, users: Any,
                                                            campaign: Any) -> None:
    case = case_in(State.IN_PROGRESS, campaign.subjects.get(organization=tree.village_a1), secretary=users.secretary)
    staff = org_services.person_create(actor=None, name="联络员", organization=tree.town_a)
    staff.user = users.point_staff
    staff.save(update_fields=["user"])
    point = org_services.point_create(actor=None, kind="observation", name="雪水港村观察点",
                                      organization=tree.village_a1, staff=[staff])
    status, body = ApiClient(client, users.point_staff)("post", f"/api/v1/rectification/cases/{case.pk}/supervision", {
        "visited_on": in_days(0).isoformat(), "seen": "村务公开栏已更新，账目清楚", "rating": "good", "point": point.pk})
    assert status == 200, body
    assert body["supervisions"] == [{"visited_on": in_days(0).isoformat(), "point": "雪水港村观察点",
                                     "seen": "村务公开栏已更新，账目清楚", "rating": "good"}]
    assert ApiClient(client, users.evaluator)("post", f"/api/v1/rectification/cases/{case.pk}/supervision", {
        "visited_on": in_days(0).isoformat(), "seen": "看过了", "rating": "good"})[0] == 403


def test_a_case_outside_the_tree_is_not_found(client: Any, tree: Any, users: Any, campaign: Any) -> None:
    case = case_in(State.ISSUED, campaign.subjects.get(organization=tree.village_a1))
    other = ApiClient(client, users.other_town_admin)
    assert other("get", f"/api/v1/rectification/cases/{case.pk}")[0] == 404
    assert other("post", f"/api/v1/rectification/cases/{case.pk}/moves/withdraw", {"note": "撤销"})[0] == 404
    assert Case.objects.get(pk=case.pk).state == State.ISSUED
