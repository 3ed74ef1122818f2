"""党委点名 through the API: the same forms, services, rules and audit records as the pages, and lists filtered."""

from __future__ import annotations

from typing import Any

import pytest

from dianti.campaigns.models import Campaign, Subject
from dianti.core.models import AuditEvent
from dianti.testing.api import ApiClient as Api

from .factories import choose, in_topics, town_campaign


@pytest.fixture
def town(client: Any, users: Any) -> Api:
    return Api(client, users.town_admin)


def test_a_campaign_opened_through_the_api_is_the_pages_campaign(town: Api, tree: Any, users: Any) -> None:
    status, body = town("post", "/api/v1/campaigns", {"convener": "330424105", "year": 2026, "title": "通元镇2026年度点题述职",
                                                      "candidate_fields": ["village"],
                                                      "deadlines": {"nominate": "2026-03-31"}})
    assert status == 201, body
    campaign = Campaign.objects.get(pk=body["id"])
    assert (campaign.convener, campaign.candidate_level, campaign.candidate_fields) == (tree.town_a, "grassroots",
                                                                                         ["village"])
    assert body["deadlines"] == {"nominate": "2026-03-31"} and body["phase"] == "nominate"
    assert AuditEvent.objects.filter(action="campaign.create", target_id=str(campaign.pk),
                                     actor=users.town_admin).exists()
    again, problem = town("post", "/api/v1/campaigns", {"convener": "330424105", "year": 2026, "title": "重复"})
    assert again == 422 and "已存在" in problem["detail"]


def test_a_convener_outside_the_tree_is_not_found(town: Api, tree: Any) -> None:
    status, body = town("post", "/api/v1/campaigns", {"convener": "330424104", "year": 2026, "title": "澉浦镇"})
    assert status == 404 and not Campaign.objects.exists()


def test_editing_a_campaign_changes_only_what_is_sent(town: Api, tree: Any) -> None:
    campaign = town_campaign(tree, deadlines={"nominate": "2020-03-31"})
    status, body = town("patch", f"/api/v1/campaigns/{campaign.pk}", {"title": "通元镇2020年度（修订）"})
    assert status == 200 and body["title"] == "通元镇2020年度（修订）" and body["deadlines"] == {"nominate": "2020-03-31"}


def test_choosing_editing_and_removing_subjects(town: Api, tree: Any) -> None:
    campaign = town_campaign(tree)
    url = f"/api/v1/campaigns/{campaign.pk}/subjects"
    status, made = town("post", url, {"choices": [
        {"organization": "330424105201", "category": "development", "reason": "承担美丽乡村建设任务较重"},
        {"organization": "330424105202", "category": "model", "reason": "创先争优的典型需要总结经验"}]})
    assert status == 201 and [s["organization"] for s in made] == ["330424105201", "330424105202"]
    assert made[0]["secretary"] == "张书记"
    status, edited = town("patch", f"{url}/{made[1]['id']}", {"reason": "服务功能重要，群众期盼高"})
    assert status == 200 and edited["reason"] == "服务功能重要，群众期盼高" and edited["category"] == "model"
    assert town("delete", f"{url}/{made[1]['id']}")[0] == 200
    assert list(campaign.subjects.values_list("organization__code", flat=True)) == ["330424105201"]


def test_a_wrong_choice_adds_none_and_names_each_problem(town: Api, tree: Any) -> None:
    campaign = town_campaign(tree)
    status, body = town("post", f"/api/v1/campaigns/{campaign.pk}/subjects", {"choices": [
        {"organization": "330424105201", "category": "development", "reason": "短"},
        {"organization": "330424104201", "category": "development", "reason": "另一个镇的村，不在范围内"}]})
    assert status == 422 and not Subject.objects.exists()
    # The other town's village is not named: to this campaign it does not exist.
    assert body["errors"] == ["找不到组织编码“330424104201”（须在召集组织之下）"]


def test_the_list_goes_up_for_approval_and_comes_back_published(client: Any, town: Api, tree: Any,
                                                               users: Any) -> None:
    campaign = town_campaign(tree)
    choose(campaign, tree.village_a1)
    assert town("post", f"/api/v1/campaigns/{campaign.pk}/list/submit", {})[1]["list_status"] == "submitted"
    county = Api(client, users.county_admin)
    status, body = county("post", f"/api/v1/campaigns/{campaign.pk}/list/approve", {})
    assert status == 200 and body["list_status"] == "published" and body["published_at"]
    status, moved = town("post", f"/api/v1/campaigns/{campaign.pk}/phase", {"to": "topics"})
    assert status == 200 and moved["phase"] == "topics"


def test_lists_filter_by_phase_subtree_and_words(client: Any, tree: Any, users: Any) -> None:
    from dianti.campaigns import services

    in_topics(tree)
    other = services.campaign_create(actor=None, convener=tree.town_b, year=2020, title="澉浦镇2020年度点题述职")
    county = Api(client, users.county_admin)
    titles = lambda **q: [c["title"] for c in county("get", "/api/v1/campaigns", **q)[1]["items"]]  # noqa: E731
    assert titles(phase="topics") == ["通元镇2020年度村党组织书记点题述职"]
    assert titles(org="330424104") == [other.title]
    assert titles(q="澉浦") == [other.title]
    assert titles(year=2021) == []
    campaign = Campaign.objects.get(convener=tree.town_a)
    status, body = county("get", f"/api/v1/campaigns/{campaign.pk}/subjects", status="topic_set")
    assert (status, body["count"]) == (200, 0)
    assert county("get", f"/api/v1/campaigns/{campaign.pk}/subjects", q="丰义")[1]["count"] == 1


def test_a_secretary_reads_their_own_subjects(client: Any, tree: Any, users: Any) -> None:
    in_topics(tree)
    status, mine = Api(client, users.secretary)("get", "/api/v1/campaigns/mine")
    assert status == 200 and [(s["organization"], s["phase"]) for s in mine] == [("330424105201", "topics")]
    assert Api(client, users.other_town_admin)("get", "/api/v1/campaigns/mine")[1] == []


def test_responsibilities_are_added_and_listed(town: Api, tree: Any) -> None:
    status, item = town("post", "/api/v1/campaigns/responsibilities/330424105201",
                        {"year": 2020, "title": "村集体经济增收", "detail": "年增收 10%"})
    assert status == 201 and item["title"] == "村集体经济增收"
    status, page = town("get", "/api/v1/campaigns/responsibilities/330424105201")
    assert status == 200 and [i["title"] for i in page["items"]] == ["村集体经济增收"]
    assert AuditEvent.objects.filter(action="responsibility.add").count() == 1
