"""The public phone pages and the staff pages of 群众点题, through the test client."""

from __future__ import annotations

import io

import pytest
from django.core.cache import cache
from django.urls import reverse

from dianti.campaigns.tests.factories import in_topics, town_campaign
from dianti.voices import services
from dianti.voices.models import Opinion, Topic

from .factories import opinion


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


def test_with_no_call_open_the_qr_page_says_which_year_each_topic_is_from_newest_first(tree, client):
    # After the meeting no campaign collects, so the page shows every year's topics: the same concern raised in
    # 2019 and in 2020 read as two identical "公交出行" rows, last year's first because it was hotter.
    org = tree.village_a1
    for year, heat in ((2019, 28.0), (2020, 4.4)):
        Topic.objects.create(organization=org, org_path=org.path, campaign=town_campaign(tree, year=year),
                             title="公交出行", size=3, heat=heat)
    page = client.get(reverse("voices_public", args=[org.code])).content.decode()
    assert page.index("2020年</span> <b>公交出行") < page.index("2019年</span> <b>公交出行")


def test_villager_submits_from_the_qr_page_and_lands_on_the_tracking_page(tree, client):
    in_topics(tree)
    page = client.get(reverse("voices_public", args=[tree.village_a1.code]))
    assert page.status_code == 200 and "雪水港村" in page.content.decode()
    response = client.post(reverse("voices_public", args=[tree.village_a1.code]),
                           {"text": "村口的路灯坏了好几个月，晚上很黑", "anonymous": "on"})
    op = Opinion.objects.get()
    assert response.status_code == 302 and response.url == reverse("voices_track", args=[op.tracking_code])
    track = client.get(response.url).content.decode()
    assert op.tracking_code in track and "已受理" in track and "工作人员正在分类梳理" in track


def test_the_honeypot_swallows_bots(tree, client):
    response = client.post(reverse("voices_public", args=[tree.village_a1.code]),
                           {"text": "买便宜的药请加微信", "website": "http://spam.example"})
    assert response.status_code == 302 and not Opinion.objects.exists()


def test_bad_input_is_answered_on_the_form_in_chinese(tree, client):
    response = client.post(reverse("voices_public", args=[tree.village_a1.code]), {"text": "短"})
    assert response.status_code == 400 and "意见内容太短" in response.content.decode()


def test_a_non_image_photo_is_refused(tree, client):
    fake = io.BytesIO(b"not an image at all")
    fake.name = "photo.jpg"
    response = client.post(reverse("voices_public", args=[tree.village_a1.code]),
                           {"text": "村口的路灯坏了好几个月，晚上很黑", "photo": fake})
    assert response.status_code == 400 and not Opinion.objects.exists()


def test_unknown_tracking_code_says_so(client, db):
    response = client.get(reverse("voices_track", args=["NOPE2345"]))
    assert response.status_code == 404 and "查询码不存在" in response.content.decode()


def test_hidden_opinions_are_not_shown_publicly_but_their_author_learns_why_not(tree, users, client):
    op = opinion(tree.village_a1, "这里是广告：低价出售二手车，电话联系")
    services.opinions_hide(actor=users.town_admin, opinions=[op], reason="广告")
    public = client.get(reverse("voices_public", args=[tree.village_a1.code])).content.decode()
    assert "低价出售二手车" not in public
    track = client.get(reverse("voices_track", args=[op.tracking_code])).content.decode()
    assert "未公开" in track and "低价出售二手车" not in track


def test_plus_one_counts_once_per_device(tree, client):
    op = opinion(tree.village_a1, "村口的路灯坏了好几个月，晚上很黑")
    url = reverse("voices_support", args=["opinion", op.pk])
    client.post(url)
    client.post(url)
    op.refresh_from_db()
    assert op.supports == 1


def test_town_admin_queue_shows_only_their_town(tree, users, client):
    mine = opinion(tree.village_a1, "雪水港村的路灯坏了好几个月")
    other = opinion(tree.village_b1, "长墙山村的河道发臭了", who="b")
    client.force_login(users.town_admin)
    html = client.get(reverse("voices_queue")).content.decode()
    assert mine.text in html and other.text not in html


def test_town_admin_cannot_hide_another_towns_opinion_through_the_queue(tree, users, client):
    other = opinion(tree.village_b1, "长墙山村的河道发臭了")
    client.force_login(users.town_admin)
    client.post(reverse("voices_queue_action"), {"action": "hide", "id": [other.pk], "reason": "越权"})
    other.refresh_from_db()
    assert other.status == Opinion.Status.VISIBLE


def test_staff_record_an_offline_visit(tree, users, client):
    client.force_login(users.town_admin)
    response = client.post(reverse("voices_record"), {
        "organization": "雪水港村", "channel": "visit", "people_met": 12, "text": "走访中群众反映三组路灯坏了"})
    assert response.status_code == 302
    op = Opinion.objects.get()
    assert (op.organization, op.people_met, op.entered_by) == (tree.village_a1, 12, users.town_admin)


def test_workbench_is_for_the_convener_only(tree, users, client):
    campaign = in_topics(tree)
    subject = campaign.subjects.first()
    client.force_login(users.other_town_admin)
    assert client.get(reverse("voices_workbench", args=[subject.pk])).status_code == 404  # not there, to them
    client.force_login(users.town_admin)
    assert client.get(reverse("voices_workbench", args=[subject.pk])).status_code == 200


def test_qr_poster_is_a_pdf_with_the_organization_and_link(tree, users, client):
    from pypdf import PdfReader

    client.force_login(users.town_admin)
    response = client.get(reverse("voices_poster", args=[tree.village_a1.code]))
    assert response["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "中共雪水港村总支部委员会" in text and f"/v/{tree.village_a1.code}/" in text


def test_stats_count_opinions_participants_and_assigned_topics(tree, client):
    in_topics(tree)
    opinion(tree.village_a1, "雪水港村的路灯坏了好几个月")
    services.opinion_record(actor=None, organization=tree.village_a1, channel="symposium",
                            text="座谈会上群众反映老年食堂只开午餐", people_met=20)
    body = client.get("/api/v1/stats", {"org": "330424"}).json()
    assert body["opinions"] == 2 and body["participants"] == 20
    assert body["topics_assigned"] == 0


def test_a_new_campaign_year_starts_a_fresh_call_and_labels_last_years_voices(tree, client):
    from dianti.campaigns.models import Campaign
    from dianti.campaigns.tests.factories import published
    from dianti.voices.mining_bridge import mine_organization

    last = in_topics(tree, year=2020)
    for i in range(3):
        opinion(tree.village_a1, f"去年反映：村口的路灯坏了好几盏，晚上出行很不方便{i}", who=f"old{i}")
    mine_organization(tree.village_a1, last)
    Campaign.objects.filter(pk=last.pk).update(phase="archived")
    published(tree, year=2021)
    opinion(tree.village_a1, "今年反映：老年食堂希望增加晚餐供应", who="new")
    page = client.get(reverse("voices_public", args=[tree.village_a1.code])).content.decode()
    current, _, earlier = page.partition("往年的话题")
    assert "2021年大家关心的话题" in current or "今年反映" in current
    assert "去年反映" not in current and "老年食堂" in current
    assert "2020年" in earlier and "路灯" in earlier
