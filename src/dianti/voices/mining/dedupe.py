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


def similarity(a: Signature, b: Signature) -> float:
    """Return the MinHash estimate of the Jaccard similarity of the texts behind two signatures."""
    return float(np.mean(a == b))


def _band_keys(sig: Signature) -> list[bytes]:
    rows = NUM_PERM // BANDS
    raw = sig.tobytes()
    return [bytes([band]) + raw[band * rows * 4 : (band + 1) * rows * 4] for band in range(BANDS)]


@dataclass
class DuplicateIndex:
    """An LSH index of signatures; :meth:`add` returns the position of an earlier near-duplicate, if any."""

    threshold: float = THRESHOLD
    signatures: list[Signature] = field(default_factory=list)
    buckets: dict[bytes, list[int]] = field(default_factory=dict)

    def query(self, sig: Signature) -> int | None:
        """Return the position of the most similar indexed near-duplicate of ``sig`` (None if there is none)."""
        candidates: set[int] = set()
        for key in _band_keys(sig):
            candidates.update(self.buckets.get(key, ()))
        if not candidates:
            return None
        positions = sorted(candidates)
        sims = (np.stack([self.signatures[p] for p in positions]) == sig).mean(axis=1)
        best = int(np.argmax(sims))
        return positions[best] if sims[best] >= self.threshold else None

    def add(self, text: str) -> int | None:
        """Index normalised ``text``; return the position of an earlier near-duplicate of it, or None."""
        sig = signature(text)
        found = self.query(sig)
        pos = len(self.signatures)
        self.signatures.append(sig)
        for key in _band_keys(sig):
            # A bucket's first members are enough to find a duplicate: a cluster of copies is linked through them.
            bucket = self.buckets.setdefault(key, [])
            if len(bucket) < 8:
                bucket.append(pos)
        return found


def near_duplicates(texts: Iterable[str], *, threshold: float = THRESHOLD) -> list[int]:
    """Return, for each normalised text, the position of the first text of its near-duplicate group (itself if none).

    Groups are closed transitively through the first earlier near-duplicate found, so copies of copies share one
    original.
    """
    index = DuplicateIndex(threshold)
    original: list[int] = []
    for pos, text in enumerate(texts):
        found = index.add(text)
        original.append(pos if found is None else original[found])
    return original


def duplicate_groups(originals: Sequence[int]) -> list[list[int]]:
    """Return the groups of two or more positions that share an original, from :func:`near_duplicates`'s output."""
    groups: dict[int, list[int]] = {}
    for pos, first in enumerate(originals):
        groups.setdefault(first, []).append(pos)
    return [members for members in groups.values() if len(members) > 1]
