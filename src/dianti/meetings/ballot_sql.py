"""The statements of a phone's ballot, written out: the hot path of a hall voting (``dianti bench ballots``).

Every phone of a hall runs these within minutes, and through the ORM each cost several times the CPU the database
took to answer it (building the query, then the model instances). What they may and may not write is
:mod:`.ballots`' business and docs/ballot-secrecy.md's: nothing here links a code to its ballots, and the claim of a
code and the marks are never written by one transaction. They run on the default database, inside the transactions
:mod:`.ballots` opens, except :func:`insert_while_open`, which is a transaction of its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from django.db import connection

from .models import Ballot, EvaluatorCode, Meeting, PanelGroup, PaperEntry, random_id

_MEETINGS, _GROUPS = Meeting._meta.db_table, PanelGroup._meta.db_table
_CODES, _BALLOTS, _PAPER = EvaluatorCode._meta.db_table, Ballot._meta.db_table, PaperEntry._meta.db_table
_as_json = Ballot._meta.get_field("scores").from_db_value

# The ballots cast in one group, as the progress the staff see counts them: codes that have cast, plus counted paper
# sheets (every accepted entry of a sheet names the group it counts in, so a sheet is one distinct serial among the
# group's accepted entries). Takes the group's id twice.
BALLOTS_CAST_IN_GROUP = (f'(SELECT COUNT(*) FROM "{_CODES}" WHERE group_id = %s AND "cast") + '
                         f'(SELECT COUNT(DISTINCT serial) FROM "{_PAPER}" WHERE group_id = %s AND accepted)')

BALLOT_COLUMNS = ("id", "meeting_id", "item_id", "group_id", "grade", "scores", "comment", "kind", "token")


class Row(NamedTuple):
    """One mark to store: what a phone's :class:`~.models.Ballot` row holds but its id."""

    meeting_id: int
    item_id: int
    group_id: int
    grade: str
    scores: dict[str, int]
    comment: str
    token: str


def _locking(clause: str) -> str:
    """Return the row-locking ``clause`` on PostgreSQL; SQLite serialises writing transactions anyway."""
    return f" {clause}" if connection.vendor == "postgresql" else ""


def claim_lock(meeting_id: int, group_id: int) -> tuple[str, int] | None:
    """Return the meeting's status and the group's size, or None when either is gone; hold the meeting FOR SHARE
    (a close waits for the claim, and the claim for a close) and the group FOR UPDATE (two last seats are not taken
    at once) until the transaction ends."""
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT m.status, g.size FROM "{_MEETINGS}" m, "{_GROUPS}" g WHERE m.id = %s AND g.id = %s'
                       + _locking("FOR SHARE OF m FOR UPDATE OF g"), [meeting_id, group_id])
        found = cursor.fetchone()
    return None if found is None else (found[0], int(found[1]))


def claim_code(code_id: int, group_id: int, size: int, bound: str) -> bool:
    """Mark the code cast and bind it to the device hash ``bound`` if it has not cast and its group, locked by
    :func:`claim_lock`, has room for one more ballot; return whether it did.

    The room is counted by this statement, after the lock: on PostgreSQL a statement that waited for a row lock still
    reads the rest of the database as of its start, so the lock's own statement would miss the seat the transaction
    it waited for has just taken."""
    with connection.cursor() as cursor:
        cursor.execute(f'UPDATE "{_CODES}" SET "cast" = %s, used = %s, device_hash = %s '
                       f'WHERE id = %s AND "cast" = %s AND ({BALLOTS_CAST_IN_GROUP}) < %s',
                       [True, True, bound, code_id, False, group_id, group_id, size])
        return cursor.rowcount == 1


def has_cast(code_id: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT "cast" FROM "{_CODES}" WHERE id = %s', [code_id])
        found = cursor.fetchone()
    return bool(found and found[0])


def voting_state(meeting_id: int) -> tuple[str, bool] | None:
    """Return the meeting's status and whether it allows revising, or None when it is gone; hold it FOR SHARE."""
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT status, allow_revise FROM "{_MEETINGS}" WHERE id = %s' + _locking("FOR SHARE"),
                       [meeting_id])
        found = cursor.fetchone()
    return None if found is None else (found[0], bool(found[1]))


def _values(rows: Sequence[Row]) -> list[Any]:
    values: list[Any] = []
    for row in rows:
        values += [random_id(), row.meeting_id, row.item_id, row.group_id, row.grade,
                   connection.ops.adapt_json_value(row.scores, None), row.comment, Ballot.Kind.PHONE.value, row.token]
    return values


def _tuples(rows: Sequence[Row]) -> str:
    return ", ".join(["(" + ", ".join(["%s"] * len(BALLOT_COLUMNS)) + ")"] * len(rows))


_REPLACE = "ON CONFLICT (token) DO UPDATE SET grade = EXCLUDED.grade, scores = EXCLUDED.scores, comment = EXCLUDED.comment"


def insert_while_open(rows: Sequence[Row]) -> bool:
    """On PostgreSQL, store ``rows`` of one meeting as :func:`insert` does when revising, by one statement that
    holds the meeting FOR SHARE and writes only while its voting is open and allows revising: in autocommit that
    statement is the transaction, with no round trips to begin and commit it. Return whether it wrote; when not
    (the meeting is not so, or on SQLite) it wrote nothing and the caller takes the transaction's path. SQLite is
    left out because a statement that reads before it writes may be refused the write lock outright when another
    connection wrote meanwhile; its writing transactions take the lock first (``BEGIN IMMEDIATE``)."""
    if connection.vendor != "postgresql" or not rows:
        return False
    columns = ", ".join(BALLOT_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(
            f'WITH voting AS (SELECT id FROM "{_MEETINGS}" WHERE id = %s AND status = %s AND allow_revise FOR SHARE) '
            f'INSERT INTO "{_BALLOTS}" ({columns}) SELECT {", ".join(f"v.{c}" for c in BALLOT_COLUMNS)} '
            f"FROM voting, (VALUES {_tuples(rows)}) AS v ({columns}) WHERE v.meeting_id = voting.id {_REPLACE}",
            [rows[0].meeting_id, Meeting.Status.OPEN.value, *_values(rows)])
        return cursor.rowcount == len(rows)


def insert(rows: Sequence[Row], *, revise: bool) -> None:
    """Insert ``rows`` as phone ballots under fresh random ids, in one statement. A row whose token is stored
    already (a copy of the same ballot got there first) replaces its marks when ``revise``, else is skipped."""
    if not rows:
        return
    with connection.cursor() as cursor:
        cursor.execute(f'INSERT INTO "{_BALLOTS}" ({", ".join(BALLOT_COLUMNS)}) VALUES {_tuples(rows)} '
                       + (_REPLACE if revise else "ON CONFLICT (token) DO NOTHING"), _values(rows))


def marks(tokens: Iterable[str]) -> dict[str, tuple[str, dict[str, int], str]]:
    """Return the stored grade, item scores and comment by token, for those of ``tokens`` that are stored."""
    tokens = list(tokens)
    if not tokens:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT token, grade, scores, comment FROM "{_BALLOTS}" WHERE token IN '
                       f'({", ".join(["%s"] * len(tokens))})', tokens)
        return {token: (grade, _as_json(scores, None, None), comment) for token, grade, scores, comment in cursor}
