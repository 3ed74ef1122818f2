"""群众点题 through the API: recording, sorting and reading opinions without the villager's name or phone, curating
topics and setting a subject's topic through the one door."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache

from dianti.campaigns.models import Subject
from dianti.campaigns.tests.factories import in_topics
from dianti.core.models import AuditEvent
from dianti.orgs import services as org_services
from dianti.testing.api import ApiClient
from dianti.voices.mining_bridge import mine_organization
from dianti.voices.models import AssignedTopic, Opinion

from .factories import opinion

LAMP = ["雪水港村三组路灯坏了好几盏，晚上出行很不方便", "三组的路灯晚上不亮，老人走夜路容易摔倒，希望尽快修好",
        "晚上三组路段漆黑一片，路灯年久失修", "雪水港村三组路灯损坏无人维修，孩子放学不安全"]


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    cache.clear()


@pytest.fixture
def point_staff(client: Any, tree: Any, users: Any) -> ApiClient:
    staff = org_services.person_create(actor=None, name="联络员", organization=tree.town_a)
    staff.user = users.point_staff
    staff.save(update_fields=["user"])
    org_services.point_create(actor=None, kind="direct_report", name="雪水港村民情直报点",
                              organization=tree.village_a1, staff=[staff])
    return ApiClient(client, users.point_staff)


def test_point_staff_record_an_opinion_and_nobody_reads_its_author_back(client: Any, point_staff: ApiClient,
                                                                        users: Any, tree: Any) -> None:
    status, body = point_staff("post", "/api/v1/voices/opinions", {
        "organization": "330424105201", "channel": "direct_report", "text": "村里的垃圾桶太少，夏天味道很大",
        "name": "王大妈", "phone": "13900001111"})
    assert status == 201, body
    assert body["channel"] == "direct_report" and body["point"] is not None and body["tracking_code"]
    opinion = Opinion.objects.get(pk=body["id"])
    assert opinion.author_name == "王大妈" and opinion.author_phone == "13900001111"
    assert AuditEvent.objects.filter(action="opinion.record", target_id=str(opinion.pk)).exists()
    admin = ApiClient(client, users.town_admin)
    for url in ("/api/v1/voices/opinions", f"/api/v1/voices/opinions/{opinion.pk}"):
        text = str(admin("get", url)[1])
        assert "王大妈" not in text and "13900001111" not in text and "1111" not in text


def test_point_staff_cannot_record_outside_what_their_point_serves(point_staff: ApiClient) -> None:
    status, body = point_staff("post", "/api/v1/voices/opinions", {
        "organization": "330424105202", "channel": "direct_report", "text": "丰义村的路面坑洼不平"})
    assert status == 422 and Opinion.objects.count() == 0


def test_sorting_the_queue(client: Any, tree: Any, users: Any) -> None:
    spam = opinion(tree.village_a1, "广告：低价出售二手手机，请加微信")
    real = opinion(tree.village_a1, "村口的路灯坏了好几个月，晚上很黑")
    admin = ApiClient(client, users.town_admin)
    status, body = admin("post", "/api/v1/voices/opinions/actions", {"action": "hide", "ids": [spam.pk],
                                                                      "reason": "广告"})
    assert (status, body) == (200, {"count": 1})
    assert admin("get", "/api/v1/voices/opinions", status="hidden")[1]["count"] == 1
    assert admin("post", "/api/v1/voices/opinions/actions", {"action": "hide", "ids": [real.pk]})[0] == 422
    status, body = admin("post", "/api/v1/voices/opinions/actions",
                         {"action": "move", "ids": [real.pk], "organization": "330424105202"})
    assert status == 200 and Opinion.objects.get(pk=real.pk).organization == tree.village_a2
    other_town = ApiClient(client, users.other_town_admin)
    assert other_town("post", "/api/v1/voices/opinions/actions", {"action": "unhide", "ids": [spam.pk]})[0] == 404


@pytest.fixture
def lamp(tree: Any, django_capture_on_commit_callbacks: Any) -> Any:
    campaign = in_topics(tree)
    for i, text in enumerate(LAMP):
        opinion(tree.village_a1, text, who=f"lamp{i}")
    mine_organization(tree.village_a1, campaign)
    return Opinion.objects.get(text__contains="路灯损坏无人维修").topic


def test_setting_a_topic_from_the_workbench(client: Any, tree: Any, users: Any, lamp: Any) -> None:
    va1 = Subject.objects.get(campaign=lamp.campaign, organization=tree.village_a1)
    va2 = Subject.objects.get(campaign=lamp.campaign, organization=tree.village_a2)
    admin = ApiClient(client, users.town_admin)
    status, bench = admin("get", f"/api/v1/voices/subjects/{va1.pk}")
    assert status == 200 and bench["topics"][0]["id"] == lamp.pk and bench["assigned"] is None
    status, bench = admin("post", f"/api/v1/voices/subjects/{va1.pk}/topic", {"text": lamp.title, "topic": lamp.pk})
    assert status == 200 and bench["topic"] == lamp.title and bench["assigned"]["topic"] == lamp.pk
    assert AssignedTopic.objects.get(subject=va1).topic == lamp
    status, refused = admin("post", f"/api/v1/voices/subjects/{va2.pk}/topic", {"text": lamp.title})
    assert status == 409 and "雪水港村" in refused["detail"]
    status, _ = admin("post", f"/api/v1/voices/subjects/{va2.pk}/topic", {"text": lamp.title,
                                                                          "confirm_duplicate": True})
    assert status == 200 and Subject.objects.get(pk=va2.pk).topic == lamp.title


def test_renaming_a_topic(client: Any, users: Any, lamp: Any) -> None:
    admin = ApiClient(client, users.town_admin)
    status, body = admin("post", f"/api/v1/voices/topics/{lamp.pk}/rename", {"title": "三组路灯维修"})
    assert status == 200 and body["title"] == "三组路灯维修"
    assert sorted(body["opinions"]) == sorted(Opinion.objects.filter(topic=lamp).values_list("pk", flat=True))
    assert admin("post", f"/api/v1/voices/topics/{lamp.pk}/explode", {})[0] == 404
    assert ApiClient(client, users.secretary)("post", f"/api/v1/voices/topics/{lamp.pk}/rename",
                                              {"title": "我改的"})[0] == 403
