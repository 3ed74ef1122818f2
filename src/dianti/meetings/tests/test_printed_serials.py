"""The serials the platform prints are recorded: a second printing never repeats one, the rows keep no order of the
stack, and a typed serial that was never printed for the meeting (a typo, a rehearsal's sheet) is refused."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from dianti.meetings import documents, rehearsal, services
from dianti.meetings.models import Ballot, PaperEntry, PrintedSerial

from .factories import held


@pytest.fixture
def h(tree, users):
    return held(tree)


def _enter(h, clerk, serial, meeting=None):
    meeting = meeting or h.meeting
    group = meeting.groups.get(name="党员代表")
    items = list(meeting.agenda.order_by("order"))
    return services.paper_enter(actor=clerk, meeting=meeting, group=group, serial=serial,
                                grades={item.pk: "好" for item in items})


def test_a_second_printing_never_repeats_a_serial_of_the_first(h, users, monkeypatch):
    monkeypatch.setattr(documents, "SERIAL_MIN", 100)
    monkeypatch.setattr(documents, "SERIAL_MAX", 139)  # 40 serials in all: two printings of 20 must share none
    first = services.paper_serials_issue(actor=users.town_admin, meeting=h.meeting, copies=20)
    second = services.paper_serials_issue(actor=users.town_admin, meeting=h.meeting, copies=20)
    assert sorted(first + second) == list(range(100, 140))
    with pytest.raises(ValidationError, match="可用的选票编号不足"):
        services.paper_serials_issue(actor=users.town_admin, meeting=h.meeting, copies=1)
    assert PrintedSerial.objects.filter(meeting=h.meeting).count() == 40  # the refused printing recorded nothing


def test_the_recorded_serials_keep_no_order_of_the_printed_stack(h, users):
    drawn = services.paper_serials_issue(actor=users.town_admin, meeting=h.meeting, copies=30)
    assert drawn != sorted(drawn)  # the stack's order is the draw's
    stored = list(PrintedSerial.objects.filter(meeting=h.meeting).order_by("pk").values_list("serial", flat=True))
    assert stored == sorted(drawn)  # the rows, by id, are in the serials' own order: nothing of the stack's


def test_only_those_who_run_the_meeting_print_and_only_1_to_500_at_once(h, users):
    with pytest.raises(Exception):  # noqa: B017 — the house's scope refusal
        services.paper_serials_issue(actor=users.secretary, meeting=h.meeting, copies=5)
    for copies in (0, 501):
        with pytest.raises(ValidationError, match="1 至 500"):
            services.paper_serials_issue(actor=users.town_admin, meeting=h.meeting, copies=copies)
    assert not PrintedSerial.objects.exists()


def test_a_typed_serial_never_printed_for_the_meeting_is_refused_naming_it(h, users):
    serial = services.paper_serials_issue(actor=users.town_admin, meeting=h.meeting, copies=5)[0]
    assert _enter(h, users.town_admin, serial) == "waiting"
    typo = serial + 1 if serial + 1 not in set(PrintedSerial.objects.values_list("serial", flat=True)) else serial - 1
    with pytest.raises(ValidationError, match=f"编号 {typo} 不是本会议打印的选票编号"):
        _enter(h, users.county_admin, typo)
    assert not PaperEntry.objects.filter(serial=typo).exists() and not Ballot.objects.exists()
    assert _enter(h, users.county_admin, serial) == "accepted"


def test_a_meeting_whose_ballots_were_printed_elsewhere_takes_any_serial(h, users):
    assert not PrintedSerial.objects.exists()
    _enter(h, users.town_admin, 7)
    assert _enter(h, users.county_admin, 7) == "accepted"


def test_a_rehearsal_sheet_typed_into_the_real_meeting_is_refused_as_a_rehearsal_sheet(h, users):
    services.paper_serials_issue(actor=users.town_admin, meeting=h.meeting, copies=5)
    copy = rehearsal.rehearsal_start(actor=users.town_admin, meeting=h.meeting)
    services.meeting_open(actor=users.town_admin, meeting=copy)
    copy.refresh_from_db()
    rehearsal_serial = services.paper_serials_issue(actor=users.town_admin, meeting=copy, copies=5)[0]
    with pytest.raises(ValidationError, match=f"编号 {rehearsal_serial} 是模拟测评的选票"):
        _enter(h, users.town_admin, rehearsal_serial)
    real_serial = PrintedSerial.objects.filter(meeting=h.meeting).first().serial
    with pytest.raises(ValidationError, match=f"编号 {real_serial} 是正式会议的选票"):
        _enter(h, users.town_admin, real_serial, meeting=copy)
    assert _enter(h, users.town_admin, rehearsal_serial, meeting=copy) == "waiting"


def test_the_print_button_prints_fresh_serials_and_a_bad_count_says_why(client, h, users):
    client.force_login(users.town_admin)
    url = reverse("meeting_paper_pdf", args=[h.meeting.pk])
    response = client.get(url, {"copies": 3})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/pdf")
    assert PrintedSerial.objects.filter(meeting=h.meeting).count() == 3
    response = client.get(url, {"copies": 900}, follow=True)
    assert "一次可打印 1 至 500 张纸质选票" in response.content.decode()
    assert PrintedSerial.objects.filter(meeting=h.meeting).count() == 3
    page = client.get(reverse("meeting_detail", args=[h.meeting.pk])).content.decode()
    assert re.search(r'name="copies"[^>]*type="number"|type="number"[^>]*name="copies"', page)
