"""Model-level behaviour: subtree range queries in the database, phone masking, display names."""

from __future__ import annotations

import random
from typing import Any

import pytest

from dianti.orgs.models import Organization, mask_phone

from .factories import OrganizationFactory


def test_subtree_query_matches_path_prefixes_in_the_database(tree: Any) -> None:
    # A random tree, deep and wide enough for carries in the path segments not to matter: the database's range
    # scan (whatever its collation) must agree with plain prefix matching.
    rng = random.Random(2026)
    made = [tree.county]
    for _ in range(60):
        made.append(OrganizationFactory(parent=rng.choice(made)))
    everything = list(Organization.objects.all())
    for org in everything:
        expected = {o.code for o in everything if o.path.startswith(org.path)}
        assert set(Organization.objects.subtree(org.path).values_list("code", flat=True)) == expected


def test_organizations_are_listed_in_tree_order(tree: Any) -> None:
    codes = list(Organization.objects.values_list("code", flat=True))
    assert codes == ["330424", "330424105", "330424105201", "33042410520101", "330424105202", "330424104",
                     "330424104201"]


def test_grassroots_excludes_county_and_town_committees(tree: Any) -> None:
    assert set(Organization.objects.grassroots().values_list("code", flat=True)) == {
        "330424105201", "33042410520101", "330424105202", "330424104201"}


@pytest.mark.parametrize(("phone", "masked"), [
    ("13812345678", "138****5678"), ("", ""), ("12345", "*****"),
])
def test_mask_phone_hides_the_middle_digits(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked


def test_display_name_prefers_the_short_name(tree: Any) -> None:
    assert tree.town_a.display_name == "通元镇"
    assert tree.village_a1_branch.display_name == "雪水港村第一党支部"
