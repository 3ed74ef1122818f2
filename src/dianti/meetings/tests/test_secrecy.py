"""The secret ballot, proven on what the database holds after evaluators have voted through their phones.

Nobody with the whole database — not even a county admin or the server's operator — may tell which code, and so
which person, cast which ballot. The only tie from a code to its ballots is ``Ballot.token``, which needs the plain
code printed on the slip; the plain code is never stored, and travels only in the evaluator's signed cookie.
"""

from __future__ import annotations

import hashlib

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection, models
from django.test import Client
from django.urls import reverse

from dianti.meetings import services
from dianti.meetings.models import Ballot, EvaluatorCode

from .factories import held


def _vote_by_phone(code: str, grades: dict[int, str]) -> Client:
    phone = Client()
    entered = phone.post(reverse("evaluator_enter_form"), {"code": services.format_code(code)})
    assert entered.status_code == 302 and entered.url == reverse("evaluator_ballot")
    posted = phone.post(reverse("evaluator_ballot"), {f"grade_{pk}": g for pk, g in grades.items()})
    assert posted.status_code == 200, posted.content.decode()
    return phone


@pytest.fixture
def voted(tree, users):
    """Five evaluators vote on their phones; the town admin's session exists beside theirs."""
    h = held(tree)
    grades = ["好", "较好", "一般", "差", "好"]
    for i, code in enumerate(h.all_codes()):
        _vote_by_phone(code, {item.pk: grades[(i + k) % 4] for k, item in enumerate(h.items)})
    admin = Client()
    admin.force_login(users.county_admin)
    admin.get(reverse("meeting_detail", args=[h.meeting.pk]))
    return h


def _text_columns():
    """Yield (table, column) for every text-like column of every table in the database."""
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            for col in connection.introspection.get_table_description(cursor, table):
                kind = connection.introspection.get_field_type(col.type_code, col)
                if kind in ("CharField", "TextField", "JSONField") or "char" in str(col.type_code).lower():
                    yield table, col.name


def _all_text(table: str, column: str) -> list[str]:
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {q(column)} FROM {q(table)} WHERE {q(column)} IS NOT NULL")
        return [str(v).upper() for (v,) in cursor.fetchall()]


def test_no_plain_code_is_anywhere_in_the_database(voted):
    needles = [c for code in voted.all_codes() for c in (code, services.format_code(code))]
    scanned = 0
    for table, column in _text_columns():
        for value in _all_text(table, column):
            scanned += 1
            assert not [n for n in needles if n in value], f"a plain code is stored in {table}.{column}"
    assert scanned > 50  # the scan did read the tables: sessions, audit, ballots, codes …


def test_the_session_table_holds_nothing_of_the_evaluators(voted):
    for session in Session.objects.all():
        decoded = str(session.get_decoded()).upper() + session.session_data.upper()
        assert not any(code in decoded for code in voted.all_codes())
    assert Session.objects.count() == 1  # the admin's; evaluators' phones hold a signed cookie only


def test_a_ballot_has_no_column_that_points_to_a_code_a_person_or_a_time(db):
    fields = {f.name: f for f in Ballot._meta.concrete_fields}
    assert set(fields) == {"id", "meeting", "item", "group", "grade", "scores", "comment", "kind", "token"}
    assert not [f for f in fields.values() if isinstance(f, models.DateField | models.TimeField)]
    targets = {f.related_model._meta.label for f in fields.values() if f.is_relation}
    assert targets == {"meetings.Meeting", "meetings.AgendaItem", "meetings.PanelGroup"}
    with connection.cursor() as cursor:
        columns = {c.name for c in connection.introspection.get_table_description(cursor, Ballot._meta.db_table)}
    assert columns == {"id", "meeting_id", "item_id", "group_id", "grade", "scores", "comment", "kind", "token"}


def test_a_code_keeps_no_time_of_use_and_no_person():
    fields = {f.name for f in EvaluatorCode._meta.concrete_fields}
    assert fields == {"id", "meeting", "group", "code_hash", "kind", "used", "cast", "device_hash", "revoked"}
    assert not [m for m in EvaluatorCode._meta.related_objects if m.related_model is Ballot]


def test_no_table_relates_a_ballot_or_a_code_to_anything_else():
    for model in [Ballot, EvaluatorCode]:
        inbound = [r.related_model._meta.label for r in model._meta.related_objects]
        assert inbound == [], f"{model._meta.label} is pointed at by {inbound}"


def test_tokens_cannot_be_recomputed_from_stored_code_hashes(voted):
    tokens = set(Ballot.objects.values_list("token", flat=True))
    hashes = set(EvaluatorCode.objects.values_list("code_hash", flat=True))
    assert len(tokens) == 5 * 2 and not tokens & hashes
    key = settings.SECRET_KEY
    items = [item.pk for item in voted.items]
    guesses = set()
    for h in hashes:
        for pk in items:
            for text in (f"{h}:{pk}", f"{pk}:{h}", f"{key}:ballot:{h}:{pk}", f"{key}:{h}:{pk}", f"ballot:{h}:{pk}"):
                guesses.add(hashlib.sha256(text.encode()).hexdigest())
            guesses.add(services.ballot_token(h, pk))
    assert not tokens & guesses


def test_one_code_makes_a_different_token_for_each_subject(voted):
    for code in voted.all_codes():
        mine = [services.ballot_token(code, item.pk) for item in voted.items]
        assert len(set(mine)) == len(mine)
        assert Ballot.objects.filter(token__in=mine).count() == len(mine)


def test_without_the_plain_code_the_ballots_of_a_group_are_indistinguishable(voted):
    """What the database says about a ballot is its meeting, subject, group, grade and kind — the same for every
    member of the group who gave that grade."""
    for ballot in Ballot.objects.all():
        same = Ballot.objects.filter(item=ballot.item, group=ballot.group, grade=ballot.grade)
        assert same.exists()
        assert ballot.comment == "" and ballot.kind == Ballot.Kind.PHONE


@pytest.mark.skipif(connection.vendor != "postgresql", reason="xmin is PostgreSQL's")
def test_postgresql_transaction_ids_do_not_tie_a_ballot_to_its_code(voted):
    """A code's row written in the ballot's own transaction would carry the same xmin as the ballots."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT xmin::text FROM meetings_ballot")
        ballots = {x for (x,) in cursor.fetchall()}
        cursor.execute("SELECT xmin::text FROM meetings_evaluatorcode")
        codes = {x for (x,) in cursor.fetchall()}
    assert not ballots & codes
