"""What the hall's phones send is checked and, when wrong, told to the person in Chinese: never a server error, never
a mark or a comment dropped without a word, never a NUL byte stored (PostgreSQL refuses them).

The two public forms — the evaluator's ballot and the hall's question and sign-in form — are also fuzzed.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dianti.meetings import services
from dianti.meetings.models import Attendance, Ballot, EvaluatorCode, Question

from .factories import held


@pytest.fixture
def hall(tree):
    return held(tree, items=["德", "能"])


def _phone(code: str) -> Client:
    phone = Client()
    phone.post(reverse("evaluator_enter_form"), {"code": code})
    return phone


def _cast(phone: Client, data: dict[str, str]):
    return phone.post(reverse("evaluator_ballot"), data)


def test_a_5000_digit_score_is_told_in_chinese_not_a_server_error(hall):
    item = hall.items[0]
    response = _cast(_phone(hall.codes["党员代表"][0]), {f"grade_{item.pk}": "好", f"score_{item.pk}_德": "9" * 5000})
    assert response.status_code == 400
    assert "第 1 位：“德”的分数应为 0 至 100 的整数" in response.content.decode()
    assert not Ballot.objects.exists()


@pytest.mark.parametrize("score", ["101", "-5", "90.5", "abc", "²", "１００"])
def test_an_invalid_score_is_told_and_nothing_is_stored(hall, score):
    item = hall.items[0]
    response = _cast(_phone(hall.codes["党员代表"][0]), {f"grade_{item.pk}": "好", f"score_{item.pk}_能": score})
    assert response.status_code == 400 and "“能”的分数应为 0 至 100 的整数" in response.content.decode()
    assert not Ballot.objects.exists()


def test_a_comment_over_500_characters_is_told_not_cut(hall):
    item = hall.items[1]
    response = _cast(_phone(hall.codes["党员代表"][0]), {f"grade_{item.pk}": "好", f"comment_{item.pk}": "路" * 501})
    assert response.status_code == 400 and "第 2 位：评语最多 500 字" in response.content.decode()
    assert not Ballot.objects.exists()


def test_a_refused_ballot_comes_back_as_filled_in(hall):
    first, second = hall.items
    response = _cast(_phone(hall.codes["党员代表"][0]), {
        f"grade_{first.pk}": "较好", f"score_{first.pk}_德": "101", f"grade_{second.pk}": "好",
        f"comment_{second.pk}": "路灯" * 260})
    page = response.content.decode()
    assert response.status_code == 400
    assert f'name="grade_{first.pk}" value="较好" checked' in page and 'value="101"' in page
    assert "路灯" * 260 + "</textarea>" in page and 'maxlength="500"' not in page  # a paste is never cut unseen


def test_a_comment_or_score_without_a_grade_is_told_not_dropped(hall):
    item = hall.items[0]
    response = _cast(_phone(hall.codes["党员代表"][0]), {f"comment_{item.pk}": "村口的路灯坏了"})
    assert response.status_code == 400 and "第 1 位：请先选择等次" in response.content.decode()
    assert not Ballot.objects.exists()


def test_nul_bytes_never_reach_the_database(hall):
    phone = Client()
    key = hall.meeting.public_key
    asked = phone.post(reverse("meeting_public", args=[key]), {"what": "ask", "text": "路灯\x00什么时候修？", "asker": "张\x00三"})
    signed = phone.post(reverse("meeting_public", args=[key]), {"what": "sign_in", "name": "李\x00四", "role": "党员\x00"})
    assert asked.status_code == signed.status_code == 302
    assert Question.objects.values_list("text", "asker").get() == ("路灯什么时候修？", "张三")
    assert Attendance.objects.values_list("name", "role").get() == ("李四", "党员")
    item = hall.items[0]
    voter = _phone(hall.codes["党员代表"][0])
    assert _cast(voter, {f"grade_{item.pk}": "好", f"comment_{item.pk}": "很\x00好"}).status_code == 200
    assert Ballot.objects.get().comment == "很好"


def test_a_name_too_long_to_keep_is_told_not_cut(hall):
    response = Client().post(reverse("meeting_public", args=[hall.meeting.public_key]),
                             {"what": "sign_in", "name": "张" * 51})
    assert response.status_code == 400 and "姓名和身份各最多 50 字" in response.content.decode()
    assert not Attendance.objects.exists()


_text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=600)
_scoreish = st.one_of(_text, st.integers(-10**6, 10**6).map(str), st.text("0123456789", min_size=1, max_size=6000))
_FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                        HealthCheck.too_slow])


@_FUZZ
@given(grade=st.one_of(st.sampled_from(["好", "较好", "", "差"]), _text), score=_scoreish, comment=_text,
       extra=st.dictionaries(_text, _text, max_size=3))
def test_fuzz_the_evaluator_post(hall, grade, score, comment, extra):
    cache.clear()
    Ballot.objects.all().delete()
    EvaluatorCode.objects.update(used=False, cast=False, device_hash="")  # each example a fresh slip
    item = hall.items[0]
    phone = _phone(hall.codes["党员代表"][0])
    response = _cast(phone, {**extra, f"grade_{item.pk}": grade, f"score_{item.pk}_德": score,
                             f"comment_{item.pk}": comment})
    assert response.status_code in (200, 400)
    stored = list(Ballot.objects.all())
    if response.status_code == 400:
        assert not stored
    for ballot in stored:
        assert ballot.grade == grade and "\x00" not in ballot.comment and len(ballot.comment) <= 500
        assert all(0 <= v <= 100 for v in ballot.scores.values())


@_FUZZ
@given(what=st.sampled_from(["ask", "sign_in", "", "x"]), text=_text, asker=_text, name=_text, role=_text)
def test_fuzz_the_hall_question_and_sign_in_form(hall, what, text, asker, name, role):
    cache.clear()
    Question.objects.all().delete()
    Attendance.objects.all().delete()
    response = Client().post(reverse("meeting_public", args=[hall.meeting.public_key]),
                             {"what": what, "text": text, "asker": asker, "name": name, "role": role})
    assert response.status_code in (302, 400)
    if response.status_code == 400:
        assert not Question.objects.exists() and not Attendance.objects.exists()
    for q in Question.objects.all():
        assert "\x00" not in q.text + q.asker and len(q.text) <= services.MAX_QUESTION and len(q.asker) <= 50
    for a in Attendance.objects.all():
        assert "\x00" not in a.name + a.role and a.name
