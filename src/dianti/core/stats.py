"""Aggregate counts for a subtree, contributed by each app of the cycle.

Each app registers the keys it owns (``organizations``, ``people`` …) with :func:`register`; the public stats
endpoint and the dashboards call :func:`compute`. A contributor takes the subtree's root path and returns an int;
it must only count, never return personal data.
"""

from __future__ import annotations

from collections.abc import Callable

Contributor = Callable[[str], int]
_REGISTRY: dict[str, Contributor] = {}


def register(key: str) -> Callable[[Contributor], Contributor]:
    def decorator(fn: Contributor) -> Contributor:
        _REGISTRY[key] = fn
        return fn

    return decorator


_ADDENDS: dict[str, list[Contributor]] = {}


def add_to(key: str) -> Callable[[Contributor], Contributor]:
    """Register a further contribution to a key another app owns (e.g. meeting attendance to participants)."""

    def decorator(fn: Contributor) -> Contributor:
        _ADDENDS.setdefault(key, []).append(fn)
        return fn

    return decorator


def contributors() -> int:
    """Return how many contributor functions :func:`compute` calls (each is one query at most)."""
    return len(_REGISTRY) + sum(len(fns) for fns in _ADDENDS.values())


def keys() -> list[str]:
    return list(_REGISTRY)


def compute(path: str) -> dict[str, int]:
    """Return every registered count for the subtree rooted at ``path``."""
    return {key: int(fn(path)) + sum(int(extra(path)) for extra in _ADDENDS.get(key, []))
            for key, fn in _REGISTRY.items()}
