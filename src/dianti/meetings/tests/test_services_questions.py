"""Questions from the floor and attendance: asking, upvoting once per device, moderating, signing in."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dianti.core import ratelimit
from dianti.meetings import selectors, services
from dianti.meetings.models import Attendance, Question

from .factories import held, reporting, scheduled


def _device(who: str) -> str:
    return ratelimit.digest(f"dev:{who}")


def _ask(h, text="书记，村里的路灯什么时候能修好？", who="villager", **kw):
    return services.question_ask(meeting=h.meeting, text=text, device_hash=_device(who), **kw)


def test_a_question_goes_to_the_secretary_speaking_and_waits_for_the_moderator(tree):
    h = held(tree)
    services.meeting_set_current(actor=None, meeting=h.meeting, item=h.items[1])
    h.meeting.refresh_from_db()
    q = _ask(h, text="  老年食堂晚饭的事，\n 今年能落实吗？ ", asker=" 老党员王大伯 ")
    assert (q.item, q.status, q.text, q.asker) == (h.items[1], Question.Status.PENDING, "老年食堂晚饭的事， 今年能落实吗？",
                                                   "老党员王大伯")
    assert list(selectors.questions_for_screen(h.meeting)) == []


@pytest.mark.parametrize("text, message", [("路灯", "问题太短"), ("   ", "问题太短"), ("问" * 301, "300 字以内")])
def test_a_question_too_short_or_too_long_is_refused(tree, text, message):
    h = held(tree)
    with pytest.raises(ValidationError, match=message):
        _ask(h, text=text)


def test_questions_only_while_the_meeting_is_open(tree):
    meeting = scheduled(reporting(tree))
    with pytest.raises(ValidationError, match="会议未在进行中，暂不能提问"):
        services.question_ask(meeting=meeting, text="书记，村里的路灯什么时候能修好？", device_hash=_device("a"))
    assert not Question.objects.exists()


def test_questions_close_with_the_meeting(tree):
    h = held(tree)
    services.meeting_close(actor=None, meeting=h.meeting)
    with pytest.raises(ValidationError, match="暂不能提问"):
        _ask(h)


def test_one_phone_may_ask_five_questions_in_ten_minutes(tree):
    h = held(tree)
    for n in range(5):
        _ask(h, text=f"第{n + 1}个问题：路灯什么时候修？")
    with pytest.raises(ValidationError, match="提问太频繁了"):
        _ask(h, text="第六个问题：路灯什么时候修？")
    assert _ask(h, who="neighbour").pk  # another phone is not held back
    assert Question.objects.count() == 6


def test_an_upvote_counts_once_per_device(tree):
    h = held(tree)
    q = _ask(h)
    assert services.question_vote(question=q, device_hash=_device("a"))
    assert not services.question_vote(question=q, device_hash=_device("a"))
    assert services.question_vote(question=q, device_hash=_device("b"))
    q.refresh_from_db()
    assert q.votes == 2


def test_moderating_approves_hides_pins_and_records_the_answer(tree, users):
    h = held(tree)
    first, second, third = (_ask(h, text=f"第{n}个问题：路灯什么时候修？", who=str(n)) for n in range(3))
    services.question_moderate(actor=users.town_admin, question=first, action="approve")
    services.question_moderate(actor=users.town_admin, question=second, action="approve")
    services.question_moderate(actor=users.town_admin, question=second, action="pin")
    services.question_moderate(actor=users.town_admin, question=third, action="hide")
    assert list(selectors.questions_for_screen(h.meeting)) == [second, first]
    services.question_moderate(actor=users.town_admin, question=first, action="answer", answer=" 三个月内修好。 ")
    first.refresh_from_db()
    assert (first.status, first.answer) == (Question.Status.ANSWERED, "三个月内修好。")
    services.question_moderate(actor=users.town_admin, question=second, action="pin")
    second.refresh_from_db()
    assert not second.pinned
    with pytest.raises(ValidationError, match="未知操作"):
        services.question_moderate(actor=users.town_admin, question=first, action="delete")


def test_the_screen_shows_the_current_secretary_s_questions_most_wanted_first(tree, users):
    h = held(tree)
    a = _ask(h, text="第一个问题：路灯什么时候修？", who="a")
    b = _ask(h, text="第二个问题：河道什么时候清？", who="b")
    for q in (a, b):
        services.question_moderate(actor=None, question=q, action="approve")
    services.question_vote(question=b, device_hash=_device("x"))
    assert list(selectors.questions_for_screen(h.meeting)) == [b, a]
    services.meeting_set_current(actor=None, meeting=h.meeting, item=h.items[1])
    h.meeting.refresh_from_db()
    assert list(selectors.questions_for_screen(h.meeting)) == []


def test_only_the_convener_admins_moderate(tree, users):
    h = held(tree)
    q = _ask(h)
    for outsider in (users.other_town_admin, users.secretary, users.evaluator):
        with pytest.raises(PermissionDenied):
            services.question_moderate(actor=outsider, question=q, action="approve")
    q.refresh_from_db()
    assert q.status == Question.Status.PENDING


def test_signing_in_twice_from_one_phone_is_one_attendance(tree):
    h = held(tree)
    first = services.attendance_sign_in(meeting=h.meeting, name=" 王大伯 ", role="党员", device_hash=_device("a"))
    again = services.attendance_sign_in(meeting=h.meeting, name="王大伯", role="党员", device_hash=_device("a"))
    assert first == again and Attendance.objects.get().name == "王大伯"
    with pytest.raises(ValidationError, match="请填写姓名"):
        services.attendance_sign_in(meeting=h.meeting, name=" ", role="", device_hash=_device("b"))


def test_a_clerk_registers_people_without_phones(tree, users):
    h = held(tree)
    assert services.attendance_add(actor=users.town_admin, meeting=h.meeting, names=["李四", " ", "王五"], role="村民代表") == 2
    assert sorted(Attendance.objects.values_list("name", "via")) == [("李四", "clerk"), ("王五", "clerk")]
    with pytest.raises(PermissionDenied):
        services.attendance_add(actor=users.other_town_admin, meeting=h.meeting, names=["赵六"])
