"""评议考核 through the API: computing and reviewing results, the scoring schemes, proposals — through the pages'
services and rules."""

from __future__ import annotations

from typing import Any

import pytest

from dianti.appraisal import services
from dianti.appraisal.models import ActionProposal, ScoringScheme, SubjectResult
from dianti.testing.api import ApiClient

from .factories import HAND, POOR, closed


@pytest.fixture
def town(client: Any, users: Any) -> ApiClient:
    return ApiClient(client, users.town_admin)


def test_results_are_computed_submitted_and_published_by_the_level_above(client: Any, town: ApiClient,
                                                                      tree: Any, users: Any) -> None:
    done = closed(tree, HAND)
    url = f"/api/v1/appraisal/campaigns/{done.campaign.pk}/results"
    assert town("post", f"{url}/compute", {}) == (200, {"done": "compute", "count": 2})
    assert town("post", f"{url}/submit", {}) == (200, {"done": "submit", "count": 2})
    refused = town("post", f"{url}/publish", {})
    assert refused[0] == 403
    county = ApiClient(client, users.county_admin)
    assert county("post", f"{url}/publish", {}) == (200, {"done": "publish", "count": 2})
    assert set(SubjectResult.objects.values_list("status", flat=True)) == {"published"}
    status, rows = county("get", url)
    assert status == 200 and [r["status"] for r in rows["items"]] == ["published", "published"]


def test_a_secretary_reads_their_published_result_without_the_explanation(client: Any, tree: Any,
                                                                         users: Any) -> None:
    from dianti.appraisal import publication

    done = closed(tree, HAND)
    services.results_compute(actor=None, campaign=done.campaign)
    publication.results_submit(actor=None, campaign=done.campaign)
    publication.results_publish(actor=users.county_admin, campaign=done.campaign)
    status, mine = ApiClient(client, users.secretary)("get", f"/api/v1/appraisal/subjects/{done.va1.pk}/result")
    assert status == 200 and mine["computed"] and mine["explanation"] is None and mine["proposals"] == []
    full = ApiClient(client, users.town_admin)("get", f"/api/v1/appraisal/subjects/{done.va1.pk}/result")[1]
    assert full["explanation"] and full["score"] == mine["score"]


def test_proposals_are_listed_filtered_and_decided_once_results_are_public(town: ApiClient, tree: Any,
                                                                          users: Any) -> None:
    from dianti.appraisal import publication

    done = closed(tree, POOR)
    status, page = town("get", "/api/v1/appraisal/proposals", action="rectification")
    assert status == 200 and page["count"] == 1
    proposal = page["items"][0]
    early = town("post", f"/api/v1/appraisal/proposals/{proposal['id']}/confirm", {"note": "同意"})
    assert early == (422, {"detail": "评议结果公布后才能确认或不采纳处置建议",
                           "errors": ["评议结果公布后才能确认或不采纳处置建议"]})
    publication.results_submit(actor=None, campaign=done.campaign)
    publication.results_publish(actor=users.county_admin, campaign=done.campaign)
    answer = town("post", f"/api/v1/appraisal/proposals/{proposal['id']}/confirm", {"note": "同意"})
    assert answer[0] == 200, answer
    assert ActionProposal.objects.get(pk=proposal["id"]).status == "confirmed"
    assert town("get", "/api/v1/appraisal/proposals", status="pending", action="rectification")[1]["count"] == 0


def test_schemes_are_read_and_saved_as_new_versions(client: Any, town: ApiClient, tree: Any, users: Any) -> None:
    status, schemes = town("get", "/api/v1/appraisal/schemes")
    assert status == 200 and [s["key"] for s in schemes] == ["default"]
    data = town("get", "/api/v1/appraisal/schemes/default")[1]["data"]
    status, saved = town("put", "/api/v1/appraisal/schemes/tongyuan", {"data": {**data, "name": "通元镇方案"},
                                                                      "organization": "330424105"})
    assert status == 200, saved
    assert (saved["version"], saved["name"], saved["organization"]) == (1, "通元镇方案", "330424105")
    status, again = town("put", "/api/v1/appraisal/schemes/tongyuan", {"data": {**data, "name": "通元镇方案二"}})
    assert (status, again["version"], again["versions"]) == (200, 2, [2, 1])
    assert ApiClient(client, users.other_town_admin)(
        "put", "/api/v1/appraisal/schemes/tongyuan", {"data": data})[0] == 403
    assert town("put", "/api/v1/appraisal/schemes/default", {"data": data})[0] == 403


@pytest.mark.parametrize("data", [{}, {"groups": "很多"}, {"name": "半个方案", "scale": {"labels": []}},
                                  {"groups": [{"weight": "x"}]}])
def test_a_broken_scheme_is_refused_with_a_reason_not_a_server_error(town: ApiClient, tree: Any,
                                                                      data: dict[str, Any]) -> None:
    status, body = town("put", "/api/v1/appraisal/schemes/broken", {"data": data, "organization": "330424105"})
    assert status == 422 and body["detail"] and not ScoringScheme.objects.filter(key="broken").exists()
