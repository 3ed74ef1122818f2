"""Vote progress: ballots cast per group (phone codes that cast plus counted paper sheets) against the group's size,
one figure for the staff console, the projector and the API; never more ballots than a group has members."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from dianti.meetings import selectors, services
from dianti.meetings.models import Ballot

from .factories import held, vote


@pytest.fixture
def h(tree, users):
    return held(tree)  # 镇党委班子成员 2 seats, 党员代表 3 seats


def _open_on_a_phone(code: str) -> Client:
    phone = Client()
    assert phone.post(reverse("evaluator_enter_form"), {"code": code}).status_code == 302
    return phone


def _paper(h, users, serial: int, group: str = "党员代表", *, twice: bool = True) -> str:
    outcome = ""
    for clerk in (users.town_admin, users.county_admin)[:2 if twice else 1]:
        outcome = services.paper_enter(actor=clerk, meeting=h.meeting, group=h.group(group), serial=serial,
                                       grades={h.items[0].pk: "好", h.items[1].pk: "较好"})
    return outcome


def _figures(h) -> list[tuple[str, int, int]]:
    return [(p.group.name, p.submitted, p.expected) for p in selectors.progress(h.meeting)]


def test_codes_opened_but_not_used_are_not_ballots(h):
    for code in h.codes["党员代表"] + h.codes["镇党委班子成员"][:1]:
        _open_on_a_phone(code)
    assert _figures(h) == [("镇党委班子成员", 0, 2), ("党员代表", 0, 3)]
    vote(h, h.codes["党员代表"][0], "好")
    assert _figures(h) == [("镇党委班子成员", 0, 2), ("党员代表", 1, 3)]


def test_phone_and_paper_count_together_and_a_sheet_typed_once_is_not_yet_a_ballot(h, users):
    vote(h, h.codes["党员代表"][0], "好", "好")
    vote(h, h.codes["党员代表"][1], "较好")
    assert _paper(h, users, 1, twice=False) == "waiting"
    assert _figures(h) == [("镇党委班子成员", 0, 2), ("党员代表", 2, 3)]
    assert _paper(h, users, 1) == "accepted"
    (members,) = [p for p in selectors.progress(h.meeting) if p.group.name == "党员代表"]
    assert (members.phone, members.paper, members.submitted, members.over) == (2, 1, 3, False)


def test_a_phone_beyond_the_group_s_size_is_refused_saying_why(h, users):
    _paper(h, users, 1)
    _paper(h, users, 2)
    vote(h, h.codes["党员代表"][0], "好")
    with pytest.raises(ValidationError, match="评议组“党员代表”已有 3 张有效票，等于组内人数 3，不能再增加"):
        vote(h, h.codes["党员代表"][1], "差")
    assert _figures(h)[1] == ("党员代表", 3, 3)
    assert Ballot.objects.filter(kind=Ballot.Kind.PHONE).count() == 1
    vote(h, h.codes["党员代表"][0], "较好")  # the code that did cast may still revise


def test_on_the_phone_the_refusal_reads_the_same(h, users):
    for serial in (1, 2, 3):
        _paper(h, users, serial)
    phone = _open_on_a_phone(h.codes["党员代表"][0])
    response = phone.post(reverse("evaluator_ballot"), {f"grade_{h.items[0].pk}": "好"})
    assert response.status_code == 400 and "已有 3 张有效票，等于组内人数 3" in response.content.decode()
    assert _figures(h)[1] == ("党员代表", 3, 3)
    assert _paper(h, users, 9, group="镇党委班子成员") == "accepted"  # another group still has room


def test_a_paper_sheet_beyond_the_group_s_size_is_refused(h, users):
    for code in h.codes["党员代表"][:2]:
        vote(h, code, "好")
    _paper(h, users, 1)
    with pytest.raises(ValidationError, match="已有 3 张有效票，等于组内人数 3"):
        _paper(h, users, 2, twice=False)
    assert _figures(h)[1] == ("党员代表", 3, 3)


def _tiles(page: str) -> dict[str, str]:
    return dict((name, figure) for figure, name in re.findall(r"<b>(\d+ / \d+)</b>([^<·]+?) ·", page)) or {
        name: figure for name, figure in re.findall(r"<span>([^<]+)</span><b>(\d+ / \d+)</b>", page)}


def test_the_console_the_projector_and_the_api_show_the_same_figure(h, users, client):
    for code in h.all_codes():
        _open_on_a_phone(code)  # every slip opened: the old tiles said 2 / 2 and 3 / 3 here
    vote(h, h.codes["党员代表"][0], "好")
    _paper(h, users, 1)
    client.force_login(users.town_admin)
    console = _tiles(client.get(reverse("meeting_detail", args=[h.meeting.pk])).content.decode())
    screen = _tiles(client.get(reverse("meeting_screen", args=[h.meeting.pk]), HTTP_HX_REQUEST="true")
                    .content.decode())
    (api,) = client.get("/api/v1/meetings").json()["items"]
    assert console == screen == {"镇党委班子成员": "0 / 2", "党员代表": "2 / 3"}
    assert [(p["group"], p["submitted"], p["phone"], p["paper"], p["expected"]) for p in api["progress"]] == [
        ("镇党委班子成员", 0, 0, 0, 2), ("党员代表", 2, 1, 1, 3)]
