"""Character 1–2-gram counts of many texts against a fitted vocabulary, in a few numpy operations.

Contract of :func:`char_counts`: the same matrix as scikit-learn's
``CountVectorizer(analyzer="char", ngram_range=(1, 2), lowercase=False, dtype=dtype).transform(texts)`` — runs of
two or more whitespace characters become one space, then every character and every pair of neighbouring characters
of a text is counted if the vocabulary has it. scikit-learn does this in a Python loop over each n-gram, which is
most of the cost of classifying 100,000 opinions; here each n-gram is a 64-bit key (the characters' code points)
looked up by indexing dense tables (:class:`_Lookup`), all n-grams of a batch at once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

_WHITE_SPACES = re.compile(r"\s\s+")  # scikit-learn's own rule for character n-grams
_PAIR = np.int64(1) << np.int64(42)  # marks a pair's key, so no pair can equal a single character's
PAIR_TABLE_MAX = 1 << 24  # cells of the dense pair table (int32): 64 MB at most, else binary search


class _Lookup:
    """Column of each character and pair of a vocabulary by array indexing: a dense table over code points for
    characters, and a dense table over (first, second) for pairs, both characters numbered among those that
    start or end a pair of the vocabulary. Made on first use, never stored."""

    def __init__(self, vocabulary: CharVocabulary) -> None:
        is_pair = (vocabulary.keys & _PAIR) != 0
        singles, pairs = vocabulary.keys[~is_pair], vocabulary.keys[is_pair] & ~_PAIR
        top = int(max(singles.max(initial=0), (pairs >> 21).max(initial=0), (pairs & 0x1FFFFF).max(initial=0))) + 1
        self.single = np.full(top, -1, dtype=np.int32)
        self.single[singles] = vocabulary.columns[~is_pair]
        firsts, seconds = np.unique(pairs >> 21), np.unique(pairs & 0x1FFFFF)
        self.first = np.full(top, -1, dtype=np.int32)
        self.first[firsts] = np.arange(len(firsts))
        self.second = np.full(top, -1, dtype=np.int32)
        self.second[seconds] = np.arange(len(seconds))
        self.width = len(seconds)
        self.dense = len(firsts) * len(seconds) <= PAIR_TABLE_MAX
        if self.dense:
            self.pair = np.full(len(firsts) * len(seconds), -1, dtype=np.int32)
            self.pair[self.first[pairs >> 21].astype(np.int64) * self.width + self.second[pairs & 0x1FFFFF]] = (
                vocabulary.columns[is_pair])
        self.vocabulary = vocabulary

    def _at(self, table: np.ndarray[Any, np.dtype[np.int32]], codes: np.ndarray[Any, np.dtype[np.int64]],
            ) -> np.ndarray[Any, np.dtype[np.int32]]:
        inside = codes < len(table)
        found: np.ndarray[Any, np.dtype[np.int32]] = table[np.where(inside, codes, 0)]
        found[~inside] = -1
        return found

    def singles(self, codes: np.ndarray[Any, np.dtype[np.int64]]) -> np.ndarray[Any, np.dtype[np.int32]]:
        """Return the column of each character code, -1 for none."""
        return self._at(self.single, codes)

    def pairs(self, first: np.ndarray[Any, np.dtype[np.int64]], second: np.ndarray[Any, np.dtype[np.int64]],
              ) -> np.ndarray[Any, np.dtype[np.int32]]:
        """Return the column of each pair ``(first[k], second[k])`` of character codes, -1 for none."""
        a, b = self._at(self.first, first), self._at(self.second, second)
        both = (a >= 0) & (b >= 0)
        found = np.full(len(first), -1, dtype=np.int32)
        if self.dense:
            found[both] = self.pair[a[both].astype(np.int64) * self.width + b[both]]
            return found
        keys = _PAIR | (first[both] << 21) | second[both]
        at = np.minimum(np.searchsorted(self.vocabulary.keys, keys), len(self.vocabulary.keys) - 1)
        found[both] = np.where(self.vocabulary.keys[at] == keys, self.vocabulary.columns[at], -1)
        return found


@dataclass(frozen=True)
class CharVocabulary:
    """The keys of a character 1–2-gram vocabulary, sorted, and the column of each."""

    keys: np.ndarray[Any, np.dtype[np.int64]]
    columns: np.ndarray[Any, np.dtype[np.int64]]
    size: int
    _lookup: _Lookup | None = field(default=None, compare=False, repr=False)

    def lookup(self) -> _Lookup:
        """Return the array lookup of the keys (made on first use, not stored)."""
        lookup = getattr(self, "_lookup", None)
        if lookup is None:
            lookup = _Lookup(self)
            object.__setattr__(self, "_lookup", lookup)
        return lookup

    def __getstate__(self) -> dict[str, Any]:
        return {"keys": self.keys, "columns": self.columns, "size": self.size, "_lookup": None}

    @classmethod
    def of(cls, vocabulary: Mapping[str, int]) -> CharVocabulary:
        """Return the lookup of a fitted vocabulary (n-gram → column); longer n-grams are not counted."""
        grams = [(g, j) for g, j in vocabulary.items() if 1 <= len(g) <= 2]
        keys = np.array([ord(g) if len(g) == 1 else _PAIR | (ord(g[0]) << 21) | ord(g[1]) for g, _ in grams],
                        dtype=np.int64)
        order = np.argsort(keys)
        columns = np.array([j for _, j in grams], dtype=np.int64)
        return cls(keys[order], columns[order], len(vocabulary))


def char_counts(texts: Sequence[str], vocabulary: CharVocabulary, dtype: Any = np.float32) -> Any:
    """Return the CSR matrix of character 1- and 2-gram counts of ``texts`` (see the module docstring)."""
    texts = [_WHITE_SPACES.sub(" ", t) for t in texts]
    lengths = np.array([len(t) for t in texts], dtype=np.int64)
    codes = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    owner = np.repeat(np.arange(len(texts)), lengths)
    # A pair starts at every position but the last of its text.
    last = np.cumsum(lengths) - 1
    paired = np.ones(len(codes), dtype=bool)
    paired[last[lengths > 0]] = False
    starts = np.flatnonzero(paired)
    lookup = vocabulary.lookup()
    columns = np.concatenate([lookup.singles(codes), lookup.pairs(codes[starts], codes[starts + 1])])
    rows = np.concatenate([owner, owner[starts]])
    known = columns >= 0
    # Grouped by text (a counting sort), then each text's columns sorted with repeats added up: the CSR arrays.
    counts = sp.csr_matrix((np.ones(int(known.sum()), dtype=dtype), (rows[known], columns[known])),
                           shape=(len(texts), vocabulary.size))
    counts.sum_duplicates()
    return counts
