from __future__ import annotations

from dianti.campaigns import services
from dianti.core.tokens import token_create

from .factories import choose, in_topics, town_campaign


def test_campaign_api_is_scoped_and_rolls_up(tree, users, client):
    county = services.campaign_create(actor=None, convener=tree.county, year=2020, title="县2020",
                                      candidate_level="town")
    in_topics(tree)
    other = services.campaign_create(actor=None, convener=tree.town_b, year=2020, title="澉浦镇2020")
    choose(other, tree.village_b1)
    token = token_create(actor=None, user=users.town_admin, name="测试脚本")
    listed = client.get("/api/v1/campaigns", headers={"Authorization": f"Bearer {token}"}).json()["items"]
    assert [c["title"] for c in listed] == ["通元镇2020年度村党组织书记点题述职"]
    assert client.get(f"/api/v1/campaigns/{other.pk}", headers={"Authorization": f"Bearer {token}"}).status_code == 404
    client.force_login(users.county_admin)
    detail = client.get(f"/api/v1/campaigns/{county.pk}").json()
    assert {r["campaign"]["convener_name"]: r["subjects"] for r in detail["rollup"]} == {
        "中共通元镇委员会": 2, "中共澉浦镇委员会": 1}


def test_campaign_api_needs_authentication(tree, client):
    town_campaign(tree)
    assert client.get("/api/v1/campaigns").status_code == 401


def test_stats_count_campaigns_and_subjects_down_the_chain(tree, client):
    services.campaign_create(actor=None, convener=tree.county, year=2020, title="县2020", candidate_level="town")
    in_topics(tree)
    county = client.get("/api/v1/stats", {"org": "330424"}).json()
    town = client.get("/api/v1/stats", {"org": "330424104"}).json()
    assert (county["campaigns"], county["subjects"]) == (2, 2)
    assert (town["campaigns"], town["subjects"]) == (0, 0)
