"""Scheduling a meeting and issuing evaluator codes, through the services."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dianti.campaigns.models import Phase
from dianti.campaigns.tests.factories import in_topics, published
from dianti.core.models import Notification
from dianti.meetings import services
from dianti.meetings.models import AgendaItem, EvaluatorCode, Meeting, PanelGroup

from .factories import GROUPS, held, reporting, scheduled

G = services.GroupSpec


def test_a_town_admin_schedules_the_agenda_in_order_with_time_slots(tree, users):
    meeting = scheduled(reporting(tree), actor=users.town_admin, minutes_each=20)
    items = list(meeting.agenda.order_by("order").select_related("subject__organization"))
    assert [i.subject.organization.short_name for i in items] == ["雪水港村", "丰义村"]
    assert [f"{i.starts:%H:%M}" for i in items] == ["09:00", "09:20"]
    assert meeting.status == Meeting.Status.SCHEDULED and meeting.grades == ["好", "较好", "一般", "差"]
    assert [(g.name, g.weight, g.size) for g in meeting.groups.all()] == [
        ("镇党委班子成员", Decimal(40), 2), ("党员代表", Decimal(60), 3)]


@pytest.mark.parametrize("groups", [
    [G("镇党委班子成员", Decimal(40), 2), G("党员代表", Decimal(50), 3)],
    [G("镇党委班子成员", Decimal("33.33"), 2), G("党员代表", Decimal("33.33"), 3), G("群众代表", Decimal("33.33"), 3)],
    [G("镇党委班子成员", Decimal(100), 2), G("党员代表", Decimal(10), 3)],
])
def test_weights_must_sum_to_100_and_the_message_says_the_sum(tree, groups):
    with pytest.raises(ValidationError) as exc:
        scheduled(reporting(tree), groups=groups)
    assert "权重之和须为 100%" in exc.value.messages[0]
    assert not Meeting.objects.exists()


def test_weights_may_be_fractions_that_sum_exactly_to_100(tree):
    groups = [G("镇党委班子成员", Decimal("33.34"), 2), G("党员代表", Decimal("33.33"), 3),
              G("群众代表", Decimal("33.33"), 3)]
    assert scheduled(reporting(tree), groups=groups).groups.count() == 3


def test_a_negative_weight_cannot_make_up_the_sum(tree):
    with pytest.raises(ValidationError, match="权重"):
        scheduled(reporting(tree), groups=[G("镇党委班子成员", Decimal(150), 2), G("党员代表", Decimal(-50), 3)])


@pytest.mark.parametrize("groups, message", [
    ([], "至少一个评议人类别"),
    ([G("党员代表", Decimal(50), 2), G("党员代表 ", Decimal(50), 3)], "不能为空或重复"),
    ([G(" ", Decimal(50), 2), G("党员代表", Decimal(50), 3)], "不能为空或重复"),
    ([G("党员代表", Decimal(100), 0)], "每个类别至少 1 人"),
    ([G("党员代表", Decimal(100), services.MAX_EVALUATORS + 1)], "不超过"),
])
def test_groups_must_be_named_uniquely_and_hold_people(tree, groups, message):
    with pytest.raises(ValidationError, match=message):
        scheduled(reporting(tree), groups=groups)


def test_subjects_must_come_from_the_campaign(tree):
    campaign = reporting(tree)
    other = in_topics(tree, year=2021)
    with pytest.raises(ValidationError, match="必须属于本次活动"):
        scheduled(campaign, subjects=[campaign.subjects.first(), other.subjects.first()])
    with pytest.raises(ValidationError, match="请选择本场述职的对象"):
        services.meeting_schedule(actor=None, campaign=campaign, title="", starts_at=other.created_at, venue="会议室",
                                  subjects=[], groups=GROUPS)


def test_a_subject_listed_twice_is_refused_in_words_not_a_crash(tree):
    campaign = reporting(tree)
    first = campaign.subjects.first()
    with pytest.raises(ValidationError, match="重复"):
        scheduled(campaign, subjects=[first, first])


@pytest.mark.parametrize("grades", [["好"], ["好", "好", "差"], ["好", " "]])
def test_a_grade_scale_needs_two_distinct_grades(tree, grades):
    with pytest.raises(ValidationError, match="等次至少两个"):
        scheduled(reporting(tree), grades=grades)


def test_only_in_the_topics_or_reporting_phase(tree):
    with pytest.raises(ValidationError, match="“点题”或“述职”阶段"):
        scheduled(published(tree))
    assert scheduled(in_topics(tree, year=2021)).campaign.phase == Phase.TOPICS


def test_a_town_admin_cannot_schedule_for_another_town(tree, users):
    campaign = reporting(tree)
    for outsider in (users.other_town_admin, users.secretary, users.evaluator, users.public):
        with pytest.raises(PermissionDenied):
            scheduled(campaign, actor=outsider)
    assert scheduled(campaign, actor=users.county_admin).pk


def test_secretaries_are_told_on_commit_not_before(tree, users, django_capture_on_commit_callbacks):
    campaign = reporting(tree)
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        scheduled(campaign, actor=users.town_admin)
    assert not Notification.objects.filter(kind="meeting_scheduled").exists()
    for callback in callbacks:
        callback()
    told = Notification.objects.get(kind="meeting_scheduled")
    assert told.recipient == users.secretary and "述职会安排：2020年6月20日 09:00" in told.title


def test_a_refused_schedule_tells_nobody(tree, users, django_capture_on_commit_callbacks):
    campaign = reporting(tree)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        scheduled(campaign, groups=[G("党员代表", Decimal(99), 3)])
    assert not Notification.objects.filter(kind="meeting_scheduled").exists()


def test_codes_issue_returns_one_plain_code_per_seat_and_stores_only_hashes(tree):
    meeting = scheduled(reporting(tree))
    issued = services.codes_issue(actor=None, meeting=meeting)
    assert [(g.name, len(c)) for g, c in issued] == [("镇党委班子成员", 10)] * 2 + [("党员代表", 10)] * 3
    codes = [c for _, c in issued]
    assert len(set(codes)) == 5 and all(set(c) <= set(services.CODE_ALPHABET) for c in codes)
    stored = set(EvaluatorCode.objects.values_list("code_hash", flat=True))
    assert stored == {services.code_hash(c) for c in codes} and not stored & set(codes)


def test_codes_are_stored_in_an_order_unrelated_to_the_slips(tree):
    """Slips are handed out in print order; if row ids followed it, a row would say whose slip it was."""
    groups = [G("党员代表", Decimal(100), 40)]
    meeting = scheduled(reporting(tree), groups=groups)
    printed = [c for _, c in services.codes_issue(actor=None, meeting=meeting)]
    ids = dict(EvaluatorCode.objects.values_list("code_hash", "pk"))
    in_print_order = [ids[services.code_hash(c)] for c in printed]
    assert in_print_order != sorted(in_print_order)


def test_reissuing_revokes_unused_codes_and_keeps_the_used_ones(tree):
    h = held(tree)
    used = h.codes["党员代表"][0]
    services.ballot_submit(meeting=h.meeting, code=used, marks={h.items[0].pk: services.Mark("好")})
    again = services.codes_issue(actor=None, meeting=h.meeting)
    assert [g.name for g, _ in again].count("党员代表") == 2  # one seat is taken by the code already used
    with pytest.raises(ValidationError, match="该评议码已作废，请向工作人员领取新的评议码"):
        services.ballot_submit(meeting=h.meeting, code=h.codes["党员代表"][1], marks={h.items[0].pk: services.Mark("好")})
    assert services.ballot_submit(meeting=h.meeting, code=used, marks={h.items[1].pk: services.Mark("差")}) == 1
    assert EvaluatorCode.objects.filter(revoked=False).count() == 5


def test_a_wrong_code_says_so_in_chinese(tree):
    h = held(tree)
    with pytest.raises(ValidationError, match="评议码不正确，请核对评议码条上的字符"):
        services.ballot_submit(meeting=h.meeting, code="ABCDE23456", marks={h.items[0].pk: services.Mark("好")})


def test_a_code_is_read_the_way_people_type_it(tree):
    h = held(tree)
    code = h.codes["党员代表"][0]
    typed = f" {code[:5].lower()}-{code[5:]} "
    assert services.ballot_submit(meeting=h.meeting, code=typed, marks={h.items[0].pk: services.Mark("好")}) == 1


def test_a_code_of_another_meeting_does_not_vote_here(tree):
    h = held(tree)
    other = scheduled(h.meeting.campaign)
    code = services.codes_issue(actor=None, meeting=other)[0][1]
    with pytest.raises(ValidationError, match="评议码不正确"):
        services.ballot_submit(meeting=h.meeting, code=code, marks={h.items[0].pk: services.Mark("好")})


def test_no_codes_after_closing(tree):
    h = held(tree)
    services.meeting_close(actor=None, meeting=h.meeting)
    with pytest.raises(ValidationError, match="会议已结束"):
        services.codes_issue(actor=None, meeting=h.meeting)


def test_only_the_convener_admins_issue_codes(tree, users):
    meeting = scheduled(reporting(tree))
    with pytest.raises(PermissionDenied):
        services.codes_issue(actor=users.other_town_admin, meeting=meeting)
    assert not EvaluatorCode.objects.exists()
    assert len(services.codes_issue(actor=users.town_admin, meeting=meeting)) == 5


def test_opening_needs_the_reporting_phase_and_starts_with_the_first_subject(tree):
    early = scheduled(in_topics(tree, year=2021))
    with pytest.raises(ValidationError, match="进入“述职”阶段后才能开会"):
        services.meeting_open(actor=None, meeting=early)
    h = held(tree)
    assert h.meeting.status == Meeting.Status.OPEN and h.meeting.current_item == h.items[0]
    with pytest.raises(ValidationError, match="已经开始"):
        services.meeting_open(actor=None, meeting=h.meeting)


def test_the_current_subject_must_be_on_this_agenda(tree):
    h = held(tree)
    other = scheduled(h.meeting.campaign)
    with pytest.raises(ValidationError, match="不在本场会议中"):
        services.meeting_set_current(actor=None, meeting=h.meeting, item=AgendaItem.objects.filter(meeting=other).first())
    services.meeting_set_current(actor=None, meeting=h.meeting, item=h.items[1])
    assert Meeting.objects.get(pk=h.meeting.pk).current_item == h.items[1]


def test_panel_groups_keep_their_order(tree):
    groups = [G("群众代表", Decimal(30), 1), G("党员代表", Decimal(30), 1), G("驻村干部", Decimal(40), 1)]
    meeting = scheduled(reporting(tree), groups=groups)
    assert list(PanelGroup.objects.filter(meeting=meeting).values_list("name", flat=True)) == ["群众代表", "党员代表", "驻村干部"]
