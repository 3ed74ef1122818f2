"""A ballot cannot be lined up with the evaluator who cast it: not by its id, not by the order of the rows, not by a
URL or a cookie an access log or a proxy could keep.

The access log holds each request's time, address and user agent; the hall's sign-in holds names and devices. If
ballot ids followed submission order, one evaluator's marks would be one block of consecutive ids that those times
name. So ids are random, the close rewrites the rows in a random order, and the code never travels in a URL path or
in clear in a cookie.
"""

from __future__ import annotations

import base64
import contextlib
import logging

import pytest
from django.core import signing
from django.db import connection, models
from django.test import Client
from django.urls import reverse

from dianti.meetings import documents, services
from dianti.meetings.models import Ballot, EvaluatorCode
from dianti.meetings.views_public import EVALUATOR_COOKIE

from .factories import held

BURST = 24


@pytest.fixture
def burst(tree):
    """An open meeting whose 24 evaluators vote one after another, each on both secretaries."""
    h = held(tree, groups=[services.GroupSpec("党员代表", 100, BURST)])
    for i, code in enumerate(h.all_codes()):
        services.ballot_submit(meeting=h.meeting, code=code, marks={
            item.pk: services.Mark(["好", "较好", "一般", "差"][(i + k) % 4]) for k, item in enumerate(h.items)})
    return h


def _ids_in_submission_order(h) -> list[list[int]]:
    """Return, per evaluator in the order they voted, the ids of their ballots (found through their plain codes)."""
    by_token = dict(Ballot.objects.values_list("token", "pk"))
    return [[by_token[services.ballot_token(code, item.pk)] for item in h.items] for code in h.all_codes()]


def _is_sorted(values: list[int]) -> bool:
    return values == sorted(values)


def test_ballot_ids_do_not_follow_the_order_of_submission(burst):
    firsts = [ids[0] for ids in _ids_in_submission_order(burst)]
    assert len(set(firsts)) == BURST
    assert not _is_sorted(firsts) and not _is_sorted(firsts[::-1])


def test_one_evaluators_marks_are_not_a_block_of_consecutive_ids(burst):
    gaps = [abs(ids[1] - ids[0]) for ids in _ids_in_submission_order(burst)]
    assert not [g for g in gaps if g < 1000], "an evaluator's two ballots sit next to each other"


def test_the_ballot_key_is_no_counter_and_no_column_holds_a_time(db):
    pk = Ballot._meta.pk
    assert not isinstance(pk, models.AutoField | models.BigAutoField | models.SmallAutoField)
    assert not [f for f in Ballot._meta.concrete_fields if isinstance(f, models.DateField | models.TimeField)]
    assert Ballot._meta.ordering == [] and Ballot._meta.get_latest_by is None


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's hidden rowid")
def test_sqlites_rowid_is_the_random_id_not_a_hidden_counter(burst):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT rowid, id FROM {Ballot._meta.db_table}")
        rows = cursor.fetchall()
    assert rows and all(rowid == pk for rowid, pk in rows)


def test_the_physical_order_of_the_rows_says_nothing_after_the_close(burst):
    """Before the close rows sit in submission order on disk; the close rewrites them shuffled, under new ids."""
    before = dict(Ballot.objects.values_list("token", "pk"))
    marks = sorted(Ballot.objects.values_list("token", "grade"))
    services.meeting_close(actor=None, meeting=burst.meeting)
    after = dict(Ballot.objects.values_list("token", "pk"))
    assert sorted(Ballot.objects.values_list("token", "grade")) == marks  # every mark kept, as it was
    assert not set(before.values()) & set(after.values())
    with connection.cursor() as cursor:  # the table's own order, as a dump or a scan would read it
        cursor.execute(f"SELECT token FROM {Ballot._meta.db_table}")
        stored = [t for (t,) in cursor.fetchall()]
    firsts = [services.ballot_token(code, burst.items[0].pk) for code in burst.all_codes()]
    positions = [stored.index(t) for t in firsts]
    assert not _is_sorted(positions)


def test_a_code_in_a_url_path_opens_nothing_and_is_not_logged(tree, caplog):
    h = held(tree)
    code = h.codes["党员代表"][0]
    phone = Client()
    for path in (f"/m/e/{code}/", f"/m/e/{services.format_code(code)}/"):
        with caplog.at_level(logging.DEBUG):
            response = phone.get(path)
        assert response.status_code == 404 and EVALUATOR_COOKIE not in response.cookies
        assert "请扫描评议码条上的二维码" in response.content.decode()
        assert not [r for r in caplog.records if code in r.getMessage().upper().replace("-", "")]
    assert not EvaluatorCode.objects.filter(used=True).exists()
    assert phone.get(reverse("evaluator_ballot")).url == reverse("evaluator_enter_form")


def test_the_slip_link_carries_the_code_after_the_hash_only(tree, users, monkeypatch):
    """Browsers never send what follows "#": the code stays out of every server's and proxy's log."""
    h = held(tree)
    links = []

    def slips(*, meeting, codes, url_for):
        links.extend(url_for(code) for _group, code in codes)
        return b"%PDF-"

    monkeypatch.setattr(documents, "slips_pdf", slips)
    admin = Client()
    admin.force_login(users.county_admin)
    assert admin.post(reverse("meeting_codes", args=[h.meeting.pk])).status_code == 200
    entry = "http://testserver" + reverse("evaluator_enter_form")
    assert links and all(link.startswith(entry + "#") and "/" not in link[len(entry) + 1:] for link in links)


def test_the_evaluator_cookie_does_not_carry_the_code_in_clear(tree):
    h = held(tree)
    code = h.codes["党员代表"][0]
    entered = Client().post(reverse("evaluator_enter_form"), {"code": code})
    value = entered.cookies[EVALUATOR_COOKIE].value
    readable = [value.upper(), value.replace("-", "+").replace("_", "/")]
    for chunk in value.split(":"):
        with contextlib.suppress(ValueError):
            readable.append(base64.urlsafe_b64decode(chunk + "=" * (-len(chunk) % 4)).decode("latin-1").upper())
    assert not [r for r in readable if code in r or services.format_code(code) in r]


def test_a_cookie_made_the_old_way_signed_but_readable_opens_nothing(tree):
    h = held(tree)
    forged = Client()
    forged.cookies[EVALUATOR_COOKIE] = signing.get_cookie_signer(salt=EVALUATOR_COOKIE + "dianti.meetings.evaluator"
                                                                 ).sign(h.codes["党员代表"][0])
    response = forged.get(reverse("evaluator_ballot"))
    assert response.status_code == 302 and response.url == reverse("evaluator_enter_form")


def test_no_log_record_and_no_response_header_names_the_code(tree, caplog):
    h = held(tree)
    code = h.codes["党员代表"][0]
    needles = {code, services.format_code(code)}
    phone = Client()
    with caplog.at_level(logging.DEBUG):
        responses = [phone.get(reverse("evaluator_enter_form")),
                     phone.post(reverse("evaluator_enter_form"), {"code": services.format_code(code)}),
                     phone.get(reverse("evaluator_ballot")),
                     phone.post(reverse("evaluator_ballot"), {f"grade_{h.items[0].pk}": "好"})]
    assert [r.status_code for r in responses] == [200, 302, 200, 200]
    for record in caplog.records:
        assert not [n for n in needles if n in record.getMessage().upper()], record.getMessage()
    for response in responses:
        headers = str(response.headers).upper() + "".join(m.OutputString() for m in response.cookies.values()).upper()
        assert not [n for n in needles if n in headers]
        assert not [n for n in needles if n in response.content.decode().upper()]


def test_slips_are_printed_group_by_group_in_no_fixed_order(tree):
    """Whoever prints the slips holds every code; the print order is at least not the order the rows were made in.
    Run twice: the same seats come out in different orders (the codes differ anyway, so compare the groups' runs)."""
    h = held(tree, groups=[services.GroupSpec("党员代表", 60, 12), services.GroupSpec("群众代表", 40, 12)])
    issued = services.codes_issue(actor=None, meeting=h.meeting)
    names = [group.name for group, _code in issued]
    assert names == sorted(names, key=["党员代表", "群众代表"].index)  # handed out group by group
    hashes = [services.code_hash(code) for _group, code in issued]
    by_id = list(EvaluatorCode.objects.filter(code_hash__in=hashes).order_by("pk").values_list("code_hash", flat=True))
    assert hashes != by_id


def test_the_migration_gives_ballots_already_stored_random_ids_too(burst):
    """Ballots stored before the random ids came carry counter ids; the migration draws new ones for them."""
    from importlib import import_module

    from django.apps import apps

    for n, pk in enumerate(Ballot.objects.order_by("pk").values_list("pk", flat=True), start=1):
        Ballot.objects.filter(pk=pk).update(id=n)  # as a sequence would have numbered them
    marks = sorted(Ballot.objects.values_list("token", "grade"))
    import_module("dianti.meetings.migrations.0003_ballot_random_id").rekey_ballots(apps, None)
    ids = list(Ballot.objects.values_list("pk", flat=True))
    assert sorted(Ballot.objects.values_list("token", "grade")) == marks
    assert not set(ids) & set(range(1, len(ids) + 1))
