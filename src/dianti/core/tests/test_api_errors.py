"""The API's errors: one shape, ``{"detail", "errors"}``, in Chinese, naming the parameter or field — for bad
ids, bad filters and bad bodies alike, never a server error."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def admin(client: Any, users: Any) -> Any:
    client.force_login(users.county_admin)
    return client


def test_a_filter_out_of_range_names_the_parameter(admin: Any) -> None:
    response = admin.get("/api/v1/orgs/search", {"q": "村", "limit": 0})
    assert response.status_code == 422
    assert response.json() == {"detail": "参数 limit：应不小于 1", "errors": ["参数 limit：应不小于 1"]}


def test_a_filter_of_the_wrong_type_or_value(admin: Any) -> None:
    assert admin.get("/api/v1/campaigns", {"year": "明年"}).json()["errors"] == ["参数 year：应为整数"]
    wrong = admin.get("/api/v1/campaigns", {"phase": "done"}).json()["errors"]
    assert wrong == ["参数 phase：应为以下之一：nominate、topics、reporting、appraisal、rectification、archived"]


def test_a_missing_parameter(admin: Any) -> None:
    assert admin.get("/api/v1/appraisal/assessment").json()["errors"] == ["参数 year：必须填写"]


def test_an_id_that_is_not_a_number_or_too_large(admin: Any) -> None:
    assert admin.get("/api/v1/campaigns/abc").json()["errors"] == ["路径参数 campaign_id：应为整数"]
    huge = admin.get(f"/api/v1/campaigns/{2**70}")
    assert huge.status_code in (404, 422) and huge.json()["detail"]


def test_an_organization_filter_outside_the_users_tree_is_not_found(client: Any, users: Any) -> None:
    client.force_login(users.other_town_admin)
    response = client.get("/api/v1/campaigns", {"org": "330424105"})
    assert response.status_code == 404 and response.json()["detail"] == "找不到组织“330424105”，或您无权查看"


def test_a_body_that_is_not_json(admin: Any, tree: Any) -> None:
    response = admin.post("/api/v1/campaigns", "{not json", content_type="application/json")
    assert response.status_code in (400, 422) and "JSON" in response.json()["detail"]


def test_a_body_with_wrong_fields_names_each(admin: Any, tree: Any) -> None:
    response = admin.post("/api/v1/campaigns", {"convener": "330424105", "year": 1999}, content_type="application/json")
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"请求体字段 year：应不小于 2000", "请求体字段 title：必须填写"}


def test_a_refused_act_names_who_may(client: Any, users: Any, tree: Any) -> None:
    from dianti.campaigns.tests.factories import choose, town_campaign

    campaign = town_campaign(tree)
    choose(campaign, tree.village_a1)
    client.force_login(users.town_admin)
    assert client.post(f"/api/v1/campaigns/{campaign.pk}/list/submit", {}, content_type="application/json"
                       ).status_code == 200
    refused = client.post(f"/api/v1/campaigns/{campaign.pk}/list/approve", {}, content_type="application/json")
    assert refused.status_code == 403 and "上级" in refused.json()["detail"]


def test_a_state_the_service_refuses_is_422_with_its_sentence(admin: Any, tree: Any) -> None:
    from dianti.campaigns.tests.factories import town_campaign

    campaign = town_campaign(tree)
    response = admin.post(f"/api/v1/campaigns/{campaign.pk}/list/submit", {}, content_type="application/json")
    assert response.status_code == 422 and response.json()["errors"] == ["名单为空：请先点名述职对象"]


@pytest.mark.parametrize("url", ["/api/v1/orgs/search", "/api/v1/campaigns", "/api/v1/voices/opinions",
                                 "/api/v1/rectification/cases", "/api/v1/orgs/people", "/api/v1/audit"])
def test_a_nul_character_in_a_filter_is_refused_in_the_apis_shape(admin: Any, tree: Any, url: str) -> None:
    """PostgreSQL refuses NUL in any text, so it is refused before any query, as everywhere on the site."""
    response = admin.get(url, {"q": "雪水\x00港"})
    assert response.status_code == 400
    assert response.json() == {"detail": "地址中含有无效字符", "errors": ["地址中含有无效字符"]}


def test_a_nul_character_in_a_body_is_refused(admin: Any, tree: Any) -> None:
    response = admin.post("/api/v1/voices/opinions", {"organization": "330424105201", "channel": "visit",
                                                      "people_met": 3, "text": "路灯\x00坏了"},
                          content_type="application/json")
    assert response.status_code == 422 and response.json()["detail"]
