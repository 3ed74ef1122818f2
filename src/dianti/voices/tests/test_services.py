"""Opinions in: the public form, offline entry, bad input, rate limits, moderation and +1."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError

from dianti.campaigns.tests.factories import in_topics
from dianti.core.models import AuditEvent
from dianti.voices import services
from dianti.voices.models import Channel, Opinion, Support

from .factories import opinion, submitter, visit


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


def test_html_and_script_are_stripped_but_words_and_emoji_stay(tree):
    op = opinion(tree.village_a1, "<script>alert(1)</script><b>路灯</b>坏了好几个月 😡，希望尽快修")
    assert op.text == "alert(1)路灯坏了好几个月 😡，希望尽快修"
    assert "<" not in op.text


@pytest.mark.parametrize("text,message", [("", "太短"), ("   \n ", "太短"), ("路灯坏", "太短"),
                                          ("长" * 2001, "太长（2001 字）")])
def test_empty_or_huge_opinions_are_refused_in_chinese(tree, text, message):
    with pytest.raises(ValidationError, match=message):
        opinion(tree.village_a1, text)
    assert not Opinion.objects.exists()


def test_a_public_opinion_gets_a_tracking_code_and_joins_the_open_campaign(tree):
    campaign = in_topics(tree)
    op = opinion(tree.village_a1, "村里的老年食堂只开午餐，希望晚上也能开")
    assert len(op.tracking_code) == 8 and op.tracking_code.isalnum()
    assert op.campaign == campaign and op.channel == Channel.ONLINE
    assert AuditEvent.objects.filter(action="opinion.submit", target_id=str(op.pk)).exists()


def test_anonymous_opinions_keep_no_name_and_phones_are_validated(tree):
    op = opinion(tree.village_a1, "河道里漂浮垃圾很多，希望清理", anonymous=True, name="王阿姨")
    assert op.author_name == "" and op.anonymous
    with pytest.raises(ValidationError, match="不是有效的手机号"):
        opinion(tree.village_a1, "河道里漂浮垃圾很多，希望清理", phone="12345")


def test_one_address_is_rate_limited(tree):
    for i in range(5):
        services.opinion_submit(organization=tree.village_a1, text=f"第{i}条意见：路灯坏了", submitter=submitter("same"))
    with pytest.raises(services.RateLimited, match="提交太频繁"):
        services.opinion_submit(organization=tree.village_a1, text="第六条意见：路灯坏了", submitter=submitter("same"))
    assert Opinion.objects.count() == 5


def test_visits_and_symposiums_need_the_number_of_people_met(tree):
    with pytest.raises(ValidationError, match="接触的人次"):
        visit(tree.village_a1, "走访中群众反映路灯坏了", met=0)
    op = visit(tree.village_a1, "走访中群众反映路灯坏了", met=12)
    assert op.people_met == 12 and op.channel == Channel.VISIT


def test_point_staff_may_record_for_the_organizations_their_point_covers(tree, users):
    from dianti.orgs import services as org_services

    person = org_services.person_create(actor=None, name="联络员", organization=tree.town_a)
    person.user = users.point_staff
    person.save(update_fields=["user"])
    point = org_services.point_create(actor=None, kind="direct_report", name="雪水港村民情直报点",
                                      organization=tree.village_a1, staff=[person])
    op = services.opinion_record(actor=users.point_staff, organization=tree.village_a1, channel=Channel.DIRECT_REPORT,
                                 text="直报点转来：村口道路积水严重", point=point)
    assert op.point == point
    with pytest.raises(PermissionDenied):
        services.opinion_record(actor=users.point_staff, organization=tree.village_a2, channel=Channel.DIRECT_REPORT,
                                text="直报点转来：别的村的问题", point=point)


def test_hiding_needs_a_reason_keeps_the_opinion_and_is_audited(tree, users):
    op = opinion(tree.village_a1, "这里是广告：低价出售二手车，电话联系")
    with pytest.raises(ValidationError, match="屏蔽理由"):
        services.opinions_hide(actor=users.town_admin, opinions=[op], reason="")
    services.opinions_hide(actor=users.town_admin, opinions=[op], reason="广告")
    op.refresh_from_db()
    assert op.status == Opinion.Status.HIDDEN and op.hidden_reason == "广告"
    assert AuditEvent.objects.get(action="opinion.hide").note == "广告"


def test_town_admin_cannot_moderate_another_towns_opinions(tree, users):
    op = opinion(tree.village_b1, "长墙山村的路灯坏了好几个月")
    with pytest.raises(PermissionDenied):
        services.opinions_hide(actor=users.town_admin, opinions=[op], reason="越权")
    op.refresh_from_db()
    assert op.status == Opinion.Status.VISIBLE


def test_moving_to_the_right_organization(tree, users):
    op = opinion(tree.village_a1, "丰义村的桥栏杆断了，很危险")
    services.opinions_move(actor=users.town_admin, opinions=[op], organization=tree.village_a2)
    op.refresh_from_db()
    assert op.organization == tree.village_a2 and op.org_path == tree.village_a2.path


def test_a_device_supports_once_and_duplicates_pass_their_supporters_on(tree, users):
    original = opinion(tree.village_a1, "村口路灯坏了，晚上很黑", who="a")
    copy = opinion(tree.village_a1, "村口的路灯坏了，晚上黑", who="b")
    assert services.support_add(device_hash="d1", opinion=original) is True
    assert services.support_add(device_hash="d1", opinion=original) is False
    services.support_add(device_hash="d1", opinion=copy)
    services.support_add(device_hash="d2", opinion=copy)
    services.opinions_mark_duplicate(actor=users.town_admin, opinions=[copy], original=original)
    original.refresh_from_db()
    assert original.supports == 2  # d1 once, d2 carried over
    assert set(Support.objects.filter(opinion=original).values_list("device_hash", flat=True)) == {"d1", "d2"}
