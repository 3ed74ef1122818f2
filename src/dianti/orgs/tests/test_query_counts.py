"""What the hot pages ask of the database: how many queries, and how the subtree counts are answered.

The tree, a town's children, an organization's page, search and the people list must make the same number of
queries however big the tree is, for every kind of scope (the county admin's pages are covered in
``test_views.py``; here the superuser, whose scope is everything, and a town admin). The grassroots, people and
party-member counts behind the tree badges and ``/api/v1/stats`` must be read from an index alone, and a subtree's
people must come out of the index already in list order: that is what keeps them fast at 150,000 organizations
and a million people. Speed itself is measured by ``dianti bench tree``, never asserted here.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dianti.core import stats
from dianti.orgs import selectors

from .factories import grow

#: Session, user, scope, then the page's own reads (the same bound as the county admin's pages).
PAGE_QUERY_BOUND = 15

PAGES = {
    "tree": reverse("org_tree"),
    "children": reverse("org_children", args=["330424105"]),
    "org_detail": reverse("org_detail", args=["330424105"]),
    "search": reverse("org_search") + "?q=村",
    "people": reverse("people_list") + "?org=330424105",
}


def page_queries(client: Any, url: str) -> int:
    client.get(url)  # warm the per-process caches (content types, translations)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("username", ["superuser", "town_admin"])
@pytest.mark.parametrize("page", list(PAGES))
def test_page_query_count_does_not_grow_with_the_tree_for_any_scope(client: Any, tree: Any, users: Any,
                                                                    username: str, page: str) -> None:
    client.force_login(getattr(users, username))
    small = page_queries(client, PAGES[page])
    grow(tree.county, towns=5, villages=4, people=2)
    grow(tree.town_a, towns=3, villages=4, people=2)
    big = page_queries(client, PAGES[page])
    assert big == small, f"{page} as {username}: {small} queries on the small tree, {big} on the bigger one"
    assert big <= PAGE_QUERY_BOUND


def test_stats_of_a_subtree_is_one_lookup_and_one_query_per_key(client: Any, tree: Any) -> None:
    grow(tree.town_a, towns=3, villages=4, people=2)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/api/v1/stats", {"org": "330424105"})
    assert response.status_code == 200
    assert len(ctx.captured_queries) == 1 + stats.contributors()


# Query plans (SQLite: without ANALYZE its planner is deterministic; PostgreSQL picks by table statistics) -------

sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="plans are asserted on SQLite only")


def plan(sql: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql)
        return [row[-1] for row in cursor.fetchall()]


def captured(fn: Any) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return [q["sql"] for q in ctx.captured_queries]


def table_steps(steps: list[str], table: str) -> list[str]:
    return [s for s in steps if f" {table} " in f"{s} "]


@sqlite_only
@pytest.mark.parametrize("key", ["organizations", "people", "party_members"])
def test_stats_counts_read_only_an_index(tree: Any, key: str) -> None:
    from dianti.core import components, figures
    from dianti.core.figures import Grouping

    path = tree.county.path
    if key == "organizations":  # a figure as of now: its subtree stat is its total, one plain count
        [sql] = captured(lambda: figures.declared()[key].count(Grouping(path, len(path), years=False)))
    else:
        [sql] = captured(lambda: components.get("orgs").stats[key](path))
    table = "orgs_organization" if key == "organizations" else "orgs_person"
    steps = table_steps(plan(sql), table)
    assert steps and all("USING COVERING INDEX" in s for s in steps), steps


@sqlite_only
def test_tree_badge_counts_read_only_an_index(tree: Any, users: Any) -> None:
    sqls = captured(lambda: selectors.tree_children(users.county_admin, tree.county))
    [count_sql] = [s for s in sqls if "GROUP BY" in s]
    steps = table_steps(plan(count_sql), "orgs_organization")
    assert steps and all("USING COVERING INDEX" in s for s in steps), steps


@sqlite_only
def test_people_of_a_subtree_come_out_of_the_index_in_list_order(tree: Any, users: Any) -> None:
    grow(tree.town_a, towns=2, villages=2, people=3)
    sqls = captured(lambda: list(selectors.people_search(users.county_admin, org=tree.town_a)[:50]))
    steps = plan(sqls[-1])
    assert any("orgs_person USING INDEX person_path_idx" in s for s in steps), steps
    assert not any("TEMP B-TREE" in s for s in steps), steps
