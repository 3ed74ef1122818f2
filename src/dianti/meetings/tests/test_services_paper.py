"""Paper ballots typed in twice: two clerks must agree before a ballot counts; disputes block closing."""

from __future__ import annotations

import contextlib

import pytest
from django.core.exceptions import ValidationError

from dianti.core.models import AuditEvent
from dianti.core.scope import OutOfScope
from dianti.meetings import selectors, services
from dianti.meetings.models import Ballot, PaperEntry

from .factories import held


@pytest.fixture
def h(tree, users):
    return held(tree)


def _enter(h, clerk, serial, *grades, group="党员代表"):
    return services.paper_enter(actor=clerk, meeting=h.meeting, group=h.group(group), serial=serial,
                                grades={item.pk: g for item, g in zip(h.items, grades, strict=True)})


def test_the_first_entry_waits_and_counts_nothing(h, users):
    assert _enter(h, users.town_admin, 1, "好", "较好") == "waiting"
    assert not Ballot.objects.exists() and services.disputes(h.meeting) == []


def test_a_matching_second_entry_by_another_clerk_counts(h, users):
    _enter(h, users.town_admin, 1, "好", "较好")
    assert _enter(h, users.county_admin, 1, "好", "较好") == "accepted"
    rows = list(Ballot.objects.order_by("item__order").values_list("item_id", "grade", "kind", "group__name"))
    assert rows == [(h.items[0].pk, "好", "paper", "党员代表"), (h.items[1].pk, "较好", "paper", "党员代表")]
    assert [p.submitted for p in selectors.progress(h.meeting)] == [0, 1]


def test_the_same_clerk_typing_twice_is_not_two_clerks(h, users):
    assert _enter(h, users.town_admin, 1, "好", "较好") == "waiting"
    assert _enter(h, users.town_admin, 1, "好", "较好") == "waiting"
    assert not Ballot.objects.exists() and PaperEntry.objects.count() == 1


def test_a_clerk_may_correct_their_own_entry_before_the_second_one(h, users):
    _enter(h, users.town_admin, 1, "好", "差")
    _enter(h, users.town_admin, 1, "好", "较好")
    assert _enter(h, users.county_admin, 1, "好", "较好") == "accepted"


def test_a_mismatch_is_listed_and_blocks_closing_naming_the_serials(h, users):
    _enter(h, users.town_admin, 7, "好", "较好")
    assert _enter(h, users.county_admin, 7, "好", "一般") == "mismatch"
    _enter(h, users.town_admin, 12, "差", "较好")
    _enter(h, users.county_admin, 12, "差", "差")
    assert services.disputes(h.meeting) == [7, 12] and not Ballot.objects.exists()
    with pytest.raises(ValidationError) as exc:
        services.meeting_close(actor=None, meeting=h.meeting)
    assert "还有 2 张纸质选票两次录入不一致" in exc.value.messages[0] and "编号 7、12" in exc.value.messages[0]


def test_a_different_group_is_a_mismatch_too(h, users):
    _enter(h, users.town_admin, 3, "好", "好", group="党员代表")
    assert _enter(h, users.county_admin, 3, "好", "好", group="镇党委班子成员") == "mismatch"


def test_resolving_counts_the_chosen_entry_and_unblocks_closing(h, users):
    _enter(h, users.town_admin, 7, "好", "较好")
    _enter(h, users.county_admin, 7, "好", "一般")
    chosen = PaperEntry.objects.get(serial=7, clerk=users.county_admin)
    services.paper_resolve(actor=users.town_admin, meeting=h.meeting, serial=7, entry=chosen)
    assert sorted(Ballot.objects.values_list("grade", flat=True)) == ["一般", "好"]
    assert services.disputes(h.meeting) == []
    services.meeting_close(actor=None, meeting=h.meeting)


def test_resolving_twice_counts_once(h, users):
    _enter(h, users.town_admin, 7, "好", "较好")
    _enter(h, users.county_admin, 7, "好", "一般")
    for entry in PaperEntry.objects.filter(serial=7):
        with contextlib.suppress(ValidationError):
            services.paper_resolve(actor=users.town_admin, meeting=h.meeting, serial=7, entry=entry)
    assert Ballot.objects.count() == 2


def test_an_entry_typed_only_once_cannot_be_resolved_into_a_ballot(h, users):
    _enter(h, users.town_admin, 5, "好", "好")
    with pytest.raises(ValidationError, match="两次录入"):
        services.paper_resolve(actor=users.town_admin, meeting=h.meeting, serial=5, entry=PaperEntry.objects.get())
    assert not Ballot.objects.exists()


def test_nothing_is_resolved_into_a_closed_meeting(h, users):
    _enter(h, users.town_admin, 5, "好", "好")
    services.meeting_close(actor=None, meeting=h.meeting, drop_single_entries=True)
    with pytest.raises(ValidationError):
        services.paper_resolve(actor=users.town_admin, meeting=h.meeting, serial=5, entry=PaperEntry.objects.get())
    assert not Ballot.objects.exists()


def test_a_resolve_must_pick_an_entry_of_that_serial(h, users):
    _enter(h, users.town_admin, 7, "好", "较好")
    _enter(h, users.county_admin, 7, "好", "一般")
    _enter(h, users.town_admin, 8, "好", "好")
    other = PaperEntry.objects.get(serial=8)
    with pytest.raises(ValidationError, match="与选票编号不符"):
        services.paper_resolve(actor=users.town_admin, meeting=h.meeting, serial=7, entry=other)


def test_an_accepted_serial_refuses_re_entry(h, users):
    _enter(h, users.town_admin, 1, "好", "较好")
    _enter(h, users.county_admin, 1, "好", "较好")
    with pytest.raises(ValidationError, match="编号 1 的选票已经计入，无需再录"):
        _enter(h, users.superuser, 1, "差", "差")
    with pytest.raises(ValidationError, match="已经计入"):
        _enter(h, users.town_admin, 1, "好", "较好")
    assert Ballot.objects.count() == 2


def test_paper_entries_are_for_open_meetings_and_grades_on_the_scale(h, users):
    with pytest.raises(ValidationError, match="不是有效的等次"):
        _enter(h, users.town_admin, 1, "优秀", "好")
    with pytest.raises(ValidationError, match="选票编号或评议人类别不正确"):
        _enter(h, users.town_admin, 0, "好", "好")
    services.meeting_close(actor=None, meeting=h.meeting)
    with pytest.raises(services.VotingClosed, match="只有进行中的会议"):
        _enter(h, users.town_admin, 1, "好", "好")


def test_a_blank_row_on_paper_is_no_ballot_for_that_subject(h, users):
    _enter(h, users.town_admin, 1, "好", "")
    _enter(h, users.county_admin, 1, "好", "")
    assert list(Ballot.objects.values_list("item_id", flat=True)) == [h.items[0].pk]


def test_a_clerk_of_another_town_cannot_type_in(h, users):
    with pytest.raises(OutOfScope):
        _enter(h, users.other_town_admin, 1, "好", "好")
    other = services.paper_enter(actor=users.town_admin, meeting=h.meeting, group=h.group("党员代表"), serial=2,
                                 grades={h.items[0].pk: "好"})
    assert other == "waiting"
    with pytest.raises(OutOfScope):
        services.paper_resolve(actor=users.other_town_admin, meeting=h.meeting, serial=2, entry=PaperEntry.objects.get())


def test_closing_with_sheets_typed_only_once_is_refused_naming_them(h, users):
    _enter(h, users.town_admin, 4, "好", "好")
    _enter(h, users.county_admin, 9, "差", "好")
    _enter(h, users.town_admin, 2, "好", "较好")
    _enter(h, users.county_admin, 2, "好", "较好")  # typed twice and counted: not listed
    with pytest.raises(ValidationError) as exc:
        services.meeting_close(actor=None, meeting=h.meeting)
    assert "还有 2 张纸质选票只录入了一次，尚未计入：编号 4、9" in exc.value.messages[0]
    assert selectors.paper_pending(h.meeting).single == [4, 9]
    h.meeting.refresh_from_db()
    assert h.meeting.status == h.meeting.Status.OPEN


def test_the_chair_may_confirm_dropping_sheets_typed_once_and_the_record_names_them(h, users):
    _enter(h, users.town_admin, 4, "好", "好")
    services.meeting_close(actor=users.town_admin, meeting=h.meeting, drop_single_entries=True)
    h.meeting.refresh_from_db()
    assert h.meeting.status == h.meeting.Status.CLOSED and not Ballot.objects.exists()
    assert "只录入一次、未计入的纸质选票：编号 4" in AuditEvent.objects.get(action="meeting.close").note


def test_a_resolved_sheet_counts_once_in_the_group_chosen(h, users):
    _enter(h, users.town_admin, 3, "好", "好", group="党员代表")
    _enter(h, users.county_admin, 3, "好", "好", group="镇党委班子成员")
    chosen = PaperEntry.objects.get(serial=3, clerk=users.county_admin)
    services.paper_resolve(actor=users.town_admin, meeting=h.meeting, serial=3, entry=chosen)
    assert [(p.group.name, p.paper) for p in selectors.progress(h.meeting)] == [("镇党委班子成员", 1), ("党员代表", 0)]
    assert selectors.paper_pending(h.meeting) == selectors.PaperPending([], [])
