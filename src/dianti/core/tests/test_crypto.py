"""Personal data at rest: phones are tokens in the database, found by keyed hashes, refused under a wrong key."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.core.exceptions import FieldError
from django.db import connection

from dianti.core import checks, crypto
from dianti.orgs import selectors, services
from dianti.orgs.models import Person
from dianti.voices.services import Submitter, opinion_submit

PHONE = "13812345678"


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    cache.clear()  # the public form's limits count per process


def raw_column(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


@pytest.fixture
def key_a(monkeypatch: Any) -> str:
    key = crypto.generate_key()
    monkeypatch.setenv(crypto.ENV_VAR, key)
    return key


def test_person_phone_column_holds_no_plaintext(tree: Any, key_a: str) -> None:
    person = services.person_create(actor=None, name="王五", organization=tree.village_a2, phone=PHONE)
    stored = raw_column("orgs_person", "phone", person.pk)
    assert stored.startswith("gAAAAA") and PHONE not in stored and "5678" not in stored
    for column in ("phone_hash", "phone_tail_hash"):
        assert PHONE not in raw_column("orgs_person", column, person.pk)
    assert Person.objects.get(pk=person.pk).phone == PHONE


def test_opinion_author_phone_column_holds_no_plaintext(tree: Any, key_a: str) -> None:
    op = opinion_submit(organization=tree.village_a1, text="路灯坏了好几个月", anonymous=False, name="王阿姨",
                        phone=PHONE, submitter=Submitter("ip", "dev"))
    assert PHONE not in raw_column("voices_opinion", "author_phone", op.pk)
    op.refresh_from_db()
    assert op.author_phone == PHONE


def test_the_same_phone_encrypts_differently_each_time(key_a: str) -> None:
    assert crypto.encrypt(PHONE) != crypto.encrypt(PHONE)
    assert crypto.phone_hash(PHONE) == crypto.phone_hash(PHONE)


def test_search_hashes_depend_on_the_key(monkeypatch: Any, key_a: str) -> None:
    first = crypto.phone_hash(PHONE)
    monkeypatch.setenv(crypto.ENV_VAR, crypto.generate_key())
    assert crypto.phone_hash(PHONE) != first


def test_people_search_finds_a_whole_number_and_its_last_four_digits(tree: Any, users: Any, key_a: str) -> None:
    services.person_create(actor=None, name="李丰义", organization=tree.village_a2, phone="13900001234")
    assert [p.name for p in selectors.people_search(users.town_admin, "13900001234")] == ["李丰义"]
    assert [p.name for p in selectors.people_search(users.town_admin, "1234")] == ["李丰义"]
    assert [p.name for p in selectors.people_search(users.town_admin, "139-0000-1234")] == ["李丰义"]
    # A whole number confirms the masked middle: not for someone who sees masked numbers only.
    assert list(selectors.people_search(users.secretary, "13900001234")) == []


def test_a_lookup_by_content_is_refused_rather_than_silently_empty(tree: Any) -> None:
    with pytest.raises(FieldError, match="_hash"):
        list(Person.objects.filter(phone=PHONE))
    with pytest.raises(FieldError):
        list(Person.objects.filter(phone__endswith="5678"))
    assert Person.objects.filter(phone="").count() == 0  # "has no phone" still works


def test_a_wrong_key_is_a_clear_error_not_garbage(tree: Any, users: Any, monkeypatch: Any, key_a: str) -> None:
    person = services.person_create(actor=None, name="王五", organization=tree.village_a2, phone=PHONE)
    monkeypatch.setenv(crypto.ENV_VAR, crypto.generate_key())
    with pytest.raises(crypto.DataKeyError, match="DIANTI_DATA_KEY 与加密时所用的密钥不同"):
        Person.objects.get(pk=person.pk)


def test_a_tampered_token_is_refused(key_a: str) -> None:
    token = crypto.encrypt(PHONE)
    tampered = token[:-6] + ("A" if token[-6] != "A" else "B") + token[-5:]
    with pytest.raises(crypto.DataKeyError):
        crypto.decrypt(tampered)


def test_production_without_a_data_key_refuses_to_start(monkeypatch: Any) -> None:
    monkeypatch.delenv(crypto.ENV_VAR, raising=False)
    monkeypatch.setattr(crypto, "_configured_debug", lambda: False)
    errors = checks.data_key_is_set_in_production(None)
    assert [e.id for e in errors] == ["dianti.E101"]
    assert "DIANTI_DATA_KEY" in errors[0].msg
    with pytest.raises(crypto.DataKeyError):
        crypto.encrypt(PHONE)


def test_a_malformed_key_is_refused_with_what_to_do(monkeypatch: Any) -> None:
    monkeypatch.setenv(crypto.ENV_VAR, "dianti2026")
    errors = checks.data_key_is_set_in_production(None)
    assert [e.id for e in errors] == ["dianti.E101"] and "dianti datakey" in errors[0].msg


def test_development_runs_without_a_key(monkeypatch: Any) -> None:
    monkeypatch.delenv(crypto.ENV_VAR, raising=False)
    monkeypatch.setattr(crypto, "_configured_debug", lambda: True)
    assert checks.data_key_is_set_in_production(None) == []
    assert crypto.decrypt(crypto.encrypt(PHONE)) == PHONE


def test_outbound_log_addresses_hold_no_plaintext(db: Any, key_a: str) -> None:
    from dianti.core.models import OutboundMessage

    m = OutboundMessage.objects.create(channel="log", kind="t", to_name="王阿姨", to_address=PHONE, title="t")
    assert PHONE not in raw_column("core_outboundmessage", "to_address", m.pk)
    assert OutboundMessage.objects.get(pk=m.pk).to_address == PHONE


def test_the_key_can_be_changed_with_rekey(key_a: str, tree: Any, users: Any, monkeypatch: Any) -> None:
    from django.core.management import call_command

    services.person_create(actor=None, name="李丰义", organization=tree.village_a2, phone="13900001234")
    new = crypto.generate_key()
    monkeypatch.setenv(crypto.ENV_VAR, new)
    monkeypatch.setenv(crypto.OLD_ENV_VAR, key_a)
    assert Person.objects.get(name="李丰义").phone == "13900001234"  # the old key still reads
    assert list(selectors.people_search(users.town_admin, "1234")) == []  # hashes are still the old key's
    call_command("rekey")
    monkeypatch.delenv(crypto.OLD_ENV_VAR)
    assert Person.objects.get(name="李丰义").phone == "13900001234"  # the new key alone reads
    assert [p.name for p in selectors.people_search(users.town_admin, "1234")] == ["李丰义"]
