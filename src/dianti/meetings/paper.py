"""Writes for paper ballots, typed in twice: two clerks' entries of a sheet must agree (or one be chosen after
looking at the paper) before it counts. Callers use these through :mod:`.services`.

An accepted sheet becomes :class:`~.models.Ballot` rows like a phone's, under a token made from the meeting, the
sheet's serial and the agenda item: the serial is on the paper, not on a person.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from dianti.core import audit, ratelimit
from dianti.orgs.permissions import ensure_can_manage

from . import documents, selectors
from .ballots import Mark, VotingClosed, check_mark, ensure_room, locked_group
from .models import Ballot, Meeting, PanelGroup, PaperEntry, PrintedSerial

MAX_COPIES = 500


def paper_ballot_token(meeting_id: int, serial: int, item_id: int | str) -> str:
    """Return the token an accepted paper sheet's ballot for one agenda item is stored under.

    It is made from what is printed on the sheet (the meeting, the serial) and the item, never from a person: the
    appraisal recomputes it to tell which ballots came from which sheet (``appraisal.adapter.paper_serials``).
    """
    return ratelimit.digest(f"paper:{meeting_id}:{serial}:{item_id}")


def _clean_grades(meeting: Meeting, grades: Mapping[int, str]) -> dict[str, str]:
    items = set(meeting.agenda.values_list("pk", flat=True))
    clean = {}
    for item_id, grade in grades.items():
        if item_id not in items:
            raise ValidationError("选票中有不属于本场会议的述职对象")
        if grade:
            check_mark(meeting, Mark(grade))
            clean[str(item_id)] = grade
    return clean


@transaction.atomic
def paper_serials_issue(*, actor: Any, meeting: Meeting, copies: int) -> list[int]:
    """Draw ``copies`` serials for the meeting's paper ballots, none printed for it before, and record them; return
    them in the order to print them in (the draw's, which says nothing of the serials)."""
    ensure_can_manage(actor, meeting.campaign.convener)
    if not 1 <= copies <= MAX_COPIES:
        raise ValidationError(_("一次可打印 1 至 %(n)d 张纸质选票") % {"n": MAX_COPIES})
    Meeting.with_rehearsals.select_for_update().filter(pk=meeting.pk).first()  # two printings draw one after another
    try:
        serials = documents.paper_serials(copies, PrintedSerial.objects.filter(meeting=meeting)
                                          .values_list("serial", flat=True))
    except ValueError:
        raise ValidationError(_("本会议可用的选票编号不足，无法再打印 %(n)d 张") % {"n": copies}) from None
    # Written in the serials' order: the rows' ids then say nothing of the order the sheets come off the printer in.
    PrintedSerial.objects.bulk_create([PrintedSerial(meeting=meeting, serial=s) for s in sorted(serials)])
    return serials


def check_printed(meeting: Meeting, serial: int) -> None:
    """Refuse a serial the platform never printed for ``meeting`` once it has printed any: a typo, or a sheet of its
    rehearsal (or, in a rehearsal, of the real meeting). A meeting whose ballots were all printed elsewhere (none
    recorded) takes any serial."""
    printed = PrintedSerial.objects.filter(meeting=meeting)
    if not printed.exists() or printed.filter(serial=serial).exists():
        return
    real = meeting.rehearsal_of_id or meeting.pk
    kin = PrintedSerial.objects.filter(Q(meeting_id=real) | Q(meeting__rehearsal_of_id=real), serial=serial)
    if kin.exclude(meeting=meeting).exists():
        raise ValidationError(_("编号 %(serial)d 是模拟测评的选票，不能计入正式会议") % {"serial": serial}
                              if not meeting.is_rehearsal else
                              _("编号 %(serial)d 是正式会议的选票，不能录入模拟测评") % {"serial": serial})
    raise ValidationError(_("编号 %(serial)d 不是本会议打印的选票编号，请对照纸质选票核对") % {"serial": serial})


@transaction.atomic
def paper_enter(*, actor: Any, meeting: Meeting, group: PanelGroup, serial: int, grades: Mapping[int, str],
                source: str = PaperEntry.Source.TYPED) -> str:
    """Record one clerk's typing of paper ballot ``serial``. When two clerks' entries agree, the ballot counts;
    when they differ, it waits for :func:`paper_resolve`. Return "waiting", "accepted" or "mismatch". ``source``
    says whether the clerk typed it or confirmed a machine read (:mod:`.scans`): either is one entry.

    A sheet for a group that already has as many ballots as members (phone and paper together) is refused.
    """
    ensure_can_manage(actor, meeting.campaign.convener)
    if meeting.status != Meeting.Status.OPEN:
        raise VotingClosed("只有进行中的会议可以录入纸质选票")
    if group.meeting_id != meeting.pk or serial < 1:
        raise ValidationError("选票编号或评议人类别不正确")
    check_printed(meeting, serial)
    clean = _clean_grades(meeting, grades)
    if PaperEntry.objects.filter(meeting=meeting, serial=serial, accepted=True).exists():
        raise ValidationError(f"编号 {serial} 的选票已经计入，无需再录")
    ensure_room(locked_group(group.pk))
    mine, _created = PaperEntry.objects.update_or_create(meeting=meeting, serial=serial, clerk=actor,
                                                         defaults={"group": group, "grades": clean, "source": source})
    entries = list(PaperEntry.objects.filter(meeting=meeting, serial=serial).exclude(clerk=actor))
    if not entries:
        return "waiting"
    other = entries[0]
    if other.grades != clean or other.group_id != group.pk:
        return "mismatch"
    _accept_paper(meeting, group, serial, clean, [mine.pk, other.pk])
    return "accepted"


def _accept_paper(meeting: Meeting, group: PanelGroup, serial: int, grades: Mapping[str, str],
                  entries: list[int]) -> None:
    """Count the sheet under ``group``; only ``entries`` (the agreeing ones, or the one chosen) are marked accepted,
    so every accepted entry of a serial names the group the sheet counts in."""
    for item_id, grade in grades.items():
        Ballot.objects.get_or_create(token=paper_ballot_token(meeting.pk, serial, item_id), defaults={
            "meeting": meeting, "item_id": int(item_id), "group": group, "grade": grade, "kind": Ballot.Kind.PAPER})
    PaperEntry.objects.filter(pk__in=entries).update(accepted=True)


def disputes(meeting: Meeting) -> list[int]:
    """Return the serials typed twice that disagree and are not yet resolved."""
    return selectors.paper_pending(meeting).disputed


@transaction.atomic
def paper_resolve(*, actor: Any, meeting: Meeting, serial: int, entry: PaperEntry) -> None:
    """Settle a disputed paper ballot by choosing the entry that matches the paper, after looking at it."""
    ensure_can_manage(actor, meeting.campaign.convener)
    if meeting.status != Meeting.Status.OPEN:
        raise VotingClosed("只有进行中的会议可以录入纸质选票")
    if entry.meeting_id != meeting.pk or entry.serial != serial:
        raise ValidationError("所选录入记录与选票编号不符")
    # A ballot typed only once has not been checked by a second clerk; one already counted must not count twice.
    if serial not in disputes(meeting):
        raise ValidationError(f"编号 {serial} 没有两次录入不一致的记录，无需核对")
    ensure_room(locked_group(entry.group_id))
    _accept_paper(meeting, entry.group, serial, entry.grades, [entry.pk])
    audit.record(actor=actor, action="meeting.paper_resolve", target=meeting, org_path=meeting.org_path,
                 note=_("纸质选票编号 %(serial)s 以 %(clerk)s 的录入为准") % {"serial": serial, "clerk": entry.clerk})
