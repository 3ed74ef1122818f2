"""Materialized paths: the fixed-width segments, the subtree range ``[path, successor(path))``, ordering and the
minimal set of roots that a scope is made of."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dianti.core import paths

# Child numbers near the ends of the alphabet exercise the carries in ``successor``.
child_numbers = st.one_of(
    st.integers(min_value=1, max_value=40),
    st.integers(min_value=paths.MAX_CHILDREN - 40, max_value=paths.MAX_CHILDREN),
    st.integers(min_value=1, max_value=paths.MAX_CHILDREN),
)
positions = st.lists(child_numbers, min_size=1, max_size=5)


def path_of(numbers: list[int]) -> str:
    path = ""
    for n in numbers:
        path = paths.child_path(path, n)
    return path


def test_segment_is_fixed_width_base36() -> None:
    assert paths.segment(1) == "0001"
    assert paths.segment(35) == "000Z"
    assert paths.segment(36) == "0010"
    assert paths.segment(paths.MAX_CHILDREN) == "ZZZZ"


@pytest.mark.parametrize("n", [0, -1, paths.MAX_CHILDREN + 1])
def test_segment_rejects_child_numbers_outside_the_alphabet(n: int) -> None:
    with pytest.raises(ValueError, match="out of range"):
        paths.segment(n)


def test_child_path_appends_a_segment_and_depth_counts_them() -> None:
    assert paths.child_path("", 1) == "0001"
    assert paths.child_path("0001", 3) == "00010003"
    assert paths.depth("0001") == 1
    assert paths.depth("00010003002A") == 3


def test_successor_carries_into_the_level_above() -> None:
    assert paths.successor("0001") == "0002"
    assert paths.successor("000Z") == "001"
    assert paths.successor("0001ZZZZ") == "0002"
    assert paths.successor("ZZZZ") == "~"


def test_ancestors_are_listed_root_first() -> None:
    assert paths.ancestors("000100020003") == ["0001", "00010002"]
    assert paths.ancestors("0001") == []


def test_minimal_roots_drops_paths_inside_another_subtree() -> None:
    assert paths.minimal_roots(["00010002", "0001", "0002", "00020001", "0001"]) == ["0001", "0002"]
    assert paths.minimal_roots([]) == []


@given(positions)
def test_segments_sort_like_child_numbers(numbers: list[int]) -> None:
    segs = [paths.segment(n) for n in numbers]
    assert all(len(s) == paths.SEGMENT for s in segs)
    assert sorted(segs) == [paths.segment(n) for n in sorted(numbers)]


@given(positions, positions)
def test_successor_bounds_exactly_the_subtree(root: list[int], other: list[int]) -> None:
    p, q = path_of(root), path_of(other)
    # Also try q as a descendant of p, which random pairs rarely produce.
    for candidate in (q, p + q, p):
        inside = candidate.startswith(p)
        assert (p <= candidate < paths.successor(p)) == inside


@given(positions)
def test_successor_is_greater_than_every_descendant_and_not_a_descendant(numbers: list[int]) -> None:
    p = path_of(numbers)
    succ = paths.successor(p)
    assert succ > p
    assert not succ.startswith(p)
    assert succ > paths.child_path(p, paths.MAX_CHILDREN) + "ZZZZ"


@given(positions, positions)
def test_path_order_is_tree_preorder(a: list[int], b: list[int]) -> None:
    # Parents sort before their children, siblings by child number: the order of the tuples of child numbers.
    assert (path_of(a) < path_of(b)) == (a < b)
    assert (path_of(a) == path_of(b)) == (a == b)


@given(positions)
def test_ancestors_are_the_prefixes_of_the_path(numbers: list[int]) -> None:
    p = path_of(numbers)
    found = paths.ancestors(p)
    assert found == [path_of(numbers[:i]) for i in range(1, len(numbers))]
    assert [paths.depth(a) for a in found] == list(range(1, paths.depth(p)))


@given(st.lists(st.lists(st.integers(min_value=1, max_value=3), min_size=1, max_size=4), max_size=12))
def test_minimal_roots_cover_every_path_and_none_contains_another(many: list[list[int]]) -> None:
    given_paths = [path_of(n) for n in many]
    roots = paths.minimal_roots(given_paths)
    assert set(roots) <= set(given_paths)
    assert all(any(p.startswith(r) for r in roots) for p in given_paths)
    assert not any(r != s and r.startswith(s) for r in roots for s in roots)
    assert roots == sorted(roots)
    assert paths.minimal_roots(roots) == roots
