"""The hall's phone pages through the test client: the evaluator's ballot, and attendees asking and signing in."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from dianti.core import ratelimit
from dianti.meetings import services
from dianti.meetings.models import Attendance, Ballot, EvaluatorCode, Question
from dianti.meetings.views_public import EVALUATOR_COOKIE

from .factories import held


def _phone(code: str) -> Client:
    phone = Client()
    phone.post(reverse("evaluator_enter_form"), {"code": code})
    return phone


def _post(phone: Client, h, *grades: str, **extra: str):
    data = {f"grade_{item.pk}": g for item, g in zip(h.items, grades, strict=False) if g}
    return phone.post(reverse("evaluator_ballot"), {**data, **extra})


def test_scanning_the_slip_opens_the_ballot_and_keeps_the_code_out_of_the_url(tree):
    h = held(tree)
    phone = Client()
    response = phone.post(reverse("evaluator_enter_form"), {"code": services.format_code(h.codes["党员代表"][0])})
    assert response.status_code == 302 and response.url == reverse("evaluator_ballot")
    assert h.codes["党员代表"][0] not in response.url and EVALUATOR_COOKIE in response.cookies
    page = phone.get(reverse("evaluator_ballot")).content.decode()
    assert "您的身份：党员代表" in page and "雪水港村" in page and "已评 0 / 2 位" in page


def test_a_typed_code_works_too(tree):
    h = held(tree)
    phone = Client()
    response = phone.post(reverse("evaluator_enter_form"), {"code": h.codes["党员代表"][0].lower()})
    assert response.status_code == 302


def test_a_wrong_or_revoked_code_says_so(tree):
    h = held(tree)
    wrong = Client().post(reverse("evaluator_enter_form"), {"code": "ABCDE-23456"})
    assert wrong.status_code == 400 and "评议码不正确，请核对评议码条上的字符" in wrong.content.decode()
    old = h.codes["党员代表"][0]
    services.codes_issue(actor=None, meeting=h.meeting)
    revoked = Client().post(reverse("evaluator_enter_form"), {"code": old})
    assert revoked.status_code == 400 and "该评议码已作废，请向工作人员领取新的评议码" in revoked.content.decode()


def test_a_scanned_code_survives_a_reissue_so_nobody_is_cut_off_mid_ballot(tree):
    h = held(tree)
    phone = _phone(h.codes["党员代表"][0])
    assert EvaluatorCode.objects.filter(used=True).count() == 1
    services.codes_issue(actor=None, meeting=h.meeting)
    assert _post(phone, h, "好").status_code == 200 and Ballot.objects.count() == 1


def test_a_phone_holding_a_code_revoked_meanwhile_is_sent_back_to_the_entry(tree):
    h = held(tree)
    phone = _phone(h.codes["党员代表"][0])
    EvaluatorCode.objects.update(revoked=True)
    response = _post(phone, h, "好")
    assert response.status_code == 302 and response.url == reverse("evaluator_enter_form")
    assert not Ballot.objects.exists()


def test_without_a_code_the_ballot_page_asks_for_one(db):
    response = Client().get(reverse("evaluator_ballot"))
    assert response.status_code == 302 and response.url == reverse("evaluator_enter_form")
    forged = Client()
    forged.cookies[EVALUATOR_COOKIE] = "ABCDE23456"
    assert forged.get(reverse("evaluator_ballot")).url == reverse("evaluator_enter_form")


def test_a_whole_hall_behind_one_address_can_scan_in(tree):
    """Wrong codes are limited per address; good ones are not, as a venue's Wi-Fi puts everyone on one address."""
    h = held(tree, groups=[services.GroupSpec("党员代表", 100, 40)])
    assert all(_phone(code).get(reverse("evaluator_ballot")).status_code == 200 for code in h.all_codes())


def test_guessing_codes_is_slowed_down(tree):
    held(tree)
    statuses = [Client().post(reverse("evaluator_enter_form"), {"code": f"ABCDE{n:05d}"}).status_code for n in range(35)]
    assert statuses[:30] == [400] * 30 and statuses[-1] == 429


def test_voting_on_the_phone_then_revising(tree):
    h = held(tree, items=["德", "能"])
    phone = _phone(h.codes["党员代表"][0])
    first = _post(phone, h, "好", "", **{f"score_{h.items[0].pk}_德": "90", f"comment_{h.items[0].pk}": "工作扎实"})
    assert first.status_code == 200 and "已保存" in first.content.decode() and "已评 1 / 2 位" in first.content.decode()
    again = _post(phone, h, "较好", "差").content.decode()
    assert "已评 2 / 2 位" in again
    assert sorted(Ballot.objects.values_list("grade", flat=True)) == ["差", "较好"]


def test_an_empty_ballot_asks_for_a_grade(tree):
    h = held(tree)
    response = _post(_phone(h.codes["党员代表"][0]), h)
    assert response.status_code == 400 and "请至少为一位书记选择等次" in response.content.decode()


def test_a_score_out_of_range_is_said_on_the_page_and_nothing_is_stored(tree):
    h = held(tree, items=["德"])
    phone = _phone(h.codes["党员代表"][0])
    response = _post(phone, h, "好", **{f"score_{h.items[0].pk}_德": "150"})
    assert response.status_code == 400 and "“德”的分数应为 0 至 100 的整数" in response.content.decode()
    odd = _post(phone, h, "好", **{f"score_{h.items[0].pk}_德": "²"})
    assert odd.status_code in (200, 400) and Ballot.objects.filter(scores__has_key="德").count() == 0


def test_without_revising_a_change_is_refused_on_the_page(tree):
    h = held(tree, allow_revise=False)
    phone = _phone(h.codes["党员代表"][0])
    _post(phone, h, "好")
    response = _post(phone, h, "差")
    assert response.status_code == 400 and "本场会议的评议提交后不能修改" in response.content.decode()
    assert list(Ballot.objects.values_list("grade", flat=True)) == ["好"]


def test_after_closing_the_phone_is_told_voting_has_ended(tree):
    h = held(tree)
    phone = _phone(h.codes["党员代表"][0])
    services.meeting_close(actor=None, meeting=h.meeting)
    assert "投票已截止，谢谢您的参与" in phone.get(reverse("evaluator_ballot")).content.decode()
    response = _post(phone, h, "好")
    assert response.status_code == 400 and "投票已截止，不能再提交" in response.content.decode()
    assert not Ballot.objects.exists()


def test_the_attendee_page_signs_in_and_takes_a_question(tree):
    h = held(tree)
    url = reverse("meeting_public", args=[h.meeting.public_key])
    attendee = Client()
    assert "签到" in attendee.get(url).content.decode()
    attendee.post(url, {"what": "sign_in", "name": "王大伯", "role": "党员"})
    attendee.post(url, {"what": "sign_in", "name": "王大伯", "role": "党员"})
    assert Attendance.objects.count() == 1 and "您已签到" in attendee.get(url).content.decode()
    assert attendee.post(url, {"what": "question", "text": "书记，村里的路灯什么时候能修好？"}).status_code == 302
    short = attendee.post(url, {"what": "question", "text": "路灯"})
    assert short.status_code == 400 and "问题太短" in short.content.decode()
    assert Question.objects.get().item == h.items[0]


def test_the_attendee_page_shows_only_approved_or_answered_questions(tree):
    h = held(tree)
    texts = {s: f"{label}：路灯什么时候修？" for s, label in
             [("pending", "待审问题"), ("approved", "通过的问题"), ("answered", "回答的问题"), ("hidden", "藏起的问题")]}
    for n, (status, text) in enumerate(texts.items()):
        q = services.question_ask(meeting=h.meeting, text=text, device_hash=ratelimit.digest(str(n)))
        if status != "pending":
            services.question_moderate(actor=None, question=q, action={"approved": "approve", "answered": "answer",
                                                                      "hidden": "hide"}[status], answer="三个月内修好")
    page = Client().get(reverse("meeting_public", args=[h.meeting.public_key])).content.decode()
    assert texts["approved"] in page and texts["answered"] in page and "三个月内修好" in page
    assert texts["pending"] not in page and texts["hidden"] not in page


def test_upvoting_counts_once_per_phone_and_only_shown_questions(tree):
    h = held(tree)
    shown = services.question_ask(meeting=h.meeting, text="书记，路灯什么时候修？", device_hash=ratelimit.digest("a"))
    services.question_moderate(actor=None, question=shown, action="approve")
    pending = services.question_ask(meeting=h.meeting, text="书记，河道什么时候清？", device_hash=ratelimit.digest("b"))
    attendee = Client()
    for _ in range(3):
        attendee.post(reverse("meeting_question_vote", args=[h.meeting.public_key, shown.pk]))
    assert attendee.post(reverse("meeting_question_vote", args=[h.meeting.public_key, pending.pk])).status_code == 404
    Client().post(reverse("meeting_question_vote", args=[h.meeting.public_key, shown.pk]))
    assert list(Question.objects.order_by("pk").values_list("votes", flat=True)) == [2, 0]


def test_an_unknown_meeting_key_is_404(db):
    assert Client().get(reverse("meeting_public", args=["nope"])).status_code == 404
