"""The ballot page put together from kept parts is, byte for byte, the page Django renders for that request."""

from __future__ import annotations

import re

from django.shortcuts import render
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation

from dianti.meetings import ballot_page, selectors, services
from dianti.meetings.ballot_page import PAGE, cards_html

from .factories import held, scheduled

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def _as_django_renders(request, evaluator, agenda, mine, saved):
    meeting = evaluator.meeting
    is_open = meeting.status == meeting.Status.OPEN
    return render(request, PAGE, {
        "meeting": meeting, "group": evaluator.group, "errors": [], "saved": saved, "open": is_open,
        "done": len(mine), "total": len(agenda), "cards": cards_html(meeting, is_open, agenda, mine, mine)})


def _same_page(evaluator, mine, saved):
    agenda = selectors.ballot_sheet(evaluator.meeting)
    pages = []
    for _ in range(2):  # the first builds the kept frame, the second is served from it
        request = RequestFactory().get(reverse("evaluator_ballot"))
        kept = ballot_page.ballot_page(request, meeting=evaluator.meeting, group=evaluator.group, agenda=agenda,
                                       mine=mine, shown=mine, errors=[], saved=saved)
        pages.append(kept.content.decode())
        assert kept.status_code == 200 and request.META["CSRF_COOKIE_NEEDS_UPDATE"]
    fresh = _as_django_renders(RequestFactory().get("/"), evaluator, agenda, mine, saved).content.decode()
    assert len(TOKEN.findall(fresh)) == 2  # the language switch and the ballot
    assert [TOKEN.sub("TOKEN", p) for p in pages] == [TOKEN.sub("TOKEN", fresh)] * 2


def test_the_kept_page_is_the_page_django_renders_in_each_state_of_one_ballot(tree):
    """One meeting, one code, walked through the states its page has (each kept page is compared after pages of
    other states were kept: a state missing from the key would serve one of them)."""
    h = held(tree)
    code = h.codes["党员代表"][0]
    for graded in (0, 1, 2):
        marks = {item.pk: services.Mark("较好") for item in h.items[:graded]}
        if marks:
            services.ballot_submit(meeting=h.meeting, code=code, marks=marks)
        evaluator = selectors.evaluator_code(services.code_hash(code))
        for language in ("zh-hans", "en"):
            with translation.override(language):
                for saved in (False, True):
                    _same_page(evaluator, marks, saved)


def test_the_kept_page_of_a_meeting_not_yet_open(tree):
    meeting = scheduled(held(tree).meeting.campaign)
    code = services.codes_issue(actor=None, meeting=meeting)[0][1]
    _same_page(selectors.evaluator_code(services.code_hash(code)), {}, False)


def test_a_posted_ballot_carries_a_token_the_next_post_is_accepted_with(tree):
    h = held(tree)
    phone = Client(enforce_csrf_checks=True)
    form = phone.get(reverse("evaluator_enter_form")).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    phone.post(reverse("evaluator_enter_form"), {"code": h.codes["党员代表"][0], "csrfmiddlewaretoken": token})
    for grade in ("好", "差"):
        page = phone.get(reverse("evaluator_ballot")).content.decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        response = phone.post(reverse("evaluator_ballot"), {
            "csrfmiddlewaretoken": token, **{f"grade_{item.pk}": grade for item in h.items}})
        assert response.status_code == 200 and "已保存" in response.content.decode()
        assert f'value="{grade}" checked' in response.content.decode()
