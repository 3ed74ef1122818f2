"""Near-duplicate detection: MinHash signatures of character shingles, banded into an LSH index.

Contract: two texts whose sets of ``SHINGLE``-character shingles (of their normalised form, punctuation and spaces
removed) have a Jaccard similarity of at least ``threshold`` are reported as near-duplicates with high probability;
texts below about 0.4 almost never are. Work and memory grow linearly with the number of texts: each text gets a
``NUM_PERM``-value signature, split into ``BANDS`` bands; texts sharing a band's values are candidates, and a
candidate is confirmed when the fraction of equal signature values (the MinHash estimate of Jaccard) reaches the
threshold. Hashing is deterministic (no use of Python's salted ``hash``), so signatures can be stored and compared
across processes — :class:`DuplicateIndex` does that for opinions arriving one by one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

SHINGLE = 3
NUM_PERM = 32
BANDS = 8
BUCKET_SIZE = 8  # a batch index keeps the first rows of each band key: enough to find the next copy of a text
MAX_CHARS = 400
THRESHOLD = 0.7
_SKIP = re.compile(r"[\W_]+", re.UNICODE)
_rng = np.random.default_rng(20210113)
_A = (_rng.integers(1, 2**63, NUM_PERM, dtype=np.uint64) | np.uint64(1)).reshape(-1, 1)
_B = _rng.integers(0, 2**63, NUM_PERM, dtype=np.uint64).reshape(-1, 1)
_K = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9], dtype=np.uint64)

Signature = np.ndarray[Any, np.dtype[np.uint32]]


def signature(text: str) -> Signature:
    """Return the MinHash signature (``NUM_PERM`` uint32 values) of normalised ``text``."""
    compact = _SKIP.sub("", text)[:MAX_CHARS]
    if not compact:
        return np.full(NUM_PERM, 0xFFFFFFFF, dtype=np.uint32)
    codes = np.frombuffer(compact.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    if len(codes) < SHINGLE:
        codes = np.concatenate([codes, np.zeros(SHINGLE - len(codes), dtype=np.uint64)])
    with np.errstate(over="ignore"):
        shingles = codes[:-2] * _K[0] ^ codes[1:-1] * _K[1] ^ codes[2:] * _K[2]
        hashed = (_A * shingles + _B) >> np.uint64(32)
    result: Signature = hashed.min(axis=1).astype(np.uint32)
    return result


def signatures(texts: Sequence[str], chunk: int = 1 << 14) -> np.ndarray[Any, np.dtype[np.uint32]]:
    """Return the :func:`signature` of each normalised text, one row each: the same values, computed for many
    texts at once (about ``chunk`` shingles at a time)."""
    out = np.full((len(texts), NUM_PERM), 0xFFFFFFFF, dtype=np.uint32)
    compact = [_SKIP.sub("", t)[:MAX_CHARS] for t in texts]
    # A text shorter than a shingle is padded with code 0 (never a character left in a compact text).
    padded = [c + "\0" * (SHINGLE - len(c)) if c and len(c) < SHINGLE else c for c in compact]
    lengths = np.array([len(c) for c in padded], dtype=np.int64)
    nonempty = np.flatnonzero(lengths)
    ends = np.cumsum(lengths[nonempty] - SHINGLE + 1)  # shingles of the non-empty texts, end positions
    lo = 0
    while lo < len(nonempty):
        hi = int(np.searchsorted(ends, (ends[lo - 1] if lo else 0) + chunk, side="right"))
        hi = max(hi, lo + 1)
        part = nonempty[lo:hi]
        codes = np.frombuffer("".join(padded[i] for i in part).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        starts = np.concatenate([[0], np.cumsum(lengths[part])[:-1]])
        # A shingle starts at every position but a text's last two.
        first = np.ones(len(codes), dtype=bool)
        first[np.concatenate([starts + lengths[part] - 1, starts + lengths[part] - 2])] = False
        at = np.flatnonzero(first)
        with np.errstate(over="ignore"):
            shingles = codes[at] * _K[0] ^ codes[at + 1] * _K[1] ^ codes[at + 2] * _K[2]
            hashed = _A * shingles
            hashed += _B
        hashed >>= np.uint64(32)
        offsets = np.concatenate([[0], np.cumsum(lengths[part] - SHINGLE + 1)[:-1]])
        out[part] = np.minimum.reduceat(hashed, offsets, axis=1).T.astype(np.uint32)
        lo = hi
    return out


def band_keys(sigs: np.ndarray[Any, np.dtype[np.uint32]]) -> np.ndarray[Any, np.dtype[np.uint64]]:
    """Return the band keys of each row of ``sigs`` (as :func:`_bands` of each)."""
    rows = sigs.reshape(len(sigs), BANDS, NUM_PERM // BANDS).astype(np.uint64)
    keys = np.zeros((len(sigs), BANDS), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for column in range(rows.shape[2]):
            keys = (keys * np.uint64(0x100000001B3)) ^ rows[:, :, column]
    return keys


def similarity(a: Signature, b: Signature) -> float:
    """Return the MinHash estimate of the Jaccard similarity of the texts behind two signatures."""
    return float(np.mean(a == b))


def _bands(sig: Signature) -> np.ndarray[Any, np.dtype[np.uint64]]:
    """Return one 64-bit key per band of ``sig`` (the band's values folded by multiply-xor)."""
    rows = sig.reshape(BANDS, NUM_PERM // BANDS).astype(np.uint64)
    keys = np.zeros(BANDS, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for column in range(rows.shape[1]):
            keys = (keys * np.uint64(0x100000001B3)) ^ rows[:, column]
    return keys


@dataclass
class DuplicateIndex:
    """An LSH index of signatures; :meth:`add` returns the position of an earlier near-duplicate, if any.

    Signatures and band keys live in two growing numpy arrays, so the index pickles in milliseconds. A query is one
    vectorised comparison of its band keys against every stored row (about a millisecond for 100,000 rows), or, for
    an index made with ``batch=True`` (many additions in one go), a look-up in hash buckets that are not stored.
    """

    threshold: float = THRESHOLD
    size: int = 0
    signatures: np.ndarray[Any, np.dtype[np.uint32]] = field(
        default_factory=lambda: np.zeros((0, NUM_PERM), dtype=np.uint32))
    bands: np.ndarray[Any, np.dtype[np.uint64]] = field(
        default_factory=lambda: np.zeros((0, BANDS), dtype=np.uint64))
    batch: bool = False
    _buckets: dict[tuple[int, int], list[int]] | None = None

    def __post_init__(self) -> None:
        if self.batch:
            self._buckets = {}

    def _candidates(self, keys: np.ndarray[Any, np.dtype[np.uint64]]) -> np.ndarray[Any, np.dtype[np.int64]]:
        if self._buckets is None:
            return np.flatnonzero((self.bands[: self.size] == keys).any(axis=1))
        found: set[int] = set()
        for band, key in enumerate(keys.tolist()):
            found.update(self._buckets.get((band, key), ()))
        return np.array(sorted(found), dtype=np.int64)

    def query(self, sig: Signature) -> int | None:
        """Return the position of the most similar indexed near-duplicate of ``sig`` (None if there is none)."""
        if not self.size:
            return None
        candidates = self._candidates(_bands(sig))
        if not len(candidates):
            return None
        sims = (self.signatures[candidates] == sig).mean(axis=1)
        best = int(np.argmax(sims))
        return int(candidates[best]) if sims[best] >= self.threshold else None

    def add(self, text: str) -> int | None:
        """Index normalised ``text``; return the position of an earlier near-duplicate of it, or None."""
        sig = signature(text)
        found = self.query(sig)
        if self.size == len(self.signatures):
            grow = max(64, self.size)
            self.signatures = np.concatenate([self.signatures, np.zeros((grow, NUM_PERM), dtype=np.uint32)])
            self.bands = np.concatenate([self.bands, np.zeros((grow, BANDS), dtype=np.uint64)])
        keys = _bands(sig)
        self.signatures[self.size] = sig
        self.bands[self.size] = keys
        if self._buckets is not None:
            for band, key in enumerate(keys.tolist()):
                bucket = self._buckets.setdefault((band, key), [])
                if len(bucket) < BUCKET_SIZE:
                    bucket.append(self.size)
        self.size += 1
        return found

    @classmethod
    def of_texts(cls, texts: Sequence[str], threshold: float = THRESHOLD,
                 ) -> tuple[DuplicateIndex, np.ndarray[Any, np.dtype[np.int64]]]:
        """Return the index of normalised ``texts`` and, for each, what :meth:`add` would have returned had they
        been added one by one to an empty ``batch`` index (-1 for None) — computed for all texts at once."""
        sigs = signatures(texts)
        keys = band_keys(sigs)
        return cls(threshold, len(texts), sigs, keys), earlier_duplicates(sigs, keys, threshold)

    def __getstate__(self) -> dict[str, Any]:
        return {"threshold": self.threshold, "size": self.size, "signatures": self.signatures[: self.size].copy(),
                "bands": self.bands[: self.size].copy(), "batch": False, "_buckets": None}


def earlier_duplicates(sigs: np.ndarray[Any, np.dtype[np.uint32]], bands: np.ndarray[Any, np.dtype[np.uint64]],
                       threshold: float = THRESHOLD, chunk: int = 1 << 20) -> np.ndarray[Any, np.dtype[np.int64]]:
    """Return, for each row, what :meth:`DuplicateIndex.add` returns when the rows are added in order to an empty
    ``batch`` index: the most similar earlier row (ties: the first) among the first ``BUCKET_SIZE`` rows with one
    of its band keys, if that similarity reaches ``threshold``; else -1. All rows at once, in numpy."""
    n = len(sigs)
    found = np.full(n, -1, dtype=np.int64)
    if n < 2:
        return found
    queries: list[np.ndarray[Any, np.dtype[np.int64]]] = []
    candidates: list[np.ndarray[Any, np.dtype[np.int64]]] = []
    for band in range(BANDS):
        order = np.argsort(bands[:, band], kind="stable")  # rows with one key together, in their order
        keys = bands[order, band]
        group_start = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
        sizes = np.diff(np.r_[group_start, n])
        rank = np.arange(n) - np.repeat(group_start, sizes)
        start_of = np.repeat(group_start, sizes)
        # Row at rank r of its group meets the group's first min(r, BUCKET_SIZE) rows: those its bucket holds.
        for k in range(BUCKET_SIZE):
            later = np.flatnonzero(rank > k)
            queries.append(order[later])
            candidates.append(order[start_of[later] + k])
    query, candidate = np.concatenate(queries), np.concatenate(candidates)
    pair = np.unique(query * n + candidate)  # sorted by query, then candidate
    if not len(pair):
        return found
    query, candidate = pair // n, pair % n
    sims = np.empty(len(pair), dtype=np.float64)
    for lo in range(0, len(pair), chunk):
        q, c = query[lo : lo + chunk], candidate[lo : lo + chunk]
        sims[lo : lo + chunk] = (sigs[q] == sigs[c]).mean(axis=1)
    # Best per query: highest similarity, then the lowest candidate (the order is stable on the sorted pairs).
    order = np.lexsort((-sims, query))
    first = order[np.r_[True, query[order][1:] != query[order][:-1]]]
    good = first[sims[first] >= threshold]
    found[query[good]] = candidate[good]
    return found


def near_duplicates(texts: Iterable[str], *, threshold: float = THRESHOLD) -> list[int]:
    """Return, for each normalised text, the position of the first text of its near-duplicate group (itself if none).

    Groups are closed transitively through the first earlier near-duplicate found, so copies of copies share one
    original.
    """
    _index, found = DuplicateIndex.of_texts(list(texts), threshold)
    original: list[int] = []
    for pos, earlier in enumerate(found.tolist()):
        original.append(pos if earlier < 0 else original[earlier])
    return original


def duplicate_groups(originals: Sequence[int]) -> list[list[int]]:
    """Return the groups of two or more positions that share an original, from :func:`near_duplicates`'s output."""
    groups: dict[int, list[int]] = {}
    for pos, first in enumerate(originals):
        groups.setdefault(first, []).append(pos)
    return [members for members in groups.values() if len(members) > 1]
