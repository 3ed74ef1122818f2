"""Greedy average linkage over a sparse similarity graph, mostly in numpy.

Contract of :func:`average_linkage`: the clusters of the greedy algorithm that repeatedly merges the two clusters of
highest average pairwise similarity while it is at least ``link_threshold``, pairs missing from the graph counting
as 0::

    link(A, B) = Σ_{a∈A, b∈B} sim(a, b) / (|A| · |B|)

How: average linkage is *reducible* — a merge never raises a cluster's link to anything above its best link before
(``link(C, A∪B)`` is a weighted mean of ``link(C, A)`` and ``link(C, B)``). So two clusters that are each other's
best neighbour (a reciprocal pair) are merged by the greedy algorithm sooner or later, whatever else merges first,
and all reciprocal pairs of a round can merge at once (Murtagh's reciprocal nearest neighbours). Each round is a few
array operations over the edges still in play: a cluster with no link at or above the threshold can never get one,
so its edges leave. When a round merges only a few pairs (a long tail of one big topic absorbing its members one
by one), the rest runs one merge at a time from a heap. The partition is the greedy one up to ties between equal
links (which ties break first can differ).
"""

from __future__ import annotations

import heapq
from typing import Any

import numpy as np

IntArray = np.ndarray[Any, np.dtype[np.int64]]
FloatArray = np.ndarray[Any, np.dtype[np.float64]]
# Below this many merges in a round, the heap finishes: a round costs every edge still in play.
ROUND_MIN_MERGES = 64


def average_linkage(
    n: int,
    rows: IntArray,
    cols: IntArray,
    sims: Any,
    *,
    link_threshold: float,
    round_min_merges: int = ROUND_MIN_MERGES,
) -> IntArray:
    """Return a cluster label per node ``0 … n-1`` (see the module docstring) for the undirected edges
    ``(rows[k], cols[k])`` of similarity ``sims[k]``; labels are ``0 … k-1`` in order of first appearance.

    Rounds of reciprocal pairs run while each merges at least ``round_min_merges`` pairs; the heap does the rest.
    """
    owner = np.arange(n, dtype=np.int64)  # each node's cluster, named by one of its nodes
    size = np.ones(n, dtype=np.float64)
    u, v, s = _aggregate(
        n,
        np.asarray(rows, dtype=np.int64),
        np.asarray(cols, dtype=np.int64),
        np.asarray(sims, dtype=np.float64),
    )
    while len(u):
        link = s / (size[u] * size[v])
        hot = link >= link_threshold
        if not hot.any():
            break
        # Clusters that may still merge; the others' edges can never matter again.
        live = np.zeros(n, dtype=bool)
        live[u[hot]] = True
        live[v[hot]] = True
        keep = live[u] & live[v]
        u, v, s, link, hot = u[keep], v[keep], s[keep], link[keep], hot[keep]
        a, b = _reciprocal_pairs(n, u[hot], v[hot], link[hot])
        if len(a) < round_min_merges:
            _greedy(n, owner, size, u, v, s, link_threshold)
            break
        to = np.arange(n, dtype=np.int64)
        to[b] = a
        size[a] += size[b]
        owner = to[owner]
        u, v, s = _aggregate(n, to[u], to[v], s)
    _, labels = np.unique(owner, return_index=False, return_inverse=True)
    first_seen = np.full(int(labels.max()) + 1 if n else 0, n, dtype=np.int64)
    np.minimum.at(first_seen, labels, np.arange(n))
    rank = np.empty_like(first_seen)
    rank[np.argsort(first_seen, kind="stable")] = np.arange(len(first_seen))
    result: IntArray = rank[labels].astype(np.int64)
    return result


def _aggregate(n: int, u: IntArray, v: IntArray, s: FloatArray) -> tuple[IntArray, IntArray, FloatArray]:
    """Return the edges between distinct clusters as ``lo < hi`` pairs, each once, with their similarities summed."""
    lo, hi = np.minimum(u, v), np.maximum(u, v)
    apart = lo != hi
    key = lo[apart] * n + hi[apart]
    keys, inverse = np.unique(key, return_inverse=True)
    summed = np.bincount(inverse, weights=s[apart], minlength=len(keys)).astype(np.float64)
    return keys // n, keys % n, summed


def _reciprocal_pairs(n: int, u: IntArray, v: IntArray, link: FloatArray) -> tuple[IntArray, IntArray]:
    """Return the pairs ``(a, b)`` of clusters that are each other's best neighbour along the given edges (ties:
    the neighbour of lower number)."""
    ends = np.concatenate([u, v])
    others = np.concatenate([v, u])
    links = np.concatenate([link, link])
    # Each end's highest link, then the lowest neighbour among those reaching it: two passes, no sort.
    top = np.full(n, -np.inf)
    np.maximum.at(top, ends, links)
    reaching = links == top[ends]
    best = np.full(n, n, dtype=np.int64)
    np.minimum.at(best, ends[reaching], others[reaching])
    mutual = (best[u] == v) & (best[v] == u)
    return u[mutual], v[mutual]


def _greedy(
    n: int, owner: IntArray, size: FloatArray, u: IntArray, v: IntArray, s: FloatArray, link_threshold: float
) -> None:
    """Merge the clusters joined by the edges ``(u, v, s)`` one pair at a time, best link first, while it is at
    least ``link_threshold``; update ``owner`` in place."""
    sizes = dict(zip(np.union1d(u, v).tolist(), size[np.union1d(u, v)].tolist(), strict=True))
    parent = {c: c for c in sizes}
    adjacency: dict[int, dict[int, float]] = {c: {} for c in sizes}
    for a, b, w in zip(u.tolist(), v.tolist(), s.tolist(), strict=True):
        adjacency[a][b] = w
        adjacency[b][a] = w
    # A heap entry is (-link, lo·n + hi). It is current when both ends are still clusters and their link is still
    # that value; a merge pushes the merged cluster's new links, and the entries it outdated are skipped.
    heap = [
        (-w / (sizes[a] * sizes[b]), a * n + b)
        for a, b, w in zip(u.tolist(), v.tolist(), s.tolist(), strict=True)
    ]
    heap = [entry for entry in heap if -entry[0] >= link_threshold]
    heapq.heapify(heap)
    while heap:
        neg, pair = heapq.heappop(heap)
        a, b = divmod(pair, n)
        if parent[a] != a or parent[b] != b or adjacency[a].get(b, 0.0) / (sizes[a] * sizes[b]) != -neg:
            continue
        if len(adjacency[a]) < len(adjacency[b]):
            a, b = b, a
        parent[b] = a
        sizes[a] += sizes[b]
        merged = adjacency[a]
        merged.pop(b, None)
        for k, w in adjacency.pop(b).items():
            if k == a:
                continue
            merged[k] = merged.get(k, 0.0) + w
            other = adjacency[k]
            other.pop(b, None)
            other[a] = merged[k]
        for k, w in merged.items():
            link = w / (sizes[a] * sizes[k])
            if link >= link_threshold:
                heapq.heappush(heap, (-link, a * n + k if a < k else k * n + a))
    moved = [c for c in parent if parent[c] != c]
    if not moved:
        return
    to = np.arange(n, dtype=np.int64)
    for c in moved:
        root = c
        while parent[root] != root:
            root = parent[root]
        to[c] = root
    owner[:] = to[owner]
