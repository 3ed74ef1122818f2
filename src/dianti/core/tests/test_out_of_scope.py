"""Out of scope is not there: for every step app, an admin of another town asking for an object of this town gets
the same 404 as for an id that was never used, on the page and through the API — never a 403 that would tell them
it exists. (A rule's refusal on something the user *can* see stays a 403 naming who may: test_rules_matrix.py.)
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from .test_reads_matrix import world  # noqa: F401  (the fixture: town A's campaign, meeting, case, point …)

pytestmark = pytest.mark.django_db

MISSING = 999_999_999


def _pages(w: dict[str, Any]) -> list[tuple[str, str, dict[str, Any], dict[str, Any]]]:
    """(app, URL name, kwargs of town A's object, kwargs of an object that does not exist)."""
    return [
        ("orgs", "org_detail", {"code": w["tree"].village_a1.code}, {"code": "999999999999"}),
        ("orgs", "person_detail", {"pk": w["person"].pk}, {"pk": MISSING}),
        ("campaigns", "campaign_detail", {"pk": w["campaign"].pk}, {"pk": MISSING}),
        ("campaigns", "subjects_export", {"pk": w["campaign"].pk}, {"pk": MISSING}),
        ("voices", "voices_workbench", {"subject_id": w["va1"].pk}, {"subject_id": MISSING}),
        ("voices", "voices_workbench_places", {"subject_id": w["va1"].pk}, {"subject_id": MISSING}),
        ("voices", "voices_point_poster", {"pk": w["point"].pk}, {"pk": MISSING}),
        ("meetings", "meeting_detail", {"pk": w["meeting"].pk}, {"pk": MISSING}),
        ("meetings", "meeting_minutes", {"pk": w["meeting"].pk}, {"pk": MISSING}),
        ("meetings", "meeting_screen", {"pk": w["meeting"].pk}, {"pk": MISSING}),
        ("meetings", "meeting_paper_pdf", {"pk": w["meeting"].pk}, {"pk": MISSING}),
        ("meetings", "meeting_report", {"item_id": w["item"].pk}, {"item_id": MISSING}),
        ("appraisal", "appraisal_campaign", {"pk": w["campaign"].pk}, {"pk": MISSING}),
        ("appraisal", "appraisal_subject", {"pk": w["va1"].pk}, {"pk": MISSING}),
        ("appraisal", "appraisal_annual_org", {"code": w["tree"].village_a1.code}, {"code": "999999999999"}),
        ("rectification", "rectification_case", {"pk": w["case"].pk}, {"pk": MISSING}),
        ("rectification", "rectification_timeline", {"pk": w["case"].pk}, {"pk": MISSING}),
    ]


def _api(w: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(method, app, URL of town A's object, URL of an object that does not exist)."""
    code = w["tree"].village_a1.code
    return [
        ("GET", "orgs", f"/api/v1/orgs/{code}", "/api/v1/orgs/999999999999"),
        ("GET", "campaigns", f"/api/v1/campaigns/{w['campaign'].pk}", f"/api/v1/campaigns/{MISSING}"),
        ("GET", "voices", f"/api/v1/voices/orgs/{code}/topics", "/api/v1/voices/orgs/999999999999/topics"),
        ("GET", "meetings", f"/api/v1/meetings/{w['meeting'].pk}/results", f"/api/v1/meetings/{MISSING}/results"),
        ("GET", "appraisal", f"/api/v1/appraisal/subjects/{w['va1'].pk}/result",
         f"/api/v1/appraisal/subjects/{MISSING}/result"),
        ("GET", "rectification", f"/api/v1/rectification/cases/{w['case'].pk}",
         f"/api/v1/rectification/cases/{MISSING}"),
        ("POST", "rectification", f"/api/v1/rectification/cases/{w['case'].pk}/moves/close",
         f"/api/v1/rectification/cases/{MISSING}/moves/close"),
    ]


def _page(response: Any) -> tuple[int, str]:
    """The status and the body, without what differs on every response (the masked CSRF token)."""
    return response.status_code, re.sub(r"[A-Za-z0-9]{64}", "…", response.content.decode())


def _other_town(users: Any) -> Client:
    client = Client()
    client.force_login(users.other_town_admin)
    return client


def test_every_app_answers_another_towns_page_like_a_missing_one(world: dict[str, Any],  # noqa: F811
                                                                 users: Any) -> None:
    client = _other_town(users)
    wrong = []
    for app, name, theirs, missing in _pages(world):
        seen = _page(client.get(reverse(name, kwargs=theirs)))
        absent = _page(client.get(reverse(name, kwargs=missing)))
        if (seen[0], absent[0]) != (404, 404) or seen[1] != absent[1]:
            wrong.append(f"{app} {name}: town A's → {seen[0]} ({len(seen[1])} characters), missing → {absent[0]} "
                         f"({len(absent[1])} characters)")
    assert not wrong, "\n".join(wrong)
    assert {app for app, *_ in _pages(world)} >= {"orgs", "campaigns", "voices", "meetings", "appraisal",
                                                  "rectification"}


def test_every_app_answers_another_towns_api_call_like_a_missing_one(world: dict[str, Any],  # noqa: F811
                                                                     users: Any) -> None:
    client = _other_town(users)
    wrong = []
    for method, app, theirs, missing in _api(world):
        call = client.get if method == "GET" else lambda url: client.post(url, "{}", content_type="application/json")
        seen, absent = call(theirs), call(missing)
        if (seen.status_code, absent.status_code) != (404, 404) or seen.json() != absent.json():
            wrong.append(f"{app} {method} {theirs}: {seen.status_code} {seen.content.decode()[:80]} / missing "
                         f"{absent.status_code} {absent.content.decode()[:80]}")
    assert not wrong, "\n".join(wrong)


def test_the_portal_answers_an_unpublished_campaign_like_a_missing_one(tree: Any) -> None:
    from dianti.campaigns.models import Campaign
    from dianti.campaigns.tests.factories import town_campaign

    draft = town_campaign(tree)
    assert draft.list_status != Campaign.ListStatus.PUBLISHED
    client = Client()
    assert client.get(reverse("portal_campaign", args=[draft.pk])).status_code == 404
    assert client.get(reverse("portal_campaign", args=[MISSING])).status_code == 404


def test_a_refusal_on_what_the_user_sees_stays_403(world: dict[str, Any], users: Any) -> None:  # noqa: F811
    """The county's approver sees town A's campaign but may not name its subjects: that is a refusal, not a leak."""
    client = Client()
    client.force_login(users.county_approver)
    assert client.get(reverse("campaign_detail", args=[world["campaign"].pk])).status_code == 200
    assert client.get(reverse("subjects_choose", args=[world["campaign"].pk])).status_code == 403


def test_uploading_a_report_to_another_towns_agenda_item_is_answered_like_a_missing_one(
        world: dict[str, Any], users: Any) -> None:  # noqa: F811
    """The POST is refused before anything else happens: the same page as for a missing item, no message about
    the meeting on it, and no report stored."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    item, answers = world["item"], []
    for target in (item.pk, MISSING):
        upload = SimpleUploadedFile("report.pdf", b"%PDF-1.4", content_type="application/pdf")
        answers.append(_page(_other_town(users).post(reverse("meeting_report", args=[target]), {"report": upload})))
    assert answers[0][0] == 404 and answers[0] == answers[1]
    assert "找不到该述职会" not in answers[0][1]
    item.refresh_from_db()
    assert not item.report
