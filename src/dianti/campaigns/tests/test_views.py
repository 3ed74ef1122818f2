"""Campaign pages through the browser's eyes (Django test client): scope, choosing, approving, public list."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dianti.campaigns.models import Campaign, Phase

from .factories import choose, in_topics, town_campaign


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client
    return login


@pytest.mark.parametrize("name", ["campaign_detail", "subjects_choose", "campaign_edit", "subjects_export"])
def test_town_admin_cannot_open_another_towns_campaign_pages(tree, users, as_user, name):
    campaign = town_campaign(tree)
    response = as_user(users.other_town_admin).get(reverse(name, args=[campaign.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize("name,args", [("campaign_list_action", ["submit"]), ("campaign_phase", [])])
def test_town_admin_cannot_change_another_towns_campaign(tree, users, as_user, name, args):
    campaign = town_campaign(tree)
    choose(campaign, tree.village_a1)
    response = as_user(users.other_town_admin).post(reverse(name, args=[campaign.pk, *args]), {"to": "topics"})
    assert response.status_code == 404
    campaign.refresh_from_db()
    assert campaign.list_status == "draft" and campaign.phase == "nominate"


def test_campaign_list_shows_only_campaigns_in_scope(tree, users, as_user):
    mine = town_campaign(tree)
    from dianti.campaigns import services

    other = services.campaign_create(actor=None, convener=tree.town_b, year=2020, title="澉浦镇2020年度述职")
    html = as_user(users.town_admin).get(reverse("campaign_list")).content.decode()
    assert mine.title in html and other.title not in html
    county_html = as_user(users.county_admin).get(reverse("campaign_list")).content.decode()
    assert mine.title in county_html and other.title in county_html


def test_town_admin_creates_a_campaign_and_lands_on_choosing(tree, users, as_user):
    response = as_user(users.town_admin).post(reverse("campaign_create"), {
        "convener": tree.town_a.pk, "year": 2020, "title": "通元镇2020年度村党组织书记点题述职",
        "direct_only": "on", "deadline_topics": "2020-05-31"})
    campaign = Campaign.objects.get()
    assert response.status_code == 302 and response.url == reverse("subjects_choose", args=[campaign.pk])
    assert campaign.candidate_level == "grassroots" and campaign.deadlines == {"topics": "2020-05-31"}


def test_choosing_with_bulk_category_and_reason(tree, users, as_user):
    campaign = town_campaign(tree)
    client = as_user(users.town_admin)
    response = client.post(reverse("subjects_choose", args=[campaign.pk]), {
        "org": [tree.village_a1.pk, tree.village_a2.pk], f"category_{tree.village_a1.pk}": "model",
        f"reason_{tree.village_a1.pk}": "省级善治示范村", "bulk_category": "development",
        "bulk_reason": "承担美丽乡村建设任务"})
    assert response.status_code == 302
    subjects = {s.organization.display_name: (s.category, s.reason) for s in campaign.subjects.all()}
    assert subjects == {"雪水港村": ("model", "省级善治示范村"), "丰义村": ("development", "承担美丽乡村建设任务")}


def test_choosing_one_organization_twice_is_refused_and_saves_nothing(tree, users, as_user):
    campaign = town_campaign(tree)
    a1 = tree.village_a1.pk
    response = as_user(users.town_admin).post(reverse("subjects_choose", args=[campaign.pk]), {
        "org": [a1, a1], f"category_{a1}": "model", f"reason_{a1}": "省级善治示范村"})
    assert response.status_code == 400 and "雪水港村：重复选择" in response.content.decode()
    assert not campaign.subjects.exists()


def test_choosing_without_reason_shows_the_problem_and_saves_nothing(tree, users, as_user):
    campaign = town_campaign(tree)
    response = as_user(users.town_admin).post(reverse("subjects_choose", args=[campaign.pk]), {
        "org": [tree.village_a1.pk], f"category_{tree.village_a1.pk}": "model"})
    assert response.status_code == 400
    assert "雪水港村：请写明点名理由" in response.content.decode()
    assert not campaign.subjects.exists()


def test_secretary_cannot_open_the_choosing_page(tree, users, as_user):
    campaign = town_campaign(tree)
    assert as_user(users.secretary).get(reverse("subjects_choose", args=[campaign.pk])).status_code == 403


def test_detail_page_shows_what_blocks_the_next_phase(tree, users, as_user):
    campaign = in_topics(tree)
    html = as_user(users.town_admin).get(reverse("campaign_detail", args=[campaign.pk])).content.decode()
    assert "进入述职" in html and "还有 2 个述职对象没有题目" in html


def test_topic_form_sets_the_topic_through_the_topic_decision(tree, users, as_user):
    campaign = in_topics(tree)
    subject = campaign.subjects.get(organization=tree.village_a1)
    client = as_user(users.town_admin)
    page = client.get(reverse("subject_topic", args=[campaign.pk, subject.pk])).content.decode()
    assert f'action="{reverse("voices_assign", args=[subject.pk])}"' in page
    response = client.post(reverse("voices_assign", args=[subject.pk]), {"text": "如何把美丽资源变成美丽经济"})
    assert response.status_code == 302
    subject.refresh_from_db()
    assert subject.topic == "如何把美丽资源变成美丽经济"


def test_secretary_sees_the_campaign_on_their_own_page(tree, users, as_user):
    in_topics(tree)
    html = as_user(users.secretary).get(reverse("my_campaigns")).content.decode()
    assert "通元镇2020年度村党组织书记点题述职" in html and "承担美丽乡村建设任务" in html


def test_public_site_shows_published_lists_without_login(tree, users, client):
    draft = town_campaign(tree, year=2019)
    published = in_topics(tree)
    html = client.get(reverse("portal_index")).content.decode()
    assert published.title in html and draft.title not in html
    page = client.get(reverse("portal_campaign", args=[published.pk])).content.decode()
    assert "雪水港村" in page and "张书记" in page and "138" not in page
    assert client.get(reverse("portal_campaign", args=[draft.pk])).status_code == 404


def test_subjects_export_is_a_spreadsheet_of_the_list(tree, users, as_user):
    import io

    from openpyxl import load_workbook

    campaign = in_topics(tree)
    response = as_user(users.town_admin).get(reverse("subjects_export", args=[campaign.pk]))
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:4] == ("序号", "组织编码", "组织", "书记")
    assert {r[2] for r in rows[1:]} == {"中共雪水港村总支部委员会", "中共丰义村委员会"}
    assert campaign.phase == Phase.TOPICS


def _create(client, convener, year, title):
    return client.post(reverse("campaign_create"), {"convener": convener.pk, "year": year, "title": title,
                                                    "direct_only": "on"})


def test_a_new_years_town_campaign_created_first_is_picked_up_by_the_county_campaign(tree, users, as_user):
    town_campaign(tree, year=2020)
    county_2020 = Campaign.objects.create(convener=tree.county, org_path=tree.county.path, year=2020, title="县2020")
    _create(as_user(users.town_admin), tree.town_a, 2021, "通元镇2021年度村党组织书记点题述职")
    _create(as_user(users.county_admin), tree.county, 2021, "海盐县2021年度镇街党（工）委书记点题述职")
    town, county = (Campaign.objects.get(year=2021, convener=o) for o in (tree.town_a, tree.county))
    assert town.parent == county and county_2020.children.count() <= 1


def test_a_new_years_town_campaign_created_second_joins_the_county_campaign(tree, users, as_user):
    _create(as_user(users.county_admin), tree.county, 2021, "海盐县2021年度镇街党（工）委书记点题述职")
    _create(as_user(users.town_admin), tree.town_a, 2021, "通元镇2021年度村党组织书记点题述职")
    town, county = (Campaign.objects.get(year=2021, convener=o) for o in (tree.town_a, tree.county))
    assert town.parent == county
    html = as_user(users.town_admin).get(reverse("campaign_detail", args=[town.pk])).content.decode()
    assert county.title in html


def test_the_edit_form_links_a_campaign_to_its_parent_and_refuses_a_stranger(tree, users, as_user):
    from dianti.campaigns import services

    town = town_campaign(tree, year=2021)
    county = services.campaign_create(actor=None, convener=tree.county, year=2021, title="县2021")
    Campaign.objects.filter(pk=town.pk).update(parent=None)  # as left by the old code
    other_year = services.campaign_create(actor=None, convener=tree.county, year=2020, title="县2020")
    client = as_user(users.county_admin)
    form = client.get(reverse("campaign_edit", args=[town.pk])).content.decode()
    assert 'name="parent"' in form and "县2021" in form and "县2020" not in form
    client.post(reverse("campaign_edit", args=[town.pk]), {"title": town.title, "parent": other_year.pk})
    town.refresh_from_db()
    assert town.parent is None
    client.post(reverse("campaign_edit", args=[town.pk]), {"title": town.title, "parent": county.pk})
    town.refresh_from_db()
    assert town.parent == county


def test_county_admin_sets_the_heat_knobs_on_the_campaign_edit_page(tree, users, as_user):
    from dianti.campaigns import services

    campaign = services.campaign_create(actor=None, convener=tree.county, year=2021, title="县2021")
    client = as_user(users.county_admin)
    form = client.get(reverse("campaign_edit", args=[campaign.pk])).content.decode()
    assert 'name="heat_participant_weight"' in form
    client.post(reverse("campaign_edit", args=[campaign.pk]), {"title": campaign.title, "heat_participant_weight": "0.3",
                                                               "heat_channel_visit": ""})
    campaign.refresh_from_db()
    assert campaign.heat_weights == {"participant_weight": 0.3}
