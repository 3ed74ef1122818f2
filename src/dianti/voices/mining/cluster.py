"""Cluster opinion vectors into topics: sparse neighbour search, then average linkage on the similarity graph.

1. :func:`similarity_graph` multiplies the L2-normalised rows block by block (``X[a:b] @ X.T``) and keeps, per
   row, at most ``max_neighbors`` pairs with cosine ≥ ``edge_threshold``. Memory is bounded by the block size and
   the kept edges — never an n × n matrix — and the work grows with the number of pairs sharing terms, which stays
   near-linear because administrative places are down-weighted and the idf makes common words cheap.

   *Place and problem gate.* When ``place_columns`` marks the place terms, an edge between two opinions that both name
   a place is kept only if they share the place (cosine of their place parts ≥ ``PLACE_MIN``) *and* the problem
   (cosine of the rest ≥ ``PROBLEM_MIN``); otherwise only the problem part must be shared. So the estate's name alone
   cannot pull its lifts, its noise and its school into one topic, and "补课" cannot merge two schools.
2. :func:`average_linkage` merges clusters greedily while their *average* pairwise cosine is at least
   ``link_threshold``, with pairs that are not in the graph counting as 0::

       link(A, B) = Σ_{a∈A, b∈B} cos(a, b) / (|A| · |B|)

   Unlike single linkage or connected components, one shared word (a district name, "噪音") cannot chain unrelated
   messages: a message joins a topic only if it is close to the topic's members *on average*.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

EDGE_THRESHOLD = 0.12
LINK_THRESHOLD = 0.22
MAX_NEIGHBORS = 64
PLACE_MIN = 0.15
PROBLEM_MIN = 0.15
MERGE_THRESHOLD = 0.45
MERGE_PROBLEM_MIN = 0.3


@dataclass(frozen=True)
class Graph:
    """Undirected weighted edges ``rows[k] < cols[k]`` with cosine ``sims[k]`` among ``n`` nodes."""

    n: int
    rows: np.ndarray[Any, np.dtype[np.int64]]
    cols: np.ndarray[Any, np.dtype[np.int64]]
    sims: np.ndarray[Any, np.dtype[np.float32]]


def _row_norms(matrix: Any) -> np.ndarray[Any, np.dtype[np.float64]]:
    return np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1), dtype=np.float64).ravel())


def similarity_graph(matrix: Any, *, place_columns: np.ndarray[Any, np.dtype[np.bool_]] | None = None,
                     edge_threshold: float = EDGE_THRESHOLD, max_neighbors: int = MAX_NEIGHBORS,
                     place_min: float = PLACE_MIN, problem_min: float = PROBLEM_MIN, block: int = 1024) -> Graph:
    """Return the cosine-similarity graph of the rows of the L2-normalised CSR ``matrix`` (see the module docstring)."""
    n = matrix.shape[0]
    matrix = matrix.tocsr()
    transposed = matrix.T.tocsr()
    gate = place_columns is not None and bool(place_columns.any())
    if gate:
        diagonal = sp.diags(np.asarray(place_columns, dtype=np.float32))
        places = (matrix @ diagonal).tocsr()
        places.eliminate_zeros()
        places_t = places.T.tocsr()
        place_norm = _row_norms(places)
        problem_norm = np.sqrt(np.maximum(0.0, _row_norms(matrix) ** 2 - place_norm**2))
    rows: list[np.ndarray[Any, np.dtype[np.int64]]] = []
    cols: list[np.ndarray[Any, np.dtype[np.int64]]] = []
    sims: list[np.ndarray[Any, np.dtype[np.float32]]] = []
    for start in range(0, n, block):
        product = (matrix[start : start + block] @ transposed).tocsr()
        product.data[product.data < edge_threshold] = 0
        product.eliminate_zeros()
        product.sort_indices()
        if gate:
            place_product = (places[start : start + block] @ places_t).tocsr()
            place_product.sort_indices()
        for local in range(product.shape[0]):
            i = start + local
            lo, hi = product.indptr[local], product.indptr[local + 1]
            if lo == hi:
                continue
            idx = product.indices[lo:hi].astype(np.int64)
            val = product.data[lo:hi]
            keep = idx != i
            idx, val = idx[keep], val[keep]
            if gate and len(idx):
                keep = _gate(i, idx, val, place_product, local, place_norm, problem_norm, place_min, problem_min)
                idx, val = idx[keep], val[keep]
                if not len(idx):
                    continue
            if len(idx) > max_neighbors:
                top = np.argpartition(-val, max_neighbors)[:max_neighbors]
                idx, val = idx[top], val[top]
            rows.append(np.minimum(idx, i))
            cols.append(np.maximum(idx, i))
            sims.append(val.astype(np.float32))
    if not rows:
        empty = np.zeros(0, dtype=np.int64)
        return Graph(n, empty, empty, np.zeros(0, dtype=np.float32))
    r, c, s = np.concatenate(rows), np.concatenate(cols), np.concatenate(sims)
    # Each pair may be found from both ends; keep it once.
    key = r * n + c
    _, first = np.unique(key, return_index=True)
    return Graph(n, r[first], c[first], s[first])


def _gate(i: int, idx: np.ndarray[Any, np.dtype[np.int64]], val: np.ndarray[Any, Any], place_product: Any,
          local: int, place_norm: np.ndarray[Any, np.dtype[np.float64]],
          problem_norm: np.ndarray[Any, np.dtype[np.float64]], place_min: float,
          problem_min: float) -> np.ndarray[Any, np.dtype[np.bool_]]:
    """Return which candidate edges of row ``i`` pass the place-and-problem gate (see the module docstring)."""
    lo, hi = place_product.indptr[local], place_product.indptr[local + 1]
    p_idx, p_val = place_product.indices[lo:hi], place_product.data[lo:hi]
    place_dot = np.zeros(len(idx))
    if len(p_idx):
        pos = np.searchsorted(p_idx, idx)
        pos = np.minimum(pos, len(p_idx) - 1)
        hit = p_idx[pos] == idx
        place_dot[hit] = p_val[pos[hit]]
    problem_dot = val - place_dot
    with np.errstate(divide="ignore", invalid="ignore"):
        problem_cos = np.where(problem_norm[idx] * problem_norm[i] > 0,
                               problem_dot / (problem_norm[idx] * problem_norm[i]), 0.0)
        place_cos = np.where(place_norm[idx] * place_norm[i] > 0,
                             place_dot / (place_norm[idx] * place_norm[i]), 0.0)
    both_placed = (place_norm[idx] > 0) & (place_norm[i] > 0)
    ok: np.ndarray[Any, np.dtype[np.bool_]] = (problem_cos >= problem_min) & (~both_placed | (place_cos >= place_min))
    return ok


def average_linkage(graph: Graph, *, link_threshold: float = LINK_THRESHOLD) -> np.ndarray[Any, np.dtype[np.int64]]:
    """Return a cluster label per node: greedy average linkage over ``graph`` (see the module docstring).

    Labels are ``0 … k-1`` in order of first appearance; a node with no close neighbour is a cluster of its own.
    """
    n = graph.n
    size = [1] * n
    parent = list(range(n))
    version = [0] * n
    adjacency: list[dict[int, float]] = [{} for _ in range(n)]
    for a, b, s in zip(graph.rows.tolist(), graph.cols.tolist(), graph.sims.tolist(), strict=True):
        adjacency[a][b] = adjacency[a].get(b, 0.0) + s
        adjacency[b][a] = adjacency[b].get(a, 0.0) + s
    heap: list[tuple[float, int, int, int, int]] = [
        (-s, a, b, 0, 0) for a, b, s in zip(graph.rows.tolist(), graph.cols.tolist(), graph.sims.tolist(), strict=True)
        if s >= link_threshold
    ]
    heapq.heapify(heap)
    while heap:
        neg, a, b, va, vb = heapq.heappop(heap)
        if parent[a] != a or parent[b] != b or version[a] != va or version[b] != vb:
            continue
        if len(adjacency[a]) < len(adjacency[b]):
            a, b = b, a
        parent[b] = a
        size[a] += size[b]
        version[a] += 1
        merged = adjacency[a]
        merged.pop(b, None)
        for k, s in adjacency[b].items():
            if k == a:
                continue
            merged[k] = merged.get(k, 0.0) + s
            other = adjacency[k]
            other.pop(b, None)
            other[a] = merged[k]
        adjacency[b] = {}
        for k, s in merged.items():
            link = s / (size[a] * size[k])
            if link >= link_threshold:
                lo, hi = (a, k) if a < k else (k, a)
                heapq.heappush(heap, (-link, lo, hi, version[lo], version[hi]))
    labels = np.empty(n, dtype=np.int64)
    seen: dict[int, int] = {}
    for i in range(n):
        root = i
        while parent[root] != root:
            root = parent[root]
        labels[i] = seen.setdefault(root, len(seen))
    return labels


def centroids(labels: np.ndarray[Any, np.dtype[np.int64]], matrix: Any) -> Any:
    """Return the L2-normalised mean vector of each label's rows (CSR, one row per label ``0 … max``)."""
    k = int(labels.max()) + 1 if len(labels) else 0
    indicator = sp.csr_matrix((np.ones(len(labels), dtype=np.float32), (labels, np.arange(len(labels)))),
                              shape=(k, len(labels)))
    sums = (indicator @ matrix).tocsr()
    norms = np.sqrt(np.asarray(sums.multiply(sums).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.diags(1.0 / norms) @ sums


def merge_close(labels: np.ndarray[Any, np.dtype[np.int64]], matrix: Any, *,
                place_columns: np.ndarray[Any, np.dtype[np.bool_]] | None = None,
                threshold: float = MERGE_THRESHOLD,
                problem_min: float = MERGE_PROBLEM_MIN) -> np.ndarray[Any, np.dtype[np.int64]]:
    """Return ``labels`` with clusters of two or more merged when their centroids are close.

    Average linkage splits a big issue whose messages are each only moderately alike (the estate's residents write
    about the same mixing plant in different words). Clusters are merged by average linkage over their centroid
    graph — cosine ≥ ``threshold`` and the place-and-problem gate with the stricter ``problem_min`` (a centroid
    mixes many words, so sharing a few is cheap) — so the halves of one issue come together while different issues
    at one place stay apart.
    """
    counts = np.bincount(labels)
    multi = np.flatnonzero(counts >= 2)
    if len(multi) < 2:
        return labels
    remap = np.full(len(counts), -1, dtype=np.int64)
    remap[multi] = np.arange(len(multi))
    members = remap[labels] >= 0
    centres = centroids(remap[labels][members], matrix[np.flatnonzero(members)])
    graph = similarity_graph(centres, place_columns=place_columns, edge_threshold=threshold, problem_min=problem_min)
    merged = average_linkage(graph, link_threshold=threshold)
    out = labels.copy()
    new_label = {int(old): int(multi[merged[idx]]) for idx, old in enumerate(multi)}
    for i in np.flatnonzero(members):
        out[i] = new_label[int(labels[i])]
    _, relabelled = np.unique(out, return_inverse=True)
    result: np.ndarray[Any, np.dtype[np.int64]] = relabelled.astype(np.int64)
    return result
