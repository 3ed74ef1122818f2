"""Cluster opinion vectors into topics: sparse neighbour search, then average linkage on the similarity graph.

1. :func:`similarity_graph` multiplies the L2-normalised rows block by block (``X[a:b] @ X.T``, over the columns
   that are not everyday words) to find candidate pairs, computes their exact cosine, and keeps the pairs with
   cosine ≥ ``edge_threshold`` — each among the ``max_neighbors`` closest of one of its ends. Memory is bounded by
   the block size and the kept edges — never an n × n matrix.

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

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from . import linkage

EDGE_THRESHOLD = 0.12
LINK_THRESHOLD = 0.2
MAX_NEIGHBORS = 64
PLACE_MIN = 0.15
PROBLEM_MIN = 0.15
MERGE_THRESHOLD = 0.45
CANDIDATE_MAX_DF = 2000
CANDIDATE_MAX_SHARE = 0.02
CANDIDATES_PER_ROW = 256
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


def _pair_dots(matrix: Any, rows: np.ndarray[Any, np.dtype[np.int64]], cols: np.ndarray[Any, np.dtype[np.int64]],
               chunk: int = 200_000) -> np.ndarray[Any, np.dtype[np.float64]]:
    """Return the dot products of the row pairs ``(rows[k], cols[k])`` of the CSR ``matrix``, in bounded chunks."""
    out = np.empty(len(rows), dtype=np.float64)
    for lo in range(0, len(rows), chunk):
        r, c = rows[lo : lo + chunk], cols[lo : lo + chunk]
        out[lo : lo + chunk] = np.asarray(matrix[r].multiply(matrix[c]).sum(axis=1)).ravel()
    return out


def _keep_columns(matrix: Any, columns: np.ndarray[Any, np.dtype[np.bool_]]) -> Any:
    """Return the CSR ``matrix`` with every column not in ``columns`` emptied (same shape)."""
    kept = (matrix @ sp.diags(columns.astype(np.float32))).tocsr()
    kept.eliminate_zeros()
    return kept


class _CommonDots:
    """Dot products of row pairs over the few *common* columns left out of the candidate products: from a dense
    copy of those columns when they are few (a gather and a sum per pair), else from their sparse rows."""

    DENSE_MAX_COLUMNS = 64

    def __init__(self, matrix: Any, common: np.ndarray[Any, np.dtype[np.bool_]]) -> None:
        self.count = int(common.sum())
        self.dense = matrix[:, np.flatnonzero(common)].toarray() if 0 < self.count <= self.DENSE_MAX_COLUMNS else None
        self.sparse = _keep_columns(matrix, common) if self.count > self.DENSE_MAX_COLUMNS else None

    def __call__(self, rows: np.ndarray[Any, np.dtype[np.int64]], cols: np.ndarray[Any, np.dtype[np.int64]],
                 chunk: int = 200_000) -> np.ndarray[Any, np.dtype[np.float64]]:
        if self.sparse is not None:
            return _pair_dots(self.sparse, rows, cols, chunk)
        out = np.zeros(len(rows), dtype=np.float64)
        if self.dense is not None:
            for lo in range(0, len(rows), chunk):
                a, b = self.dense[rows[lo : lo + chunk]], self.dense[cols[lo : lo + chunk]]
                out[lo : lo + chunk] = np.einsum("ij,ij->i", a, b, dtype=np.float64)
        return out


def _best_per_row(r: np.ndarray[Any, np.dtype[np.int64]], c: np.ndarray[Any, np.dtype[np.int64]],
                  score: np.ndarray[Any, np.dtype[np.float32]], k: int, levels: int = 1024,
                  ) -> tuple[np.ndarray[Any, np.dtype[np.int64]], np.ndarray[Any, np.dtype[np.int64]],
                             np.ndarray[Any, np.dtype[np.float32]]]:
    """Keep, for each row of ``r``, its ``k`` pairs of highest ``score`` (ties: the lower column first), in their
    original order.

    No sort of all pairs: a histogram of each row's scores (``levels`` bins) tells which bin holds its k-th best;
    pairs in better bins are kept, in worse ones dropped, and only those in that one bin are sorted.
    """
    rows = r - r.min()
    counts = np.bincount(rows)
    heavy = (counts > k)[rows]
    if not heavy.any():
        return r, c, score
    n_rows = len(counts)
    rank_bin = levels - np.minimum((score.astype(np.float64) * levels).astype(np.int64), levels)  # 0 = best
    histogram = np.bincount(rows[heavy] * (levels + 1) + rank_bin[heavy], minlength=n_rows * (levels + 1))
    reached = np.cumsum(histogram.reshape(n_rows, levels + 1), axis=1) >= k
    boundary = np.argmax(reached, axis=1)  # the bin holding each heavy row's k-th best pair
    before = np.bincount(rows[heavy & (rank_bin < boundary[rows])], minlength=n_rows)
    keep = ~heavy | (rank_bin < boundary[rows])
    tied = np.flatnonzero(heavy & (rank_bin == boundary[rows]))
    order = tied[np.lexsort((c[tied], -score[tied], rows[tied]))]
    sorted_rows = rows[order]
    starts = np.flatnonzero(np.r_[True, sorted_rows[1:] != sorted_rows[:-1]])
    rank = np.arange(len(order)) - np.repeat(starts, np.diff(np.r_[starts, len(order)]))
    keep[order[rank < k - before[sorted_rows]]] = True
    return r[keep], c[keep], score[keep]


def _block_product(candidates: Any, transposed: Any, start: int, block: int) -> Any:
    """Return ``candidates[start : start + block] @ candidates[start:].T`` (CSR) from the transpose made once
    (each term's rows, in row order): its columns from ``start`` on are the same right-hand matrix as transposing
    the rows from there on, entry for entry, without a transpose per block."""
    return (candidates[start : start + block] @ transposed[:, start:]).tocsr()


def similarity_graph(matrix: Any, *, place_columns: np.ndarray[Any, np.dtype[np.bool_]] | None = None,
                     edge_threshold: float = EDGE_THRESHOLD, max_neighbors: int = MAX_NEIGHBORS,
                     place_min: float = PLACE_MIN, problem_min: float = PROBLEM_MIN, block: int = 2048,
                     max_df: int | None = None) -> Graph:
    """Return the cosine-similarity graph of the rows of the L2-normalised CSR ``matrix`` (see the module docstring).

    Candidate pairs come from the block products over the *uncommon* columns only — those in at most ``max_df``
    rows (default: the larger of ``CANDIDATE_MAX_DF`` and ``CANDIDATE_MAX_SHARE`` of the rows, so nothing is left
    out below a few thousand opinions) — keeping pairs whose similarity on those columns alone reaches half the
    edge threshold, at most ``CANDIDATES_PER_ROW`` per row (the highest); the exact cosine over all columns (that
    partial similarity plus the common columns' part) then decides. Common words have a low idf, so this loses
    almost nothing, and it keeps the work near-linear when 100,000 opinions share everyday words. Each block is
    multiplied only by the rows from its own start on, since each pair is kept once, from its smaller end.
    """
    n = matrix.shape[0]
    matrix = matrix.tocsr()
    document_frequency = np.bincount(matrix.indices, minlength=matrix.shape[1])
    cap = max_df if max_df is not None else max(CANDIDATE_MAX_DF, int(CANDIDATE_MAX_SHARE * n))
    common = document_frequency > cap
    candidates = _keep_columns(matrix, ~common) if common.any() else matrix
    common_dots = _CommonDots(matrix, common)
    common_norm = _row_norms(common_dots.sparse) if common_dots.sparse is not None else (
        np.sqrt(np.einsum("ij,ij->i", common_dots.dense, common_dots.dense, dtype=np.float64))
        if common_dots.dense is not None else np.zeros(n))
    gate = place_columns is not None and bool(place_columns.any())
    places = None
    if gate:
        places = _keep_columns(matrix, np.asarray(place_columns, dtype=bool))
        place_norm = _row_norms(places)
        problem_norm = np.sqrt(np.maximum(0.0, _row_norms(matrix) ** 2 - place_norm**2))
    found_rows: list[np.ndarray[Any, np.dtype[np.int64]]] = []
    found_cols: list[np.ndarray[Any, np.dtype[np.int64]]] = []
    found_sims: list[np.ndarray[Any, np.dtype[np.float64]]] = []
    transposed = candidates.T.tocsr()
    for start in range(0, n, block):
        product = _block_product(candidates, transposed, start, block)
        # Rows only of the few products that pass (most do not): no row index for every product.
        at = np.flatnonzero(product.data >= edge_threshold / 2)
        r = np.searchsorted(product.indptr, at, side="right").astype(np.int64) - 1
        c = product.indices[at].astype(np.int64)
        upper = r < c
        r, c, partial = r[upper] + start, c[upper] + start, product.data[at[upper]]
        del product, at, upper
        if not len(r):
            continue
        if np.bincount(r - start).max() > CANDIDATES_PER_ROW:
            # A row in a very large topic: score only its most promising candidates exactly.
            r, c, partial = _best_per_row(r, c, partial, CANDIDATES_PER_ROW)
        # The common columns add at most the product of the two rows' norms on them (Cauchy–Schwarz): pairs that
        # cannot reach the threshold even so are dropped before their common part is computed.
        full = partial.astype(np.float64)
        reachable = full + common_norm[r] * common_norm[c] >= edge_threshold
        r, c, full = r[reachable], c[reachable], full[reachable]
        full += common_dots(r, c)
        ok = full >= edge_threshold
        r, c, full = r[ok], c[ok], full[ok]
        if gate and len(r):
            place_dot = _pair_dots(places, r, c)
            with np.errstate(divide="ignore", invalid="ignore"):
                place_scale = place_norm[r] * place_norm[c]
                problem_scale = problem_norm[r] * problem_norm[c]
                place_cos = np.where(place_scale > 0, place_dot / place_scale, 0.0)
                problem_cos = np.where(problem_scale > 0, (full - place_dot) / problem_scale, 0.0)
            both_placed = place_scale > 0
            ok = (problem_cos >= problem_min) & (~both_placed | (place_cos >= place_min))
            r, c, full = r[ok], c[ok], full[ok]
        found_rows.append(r)
        found_cols.append(c)
        found_sims.append(full)
    if not found_rows:
        empty = np.zeros(0, dtype=np.int64)
        return Graph(n, empty, empty, np.zeros(0, dtype=np.float32))
    r, c, sim = np.concatenate(found_rows), np.concatenate(found_cols), np.concatenate(found_sims)
    r, c, sim = _limit_neighbors(r, c, sim, max_neighbors)
    return Graph(n, r, c, sim.astype(np.float32))


def _limit_neighbors(r: np.ndarray[Any, np.dtype[np.int64]], c: np.ndarray[Any, np.dtype[np.int64]],
                     sim: np.ndarray[Any, np.dtype[np.float64]], k: int,
                     ) -> tuple[np.ndarray[Any, np.dtype[np.int64]], np.ndarray[Any, np.dtype[np.int64]],
                                np.ndarray[Any, np.dtype[np.float64]]]:
    """Keep an edge if it is among the ``k`` most similar of either of its ends (bounds memory on huge topics).

    Each edge appears twice, once under each end; a few arrays of that length at a time (this runs at the miner's
    peak of memory)."""
    m = len(r)
    per_end = np.bincount(r, minlength=int(max(r.max(initial=0), c.max(initial=0))) + 1)
    per_end += np.bincount(c, minlength=len(per_end))
    if not m or per_end.max() <= k:
        return r, c, sim
    # Sorted by end, then by descending similarity (stable): one float key instead of a slower lexsort.
    key = np.concatenate([r, c]).astype(np.float64)
    key *= 4.0
    key[:m] += 2.0 - sim
    key[m:] += 2.0 - sim
    order = np.argsort(key, kind="stable")
    del key
    ends = np.where(order < m, r[order % m], c[order % m])
    first = np.cumsum(per_end) - per_end  # where each end's run starts in the sorted order
    best = np.arange(len(order)) - first[ends] < k
    del ends
    kept = np.zeros(m, dtype=bool)
    kept[order[best] % m] = True
    return r[kept], c[kept], sim[kept]


def average_linkage(graph: Graph, *, link_threshold: float = LINK_THRESHOLD) -> np.ndarray[Any, np.dtype[np.int64]]:
    """Return a cluster label per node: greedy average linkage over ``graph`` (see the module docstring and
    :mod:`.linkage`, which computes it).

    Labels are ``0 … k-1`` in order of first appearance; a node with no close neighbour is a cluster of its own.
    """
    return linkage.average_linkage(graph.n, graph.rows, graph.cols, graph.sims, link_threshold=link_threshold)


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
