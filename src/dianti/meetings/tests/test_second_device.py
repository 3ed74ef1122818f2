"""The secret ballot seen from a second device: a dropped or photographed slip reveals nothing and changes nothing.

Once a code has cast, only the phone that cast it may read its marks back or revise them (while the meeting allows
revising); any other phone entering it gets a plain "此评议码已使用". After the close, nobody gets marks back.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from dianti.meetings import services
from dianti.meetings.models import Attendance, Ballot, EvaluatorCode
from dianti.meetings.views_public import DEVICE_COOKIE, EVALUATOR_COOKIE

from .factories import held

COMMENT = "村口的路灯坏了三个月"


def _phone(code: str) -> Client:
    phone = Client()
    phone.post(reverse("evaluator_enter_form"), {"code": services.format_code(code)})
    return phone


def _cast(phone: Client, h, *grades: str, comment: str = ""):
    data = {f"grade_{item.pk}": g for item, g in zip(h.items, grades, strict=False) if g}
    data[f"comment_{h.items[0].pk}"] = comment
    return phone.post(reverse("evaluator_ballot"), data)


def _reveals_nothing(page: str) -> None:
    assert "此评议码已使用" in page or "投票已截止" in page
    assert "checked" not in page and COMMENT not in page and "已评" not in page
    assert 'name="grade_' not in page and "党员代表" not in page  # no form, not even the group


@pytest.fixture
def h(tree):
    return held(tree)


@pytest.fixture
def cast(h):
    """The first phone has cast 好/较好 with a comment on 党员代表's first code."""
    code = h.codes["党员代表"][0]
    first = _phone(code)
    assert _cast(first, h, "好", "较好", comment=COMMENT).status_code == 200
    return code, first


def test_a_used_code_entered_on_another_phone_says_only_that_it_is_used(h, cast):
    code, _first = cast
    second = Client()
    response = second.post(reverse("evaluator_enter_form"), {"code": services.format_code(code)})
    assert response.status_code == 409
    _reveals_nothing(response.content.decode())
    assert EVALUATOR_COOKIE not in second.cookies or not second.cookies[EVALUATOR_COOKIE].value
    assert second.get(reverse("evaluator_ballot")).status_code == 302  # no code kept: back to the entry page


def test_a_typed_used_code_on_another_phone_says_the_same(h, cast):
    code, _first = cast
    response = Client().post(reverse("evaluator_enter_form"), {"code": code.lower()})
    assert response.status_code == 409 and "此评议码已使用" in response.content.decode()


def test_a_copied_code_cookie_on_another_phone_shows_no_marks_and_changes_nothing(h, cast):
    _code, first = cast
    second = Client()
    second.cookies[EVALUATOR_COOKIE] = first.cookies[EVALUATOR_COOKIE].value  # the code, not the device
    page = second.get(reverse("evaluator_ballot"))
    assert page.status_code == 409
    _reveals_nothing(page.content.decode())
    second.cookies[EVALUATOR_COOKIE] = first.cookies[EVALUATOR_COOKIE].value
    changed = _cast(second, h, "差", "差", comment="改掉")
    assert changed.status_code == 409
    assert sorted(Ballot.objects.values_list("grade", flat=True)) == ["好", "较好"]
    assert not Ballot.objects.filter(comment="改掉").exists()


def test_the_casting_phone_can_still_see_and_revise_while_revising_is_allowed(h, cast):
    _code, first = cast
    page = first.get(reverse("evaluator_ballot")).content.decode()
    assert "已评 2 / 2 位" in page and COMMENT in page
    assert _cast(first, h, "差", "一般").status_code == 200
    assert sorted(Ballot.objects.values_list("grade", flat=True)) == ["一般", "差"]


def test_of_two_phones_that_opened_a_code_the_first_to_cast_keeps_it(h):
    code = h.codes["党员代表"][1]
    first, second = _phone(code), _phone(code)
    assert _cast(first, h, "好").status_code == 200
    assert second.get(reverse("evaluator_ballot")).status_code == 409
    second = _phone(code)  # a fresh entry does not help either
    assert _cast(second, h, "差").status_code in (302, 409)
    assert list(Ballot.objects.values_list("grade", flat=True)) == ["好"]


def test_the_service_refuses_a_cast_code_from_another_device(h):
    code = h.codes["镇党委班子成员"][0]
    services.ballot_submit(meeting=h.meeting, code=code, marks={h.items[0].pk: services.Mark("好")}, device="A")
    with pytest.raises(services.CodeUsed, match="此评议码已使用"):
        services.ballot_submit(meeting=h.meeting, code=code, marks={h.items[0].pk: services.Mark("差")}, device="B")
    assert services.ballot_submit(meeting=h.meeting, code=code, marks={h.items[0].pk: services.Mark("差")},
                                  device="A") == 1
    assert list(Ballot.objects.values_list("grade", flat=True)) == ["差"]


def test_after_the_close_nobody_sees_marks_not_even_the_casting_phone(h, cast):
    code, first = cast
    services.meeting_close(actor=None, meeting=h.meeting)
    page = first.get(reverse("evaluator_ballot"))
    assert page.status_code == 200 and "投票已截止" in page.content.decode()
    _reveals_nothing(page.content.decode())
    again = Client().post(reverse("evaluator_enter_form"), {"code": code})
    assert again.status_code == 409 and "投票已截止，评议码已失效" in again.content.decode()
    assert set(EvaluatorCode.objects.values_list("device_hash", flat=True)) == {""}  # codes are dead


def test_the_binding_cannot_be_matched_with_the_hall_pages_device_id(h):
    """The phone that signs in with a name on the hall page and votes keeps the two apart in the database."""
    phone = _phone(h.codes["党员代表"][2])
    phone.post(reverse("meeting_public", args=[h.meeting.public_key]), {"what": "sign_in", "name": "王大伯"})
    assert _cast(phone, h, "好").status_code == 200
    signed = Attendance.objects.get(name="王大伯").device_hash
    bound = EvaluatorCode.objects.get(cast=True).device_hash
    assert signed and bound and signed != bound
    assert phone.cookies[DEVICE_COOKIE].value not in (signed, bound)
