"""Aggregate counts for a subtree, contributed by each step of the cycle.

Each step declares the keys it owns (``stats`` in its component: ``organizations``, ``people`` …) and what it adds
to keys other steps own (``stats_add``: meeting attendance to ``participants``); the public stats endpoint and the
dashboards call :func:`compute`. A contributor takes the subtree's root path and returns an int; it must only
count, never return personal data.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.cache import cache

from . import components

Contributor = Callable[[str], int]


def _owned() -> dict[str, Contributor]:
    return {key: fn for c in components.components() for key, fn in c.stats.items()}


def _addends() -> dict[str, list[Contributor]]:
    added: dict[str, list[Contributor]] = {}
    for c in components.components():
        for key, fn in c.stats_add.items():
            added.setdefault(key, []).append(fn)
    return added


def contributors() -> int:
    """Return how many contributor functions :func:`compute` calls (each is one query at most)."""
    return len(_owned()) + sum(len(fns) for fns in _addends().values())


def keys() -> list[str]:
    return list(_owned())


def compute(path: str) -> dict[str, int]:
    """Return every declared count for the subtree rooted at ``path``, in cycle order."""
    added = _addends()
    return {key: int(fn(path)) + sum(int(extra(path)) for extra in added.get(key, []))
            for key, fn in _owned().items()}


def recent(path: str, seconds: int) -> dict[str, int]:
    """Return :func:`compute` of the subtree at ``path`` as counted at most ``seconds`` ago: once per subtree and
    interval, whichever web node asks (the cache is shared), for subtrees too wide to count on every visit."""
    return cache.get_or_set(f"dianti:stats:{path}", lambda: compute(path), seconds)  # type: ignore[no-any-return]
