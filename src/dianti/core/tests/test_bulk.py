"""The scale demo's bulk writer: reserved ids, rows with the model's defaults, and indexes made once at the end."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction

from dianti.core import bulk
from dianti.orgs.models import Organization, Person

pytestmark = pytest.mark.django_db
COLUMNS = ("id", "code", "name", "path", "depth", "parent_id")


def _plain_indexes_and_keys(table: str) -> tuple[set[str], set[str]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i WHERE i.indrelid = %s::regclass "
                       "AND NOT i.indisunique AND NOT i.indisprimary", [table])
        indexes = {row[0] for row in cursor.fetchall()}
        cursor.execute("SELECT conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint "
                       "WHERE conrelid = %s::regclass AND contype = 'f'", [table])
        return indexes, {row[0] for row in cursor.fetchall()}


def test_rows_go_in_with_reserved_ids_wired_to_each_other_and_the_models_defaults(tree: Any) -> None:
    top, child = bulk.reserve_ids(Organization, 2)
    assert top < child and not Organization.objects.filter(pk__in=[top, child]).exists()
    rows = [(top, "990001", "甲县", "ZZZ0", 1, None), (child, "990001101", "乙镇", "ZZZ00001", 2, top)]
    assert bulk.insert_rows(Organization, COLUMNS, rows, others=bulk.defaults(Organization, COLUMNS)) == 2
    made = Organization.objects.get(pk=child)
    assert (made.parent_id, made.parent.code) == (top, "990001")
    assert (made.kind, made.level, made.field, made.is_active, made.child_counter) == ("branch", "grassroots",
                                                                                      "other", True, 0)
    later = Organization.objects.create(code="990002", name="丙县", path="ZZZ1", depth=1)
    assert later.pk > child  # the sequence (or SQLite's counter) moved past the reserved ids


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only (elsewhere nothing is deferred)")
def test_deferred_indexes_are_made_again_as_they_were_and_their_keys_checked(tree: Any) -> None:
    before = _plain_indexes_and_keys("orgs_person")
    assert before[0] and before[1]
    with transaction.atomic():
        Person.objects.create(name="甲", organization=tree.town_a, org_path=tree.town_a.path)  # a check queued
        with bulk.deferred_indexes(Person):
            assert _plain_indexes_and_keys("orgs_person") == (set(), set())
            bulk.insert_rows(Person, ("name", "organization_id", "org_path"), [("乙", tree.village_a1.pk, "x")],
                             others=bulk.defaults(Person, ("name", "organization_id", "org_path")))
        assert _plain_indexes_and_keys("orgs_person") == before
    assert Person.objects.filter(name="乙", organization=tree.village_a1).exists()

    with pytest.raises(IntegrityError), transaction.atomic(), bulk.deferred_indexes(Person):
        bulk.insert_rows(Person, ("name", "organization_id", "org_path"), [("丙", 10**9, "x")],
                         others=bulk.defaults(Person, ("name", "organization_id", "org_path")))
    assert _plain_indexes_and_keys("orgs_person") == before  # rolled back with the failed load
