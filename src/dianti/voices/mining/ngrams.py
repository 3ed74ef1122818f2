"""Character 1–2-gram counts of many texts against a fitted vocabulary, in a few numpy operations.

Contract of :func:`char_counts`: the same matrix as scikit-learn's
``CountVectorizer(analyzer="char", ngram_range=(1, 2), lowercase=False, dtype=dtype).transform(texts)`` — runs of
two or more whitespace characters become one space, then every character and every pair of neighbouring characters
of a text is counted if the vocabulary has it. scikit-learn does this in a Python loop over each n-gram, which is
most of the cost of classifying 100,000 opinions; here each n-gram is a 64-bit key (the characters' code points)
looked up by binary search in the vocabulary's sorted keys.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

_WHITE_SPACES = re.compile(r"\s\s+")  # scikit-learn's own rule for character n-grams
_PAIR = np.int64(1) << np.int64(42)  # marks a pair's key, so no pair can equal a single character's


@dataclass(frozen=True)
class CharVocabulary:
    """The keys of a character 1–2-gram vocabulary, sorted, and the column of each."""

    keys: np.ndarray[Any, np.dtype[np.int64]]
    columns: np.ndarray[Any, np.dtype[np.int64]]
    size: int

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
    pair_keys = _PAIR | (codes[starts] << 21) | codes[starts + 1]
    keys = np.concatenate([codes, pair_keys])
    rows = np.concatenate([owner, owner[starts]])
    found = np.searchsorted(vocabulary.keys, keys)
    found[found == len(vocabulary.keys)] = 0
    known = vocabulary.keys[found] == keys if len(vocabulary.keys) else np.zeros(len(keys), dtype=bool)
    # One sort of (text, column) keys gives each text's columns in order with their counts: the CSR arrays.
    cells, counts = np.unique(rows[known] * vocabulary.size + vocabulary.columns[found[known]], return_counts=True)
    text_of = cells // max(1, vocabulary.size)
    indptr = np.concatenate([[0], np.cumsum(np.bincount(text_of, minlength=len(texts)))])
    return sp.csr_matrix((counts.astype(dtype), (cells - text_of * vocabulary.size).astype(np.int32), indptr),
                         shape=(len(texts), vocabulary.size))
