"""Aggregate counts for a subtree, all years together: the home page's figures and ``/api/v1/stats``.

Two sources, one truth each. The plain counts of every yearly figure (:mod:`.figures`: opinions, meetings held,
subjects, rectifications …) are those figures totalled — the same query a dashboard groups by child and year, asked
for one group. A step declares here (``stats`` in its component) only the counts that have no year (``people``,
``ballots``), and what it adds to another's (``stats_add``). A contributor takes the subtree's root path and
returns an int; it must only count, never return personal data.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.cache import cache

from . import components, figures

Contributor = Callable[[str], int]


def _owned() -> dict[str, Contributor]:
    return {key: fn for c in components.components() for key, fn in c.stats.items()}


def _addends() -> dict[str, list[Contributor]]:
    added: dict[str, list[Contributor]] = {}
    for c in components.components():
        for key, fn in c.stats_add.items():
            added.setdefault(key, []).append(fn)
    return added


def _figure_keys() -> list[str]:
    return [key for key, f in figures.declared().items() if f.is_count]


def contributors() -> int:
    """Return how many queries :func:`compute` makes (one per contributor and per counted figure)."""
    return len(_owned()) + sum(len(fns) for fns in _addends().values()) + figures.queries(_figure_keys())


def keys() -> list[str]:
    """Return every key :func:`compute` answers, step by step in cycle order."""
    counted = set(_figure_keys())
    return [k for c in components.components()
            for k in [*c.stats, *(f.key for f in c.figures if f.key in counted)]]


def names() -> dict[str, Any]:
    """Return what users call every key :func:`compute` answers (the API's schema describes each by it)."""
    figured = figures.declared()
    return {key: c.stat_labels.get(key) or c.stat_help.get(key) or (figured[key].label if key in figured else key)
            for c in components.components() for key in keys() if key in c.stats or key in {f.key for f in c.figures}}


def compute(path: str) -> dict[str, int]:
    """Return every count for the subtree rooted at ``path``, in cycle order."""
    added = _addends()
    counts = {key: int(fn(path)) + sum(int(extra(path)) for extra in added.get(key, []))
              for key, fn in _owned().items()}
    counts.update(figures.totals(path))
    return {key: counts[key] for key in keys()}


def _kept(path: str) -> str:
    return f"dianti:stats:{path}"


def recent(path: str, seconds: int) -> dict[str, int]:
    """Return :func:`compute` of the subtree at ``path`` as counted at most ``seconds`` ago (or as :func:`keep` last
    counted it): once per subtree and interval, whichever web node asks (the cache is shared), for subtrees too wide
    to count on every visit."""
    figures.looked_at(path)
    return cache.get_or_set(_kept(path), lambda: compute(path), seconds)  # type: ignore[no-any-return]


def keep(path: str, seconds: int) -> dict[str, int]:
    """Count the subtree at ``path`` now and keep the counts for :func:`recent` for ``seconds``."""
    counted = compute(path)
    cache.set(_kept(path), counted, seconds)
    return counted
