"""Writes for the secret ballot cast on a phone: evaluator codes, binding a cast code to its device, and ballots
(exactly once, secret). Paper ballots are in :mod:`.paper`; callers use both through :mod:`.services`.

What the database may hold, and what it must never hold, is written down in docs/ballot-secrecy.md.
"""

from __future__ import annotations

import contextlib
import secrets
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from dianti.core import ratelimit

from . import ballot_sql, selectors
from .models import Ballot, EvaluatorCode, Meeting, PanelGroup, random_id
from .text import clean, normalize_code

MAX_COMMENT = 500
T = TypeVar("T")


def code_hash(code: str) -> str:
    return ratelimit.digest(f"evaluator:{normalize_code(code)}")


def ballot_token(code: str, item_id: int) -> str:
    return ratelimit.digest(f"ballot:{normalize_code(code)}:{item_id}")


def device_hash(secret: str) -> str:
    """Return the keyed hash of an evaluator device's secret (its own cookie, not the hall pages' device id)."""
    return ratelimit.digest(f"evaluator-device:{secret}")


class VotingClosed(ValidationError):
    pass


class CodeUsed(ValidationError):
    """The code has cast a ballot from another device: say only that, show nothing, change nothing."""

    def __init__(self) -> None:
        super().__init__(_("此评议码已使用"))


def code_used_elsewhere(evaluator: EvaluatorCode, device: str) -> bool:
    """Return True when ``evaluator`` has cast from a device other than the one holding ``device`` (its secret)."""
    return evaluator.cast and evaluator.device_hash != device_hash(device)


def evaluator_for(meeting: Meeting, code: str) -> EvaluatorCode:
    found = EvaluatorCode.objects.filter(code_hash=code_hash(code), meeting_id=meeting.pk).first()
    if found is None:
        raise ValidationError("评议码不正确，请核对评议码条上的字符")
    if found.revoked:
        raise ValidationError("该评议码已作废，请向工作人员领取新的评议码")
    return found


def evaluator_enter(*, code: str, device: str = "") -> EvaluatorCode:
    """Return the evaluator code scanned from a slip (or typed in) on the device holding secret ``device``, and
    mark it opened (``used``), so a reissue keeps it.

    A code that has cast from another device is refused with nothing but "此评议码已使用"; once the meeting has
    closed every code is dead. Marked here, in the scan's own transaction, and not by the first ballot: PostgreSQL
    stamps every row a transaction writes with its id (``xmin``), so a code row updated with the ballots would
    name its ballots.
    """
    found = EvaluatorCode.objects.filter(code_hash=code_hash(code)).select_related("meeting").first()
    if found is None:
        raise ValidationError("评议码不正确，请核对评议码条上的字符")
    if found.revoked:
        raise ValidationError("该评议码已作废，请向工作人员领取新的评议码")
    if found.meeting.status == Meeting.Status.CLOSED:
        raise VotingClosed(_("投票已截止，评议码已失效"))
    if code_used_elsewhere(found, device):
        raise CodeUsed()
    if not found.used:
        EvaluatorCode.objects.filter(pk=found.pk).update(used=True)
        found.used = True
    return found


@dataclass(frozen=True)
class Mark:
    grade: str
    scores: Mapping[str, int] | None = None
    comment: str = ""


def check_mark(meeting: Meeting, mark: Mark) -> dict[str, int]:
    """Return the mark's item scores; refuse an unknown grade or item, a score that is not 0–100 and a comment over
    :data:`MAX_COMMENT` characters (said, never cut silently)."""
    if mark.grade not in meeting.grades:
        raise ValidationError(f"“{clean(mark.grade)[:20]}”不是有效的等次")
    if len(clean(mark.comment)) > MAX_COMMENT:
        raise ValidationError(f"评语最多 {MAX_COMMENT} 字，现在有 {len(clean(mark.comment))} 字，请删减后再提交")
    scores = {}
    for name, value in (mark.scores or {}).items():
        if name not in meeting.items:
            raise ValidationError(f"没有“{name}”这一分项")
        if type(value) is not int or not 0 <= value <= 100:  # noqa: E721  (True is an int, not a score)
            raise ValidationError(f"“{name}”的分数应为 0 至 100 的整数")
        scores[name] = value
    return scores


def locked_group(pk: int) -> PanelGroup:
    """Return the group, locked for the rest of the transaction, with ``ballots_cast`` counted after the lock: two
    last seats are not taken at once. (Counted by a statement of its own: on PostgreSQL a statement that waited for
    a row lock still reads the rest of the database as of its start, so it would miss the seat the transaction it
    waited for has just taken.)"""
    group = PanelGroup.objects.select_for_update().get(pk=pk)
    group.ballots_cast = selectors.ballots_cast_in(group)  # type: ignore[attr-defined]
    return group


def ensure_room(group: PanelGroup) -> None:
    """Refuse one more ballot (a phone's first or a paper sheet) when the group, read by :func:`locked_group`,
    already has as many as members."""
    have = group.ballots_cast  # type: ignore[attr-defined]  (annotated by locked_group)
    if have >= group.size:
        raise ValidationError(_("评议组“%(group)s”已有 %(n)d 张有效票，等于组内人数 %(size)d，不能再增加。"
                                "如有多余的选票，请交主持人核实") % {"group": group.name, "n": have, "size": group.size})


# SQLite has one writer at a time, and a writer that finds the database locked sleeps in growing steps (1, 2, 5 …
# 100 ms) before it tries again: with a hall voting at once, a thread could sleep through several turns. The threads
# of one server process queue here instead and are woken the moment the writer before them is done.
_SQLITE_BALLOT_WRITER = threading.Lock()


def _one_writer_at_a_time() -> contextlib.AbstractContextManager[Any]:
    return _SQLITE_BALLOT_WRITER if connection.vendor == "sqlite" else contextlib.nullcontext()


def _ensure_open(state: tuple[str, T] | None, meeting_id: int) -> T:
    """Refuse unless ``state`` (the meeting's status and what was read with it) says voting is open; return what
    was read with the status."""
    if state is None:
        raise Meeting.DoesNotExist(meeting_id)
    status, rest = state
    if status != Meeting.Status.OPEN:
        raise VotingClosed("投票已截止，不能再提交" if status == Meeting.Status.CLOSED else "会议尚未开始投票")
    return rest


def _claim(evaluator: EvaluatorCode, device: str) -> bool:
    """Mark the code cast and bind it to the device, unless it already is; return True when claimed just now.

    Its own short transaction, before the ballots' (see :func:`evaluator_enter` on ``xmin``): the meeting's state
    and the group read under their locks, then the code claimed only while the group, counted after its lock, has
    room for one more ballot (:mod:`.ballot_sql`), so two last seats are not taken at once.
    """
    if evaluator.cast:
        if evaluator.device_hash != device_hash(device):
            raise CodeUsed()
        return False
    bound = device_hash(device)
    with _one_writer_at_a_time(), transaction.atomic():
        size = _ensure_open(ballot_sql.claim_lock(evaluator.meeting_id, evaluator.group_id), evaluator.meeting_id)
        claimed = ballot_sql.claim_code(evaluator.pk, evaluator.group_id, size, bound)
        if not claimed and not ballot_sql.has_cast(evaluator.pk):
            ensure_room(locked_group(evaluator.group_id))  # refused for want of room: say how full the group is
    if not claimed:  # a copy of this submission (or another device) claimed it meanwhile
        evaluator.refresh_from_db(fields=["cast", "device_hash"])
        return _claim(evaluator, device)
    evaluator.cast, evaluator.used, evaluator.device_hash = True, True, bound
    return True


def _release(evaluator: EvaluatorCode, tokens: list[str]) -> None:
    """Undo a claim whose ballot was refused, unless a copy of the same submission stored marks meanwhile."""
    if not Ballot.objects.filter(token__in=tokens).exists():
        EvaluatorCode.objects.filter(pk=evaluator.pk).update(cast=False, device_hash="")
        evaluator.cast, evaluator.device_hash = False, ""


def ballot_submit(*, meeting: Meeting, code: str, marks: Mapping[int, Mark], device: str = "",
                  evaluator: EvaluatorCode | None = None) -> int:
    """Store one evaluator's marks as :func:`ballot_cast` does; return how many marks this submission holds."""
    return len(ballot_cast(meeting=meeting, code=code, marks=marks, device=device, evaluator=evaluator))


def ballot_cast(*, meeting: Meeting, code: str, marks: Mapping[int, Mark], device: str = "",
                evaluator: EvaluatorCode | None = None) -> dict[int, Mark]:
    """Store one evaluator's marks (agenda item id → mark), each exactly once per code and item, from the device
    holding secret ``device`` (the evaluator's cookie; callers without a browser share the empty one); return the
    marks as stored, by agenda item. A caller that has read the code's row already passes it as ``evaluator`` (it
    is updated in place when claimed).

    The first submission binds the code to that device; from any other it is refused ("此评议码已使用"). A retry or
    a double tap changes nothing; a changed mark replaces the earlier one while the meeting allows revising, and is
    refused otherwise. A first ballot beyond the group's size (phone and paper together) is refused. The stored
    ballot carries the evaluator's group only.

    A fixed number of queries whatever the number of secretaries: the marks are written in one statement, which
    settles races on the unique token in the database — ``ON CONFLICT`` updates (or, without revising, skips) the
    row that a concurrent copy of the same ballot stored first — so concurrent submissions never fail and never
    store a mark twice. While revising is allowed every mark is written, unchanged ones too, so of two copies
    racing the one that writes last wins. What need not be read inside the writing transaction (the agenda, the
    earlier marks) is read before it, to keep SQLite's single-writer turn short; the agenda is the meeting's kept
    sheet (:func:`selectors.ballot_sheet`).
    """
    order = {row.pk: row.order for row in selectors.ballot_sheet(meeting)}
    if evaluator is None or evaluator.code_hash != code_hash(code) or evaluator.meeting_id != meeting.pk:
        evaluator = evaluator_for(meeting, code)
    elif evaluator.revoked:
        raise ValidationError("该评议码已作废，请向工作人员领取新的评议码")
    wanted: dict[str, ballot_sql.Row] = {}
    problems: list[str] = []
    for item_id, mark in marks.items():
        if item_id not in order:
            raise ValidationError("选票中有不属于本场会议的述职对象")
        try:
            scores = check_mark(meeting, mark)
        except ValidationError as exc:  # every problem of the ballot at once, each with its secretary's number
            problems += [f"第 {order[item_id]} 位：{m}" for m in exc.messages]
            continue
        token = ballot_token(code, item_id)
        wanted[token] = ballot_sql.Row(meeting.pk, item_id, evaluator.group_id, mark.grade, scores,
                                       clean(mark.comment), token)
    if problems:
        raise ValidationError(problems)
    earlier = None if meeting.allow_revise else ballot_sql.marks(wanted)
    claimed = _claim(evaluator, device)
    try:
        _write_submission(meeting.pk, wanted, earlier)
    except Exception:
        if claimed:
            _release(evaluator, [ballot_token(code, item_id) for item_id in order])
        raise
    return {row.item_id: Mark(row.grade, row.scores, row.comment) for row in wanted.values()}


def _write_submission(meeting_id: int, wanted: dict[str, ballot_sql.Row],
                      earlier: dict[str, tuple[str, dict[str, int], str]] | None) -> None:
    if earlier is None and ballot_sql.insert_while_open(list(wanted.values())):
        return  # revising allowed, on PostgreSQL: the state read and the marks written by one statement
    with _one_writer_at_a_time(), transaction.atomic():
        revise = _ensure_open(ballot_sql.voting_state(meeting_id), meeting_id)  # as of now, not of the page load
        if revise:
            to_write = list(wanted.values())
        else:
            earlier = ballot_sql.marks(wanted) if earlier is None else earlier
            to_write = [r for t, r in wanted.items() if earlier.get(t) != (r.grade, r.scores, r.comment)]
            if any(r.token in earlier for r in to_write):
                raise ValidationError("本场会议的评议提交后不能修改")
        if to_write:
            _write_ballots(to_write, revise=revise)


def _write_ballots(rows: list[ballot_sql.Row], *, revise: bool) -> None:
    """Insert ``rows``; a row whose token a concurrent transaction stored meanwhile is replaced when revising, and
    must otherwise hold the very same mark (a double tap) or the whole ballot is refused."""
    ballot_sql.insert(rows, revise=revise)
    if revise:
        return
    stored = ballot_sql.marks(r.token for r in rows)
    if any(stored.get(r.token) != (r.grade, r.scores, r.comment) for r in rows):
        raise ValidationError("本场会议的评议提交后不能修改")


def marks_for_device(evaluator: EvaluatorCode, code: str, device: str, items: list[int]) -> dict[int, Mark]:
    """Return the code's marks by agenda item — only to the device that cast them, and only while voting is open.

    Anyone else holding the code (a dropped or photographed slip) gets nothing back.
    """
    if evaluator.meeting.status != Meeting.Status.OPEN or not evaluator.cast:
        return {}
    if evaluator.device_hash != device_hash(device):
        return {}
    tokens = {ballot_token(code, pk): pk for pk in items}
    return {tokens[token]: Mark(*mark) for token, mark in ballot_sql.marks(tokens).items()}


def ballots_reshuffle(meeting: Meeting) -> int:
    """Rewrite the meeting's ballots in a random order under fresh random ids; return how many.

    Called in the closing transaction. While voting is open rows reach the table in submission order (the heap's
    physical order on PostgreSQL, the page order of SQLite's file) and each carries its own transaction's ``xmin``;
    rewritten together they all carry the close's, in an order that owes nothing to who voted when.
    """
    rows = list(Ballot.objects.filter(meeting_id=meeting.pk))
    secrets.SystemRandom().shuffle(rows)
    Ballot.objects.filter(meeting_id=meeting.pk).delete()
    for row in rows:
        row.pk = random_id()
    Ballot.objects.bulk_create(rows)
    return len(rows)
