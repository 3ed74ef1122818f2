"""Every declared figure, by child and by year, against the fixture counted by hand; the subtree stats are the same
counts totalled; and a table costs one query per figure however many towns the county has."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dianti.core import figures, stats
from dianti.orgs.tests.factories import grow

from .fixtures import DISTRIBUTIONS, HAND, NOW, two_years

pytestmark = pytest.mark.django_db


@pytest.fixture
def years(tree: Any, users: Any) -> Any:
    return two_years(tree, users)


def _groups(tree: Any) -> dict[str, str]:
    return {"A": tree.town_a.path, "B": tree.town_b.path, "county": tree.county.path}


def test_every_yearly_count_by_town_and_year_is_the_hand_count(tree: Any, years: Any) -> None:
    table = figures.compute(tree.county.path)
    assert table.years() == [2020, 2019]
    counted = [k for k, f in figures.declared().items() if f.yearly and not f.buckets]
    assert {k for year in HAND.values() for g in year.values() for k in g} <= set(counted)
    for year in (2019, 2020):
        for name, path in _groups(tree).items():
            expected = HAND.get(year, {}).get(name, {})
            got = {k: table.get(k, year, path) for k in counted}
            assert got == {k: expected.get(k, 0) for k in counted}, (year, name)


def test_figures_as_of_now_are_counted_by_town(tree: Any, years: Any) -> None:
    table = figures.compute(tree.county.path)
    for name in ("A", "B"):
        for key, n in NOW[name].items():
            assert table.get(key, 0, _groups(tree)[name]) == n, (name, key)
    assert (table.get("organizations"), table.get("points")) == (4, 2)


@pytest.mark.parametrize("key", sorted(DISTRIBUTIONS))
def test_each_distribution_of_2020_is_the_hand_count(tree: Any, years: Any, key: str) -> None:
    table = figures.compute(tree.county.path)
    assert table.distribution(key, 2020) == DISTRIBUTIONS[key]
    assert table.distribution(key, 2020, tree.town_b.path) == {}  # town B published nothing, graded nothing
    assert table.distribution(key, 2019) == ({"基层治理": 1} if key == "categories" else {})


def test_a_town_is_counted_by_its_organizations(tree: Any, years: Any) -> None:
    table = figures.compute(tree.town_a.path)
    va1, va2 = tree.village_a1.path, tree.village_a2.path
    assert (table.get("opinions", 2020, va1), table.get("opinions", 2020, va2)) == (3, 0)
    assert table.get("subjects", 2020, tree.town_a.path) == 2  # the town's own campaign is its own row
    assert table.get("points", 0, va1) == 1 and table.get("organizations", 0, va1) == 2  # with its branch


def test_the_subtree_stats_are_the_figures_totalled(tree: Any, years: Any) -> None:
    counts = stats.compute(tree.county.path)
    table = figures.compute(tree.county.path)
    for key, f in figures.declared().items():
        if f.is_count:
            total = table.get(key, 0) + sum(table.get(key, y) for y in table.years())
            assert counts[key] == total, key
    assert counts["subjects"] == 2 + 1 + 2 + 1 and counts["participants"] == 15


def test_a_table_costs_one_query_per_figure_however_many_towns(tree: Any, years: Any) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            figures.compute(tree.county.path)
        return len(ctx.captured_queries)

    small = queries()
    grow(tree.county, towns=6, villages=3)
    assert queries() == small == figures.queries()



def test_a_wide_subtree_is_counted_ahead_and_its_pages_read_what_was_kept(tree: Any, years: Any) -> None:
    from django.core.cache import cache

    from dianti.core import scope, warm
    from dianti.orgs import services

    cache.clear()
    root, town = tree.county.path, tree.town_a.path
    assert scope.is_wide(root) and scope.is_wide(town) and not scope.is_wide(tree.village_a1.path)
    assert warm.wide_counts()["subtrees"] == 0  # nobody has looked at any yet
    assert warm.wide_counts(everyone=True)["subtrees"] == 3  # the county (a root, as shallow as a province), 2 towns
    before = figures.table(root).get("organizations", 0, town)
    total = stats.recent(root, 60)["organizations"]

    services.org_create(actor=None, code="330424105299", name="中共新村委员会", parent=tree.town_a)
    assert figures.compute(root).get("organizations", 0, town) == before + 1
    # The pages read what was kept, not a count of their own ...
    assert figures.table(root).get("organizations", 0, town) == before
    assert stats.recent(root, 60)["organizations"] == total
    # ... until the next run counts again: the county's pages were looked at, the towns' not.
    assert warm.wide_counts()["subtrees"] == 1
    assert figures.table(root).get("organizations", 0, town) == before + 1
    assert stats.recent(root, 60)["organizations"] == total + 1


def test_a_busy_wide_page_notes_its_visit_about_twice_an_hour_not_on_every_visit(tree: Any) -> None:
    from unittest import mock

    from django.core.cache import cache

    cache.clear()
    root = tree.county.path
    with mock.patch.object(figures.cache, "set", wraps=cache.set) as written:
        for _ in range(5):
            figures.looked_at(root)
        assert written.call_count == 1
        assert figures.viewed([root]) == [root]
        later = figures.time.time() + figures.VIEWED_SECONDS / 2 + 1
        with mock.patch.object(figures.time, "time", return_value=later):
            figures.looked_at(root)
        assert written.call_count == 2  # past half its life, the note is renewed


def test_beat_counts_the_wide_subtrees_every_minute() -> None:
    from dianti.celery import app

    entry = app.conf.beat_schedule["wide-counts"]
    assert entry["task"] == "dianti.wide_counts" and entry["schedule"] == figures.WIDE_SECONDS == 60
    assert figures.KEPT_SECONDS > figures.WIDE_SECONDS  # a late run leaves the last count, not a wait
