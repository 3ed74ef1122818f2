"""The data migrations of issue 11: phones already stored in clear come out encrypted, with their search hashes,
and migrating back gives the plaintext again."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from dianti.core import crypto

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("orgs", "0003_alter_rolegrant_role"), ("voices", "0001_initial"),
          ("core", "0002_outboundmessage_notification")]


def migrate(targets: list[tuple[str, str]]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def latest() -> list[tuple[str, str]]:
    """Every app's last migration: going back to :data:`BEFORE` also unapplies other apps' migrations that depend on
    it (a meeting's rehearsal, a campaign's heat scheme), and the tests after this one need them all back."""
    executor = MigrationExecutor(connection)
    return list(executor.loader.graph.leaf_nodes())


def sql(query: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(query, params or [])
        return list(cursor.fetchall()) if cursor.description else []


def test_existing_plaintext_phones_are_encrypted_by_the_migration_and_back(tree: Any) -> None:
    org_id = tree.village_a1.pk
    migrate(BEFORE)
    try:
        sql("INSERT INTO orgs_person (name, gender, phone, is_party_member, organization_id, org_path) "
            "VALUES ('老王', 'M', '13812345678', false, %s, %s), ('老李', 'M', '', false, %s, %s)",
            [org_id, tree.village_a1.path, org_id, tree.village_a1.path])
        sql("INSERT INTO core_outboundmessage (channel, kind, to_name, to_address, title, body, created_at, status,"
            " error) VALUES ('log', 'k', '王', '13900001111', 't', '', CURRENT_TIMESTAMP, 'sent', '')")
    finally:
        migrate(latest())

    (phone, full, tail), = sql("SELECT phone, phone_hash, phone_tail_hash FROM orgs_person WHERE name = '老王'")
    assert "13812345678" not in phone and crypto.decrypt(phone) == "13812345678"
    assert (full, tail) == (crypto.phone_hash("13812345678"), crypto.phone_tail_hash("5678"))
    assert sql("SELECT phone, phone_hash FROM orgs_person WHERE name = '老李'") == [("", "")]
    (address,), = sql("SELECT to_address FROM core_outboundmessage")
    assert crypto.decrypt(address) == "13900001111"

    migrate(BEFORE)
    try:
        assert sql("SELECT phone FROM orgs_person WHERE name = '老王'") == [("13812345678",)]
        assert sql("SELECT to_address FROM core_outboundmessage") == [("13900001111",)]
    finally:
        migrate(latest())
