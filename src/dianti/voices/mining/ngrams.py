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

    def release(self) -> None:
        """Let the lookup's tables go (tens of megabytes); :meth:`lookup` makes them again when next asked."""
        object.__setattr__(self, "_lookup", None)

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
    return count_matrix(rows, columns, (len(texts), vocabulary.size), dtype)


def count_matrix(rows: np.ndarray[Any, np.dtype[Any]], columns: np.ndarray[Any, np.dtype[Any]],
                 shape: tuple[int, int], dtype: Any) -> Any:
    """Return the CSR matrix that counts each ``(rows[k], columns[k])`` (a negative column counts nothing), in
    canonical form: each row's columns ascending, once each — what scikit-learn's vectorizers return."""
    # One sort of the cells' numbers (row · width + column): several times faster than scipy's sum_duplicates,
    # which sorts row by row.
    width = max(shape[1], 1)
    keys = rows * np.int64(width) + columns
    keys = keys[columns >= 0]
    keys.sort()
    new = np.empty(len(keys), dtype=bool)
    new[:1] = True
    np.not_equal(keys[1:], keys[:-1], out=new[1:])
    heads = np.flatnonzero(new)
    counts = np.diff(heads, append=len(keys))
    cells = keys[heads]
    at_row = cells // width
    indptr = np.zeros(shape[0] + 1, dtype=np.int64)
    np.cumsum(np.bincount(at_row, minlength=shape[0]), out=indptr[1:])
    return sp.csr_matrix((counts.astype(dtype), (cells - at_row * width).astype(np.int32), indptr), shape=shape)


def _stream(texts: Sequence[str]) -> tuple[np.ndarray[Any, np.dtype[np.int64]], np.ndarray[Any, np.dtype[np.int64]]]:
    """Return the key of every n-gram of ``texts`` in scikit-learn's order of reading — each text's characters,
    then its pairs of neighbours (white space runs made one space, as in :func:`char_counts`) — and the text of
    each."""
    texts = [_WHITE_SPACES.sub(" ", t) for t in texts]
    lengths = np.array([len(t) for t in texts], dtype=np.int64)
    codes = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    owner = np.repeat(np.arange(len(texts)), lengths)
    pairs = np.maximum(lengths - 1, 0)
    begins = np.cumsum(lengths) - lengths  # each text's first character
    opens = np.cumsum(lengths + pairs) - lengths - pairs  # each text's first n-gram in the stream
    paired = np.ones(len(codes), dtype=bool)
    paired[(begins + lengths - 1)[lengths > 0]] = False
    starts = np.flatnonzero(paired)
    keys = np.empty(len(codes) + len(starts), dtype=np.int64)
    texts_of = np.empty(len(keys), dtype=np.int64)
    at = np.arange(len(codes)) - begins[owner] + opens[owner]
    keys[at], texts_of[at] = codes, owner
    at = starts - begins[owner[starts]] + opens[owner[starts]] + lengths[owner[starts]]
    keys[at], texts_of[at] = _PAIR | (codes[starts] << 21) | codes[starts + 1], owner[starts]
    return keys, texts_of


def _supported(vectorizer: Any) -> bool:
    """Return True when :func:`fit_char_tfidf` computes exactly what ``vectorizer.fit_transform`` would."""
    return (vectorizer.analyzer == "char" and tuple(vectorizer.ngram_range) == (1, 2) and not vectorizer.lowercase
            and vectorizer.input == "content" and vectorizer.preprocessor is None and vectorizer.strip_accents is None
            and vectorizer.vocabulary is None and vectorizer.max_features is None and not vectorizer.binary
            and isinstance(vectorizer.min_df, int) and vectorizer.max_df == 1.0 and vectorizer.decode_error == "strict")


def _strings(grams: np.ndarray[Any, np.dtype[np.int64]]) -> list[str]:
    """Return the n-gram of each key."""
    is_pair = (grams & _PAIR) != 0
    out = np.empty(len(grams), dtype=object)
    singles = np.frombuffer(grams[~is_pair].astype(np.uint32).tobytes(), dtype=np.uint32)
    out[~is_pair] = list(singles.tobytes().decode("utf-32-le"))
    pairs = grams[is_pair] & ~_PAIR
    both = np.column_stack([pairs >> 21, pairs & 0x1FFFFF]).astype(np.uint32).tobytes().decode("utf-32-le")
    out[is_pair] = [both[k : k + 2] for k in range(0, len(both), 2)]
    strings: list[str] = out.tolist()
    return strings


def fit_char_tfidf(vectorizer: Any, texts: Sequence[str]) -> Any:
    """Return ``vectorizer.fit_transform(texts)`` of a scikit-learn ``TfidfVectorizer(analyzer="char",
    ngram_range=(1, 2), lowercase=False, …)`` and leave it fitted as that would — the same vocabulary (the n-grams
    in at least ``min_df`` texts, in string order), idf and matrix, down to the order of each row's entries — with
    the n-grams counted by numpy. Other settings go to scikit-learn's own ``fit_transform``.
    """
    from sklearn.feature_extraction.text import TfidfTransformer

    if not _supported(vectorizer) or not texts:
        return vectorizer.fit_transform(texts)
    keys, owner = _stream(texts)
    if not len(keys) or len(keys) >= 1 << 32:
        return vectorizer.fit_transform(texts)
    grams, ids = np.unique(keys, return_inverse=True)
    at = (ids.astype(np.int64) << 32) | np.arange(len(keys))
    at.sort()  # by n-gram, then where it was read
    ids, at = at >> 32, at & 0xFFFFFFFF
    found_in = owner[at]
    new_gram = np.ones(len(at), dtype=bool)
    new_gram[1:] = ids[1:] != ids[:-1]
    first_seen = at[new_gram]  # scikit-learn numbers the n-grams in the order it first meets them
    run = new_gram.copy()  # one n-gram in one text
    run[1:] |= found_in[1:] != found_in[:-1]
    heads = np.flatnonzero(run)
    counts = np.diff(np.append(heads, len(at)))
    df = np.bincount(ids[heads], minlength=len(grams))
    kept = np.flatnonzero(df >= vectorizer.min_df)
    if not len(kept):
        return vectorizer.fit_transform(texts)  # scikit-learn's own error
    is_pair = (grams[kept] & _PAIR) != 0
    first = np.where(is_pair, (grams[kept] & ~_PAIR) >> 21, grams[kept])
    second = np.where(is_pair, (grams[kept] & 0x1FFFFF) + 1, 0)  # a character sorts before every pair it starts
    kept = kept[np.lexsort((second, first))]  # string order
    column = np.full(len(grams), -1, dtype=np.int64)
    column[kept] = np.arange(len(kept))
    vectorizer._validate_vocabulary()  # sets fixed_vocabulary_ as fitting does
    vectorizer.vocabulary_ = dict(zip(_strings(grams[kept]), range(len(kept)), strict=True))
    # Each row's entries in the order scikit-learn leaves them: that of first meeting (it renumbers in string
    # order without sorting), so the sums after are the same.
    entry_gram, entry_text = ids[heads], found_in[heads]
    keep = column[entry_gram] >= 0
    entry_gram, entry_text, counts = entry_gram[keep], entry_text[keep], counts[keep]
    order = np.argsort((entry_text << 32) | first_seen[entry_gram], kind="stable")
    indptr = np.concatenate([[0], np.cumsum(np.bincount(entry_text, minlength=len(texts)))])
    matrix = sp.csr_matrix((counts[order].astype(vectorizer.dtype), column[entry_gram[order]].astype(np.int32),
                            indptr.astype(np.int32)), shape=(len(texts), len(kept)))
    vectorizer._tfidf = TfidfTransformer(norm=vectorizer.norm, use_idf=vectorizer.use_idf,
                                         smooth_idf=vectorizer.smooth_idf, sublinear_tf=vectorizer.sublinear_tf)
    vectorizer._tfidf.fit(matrix)
    return vectorizer._tfidf.transform(matrix, copy=False)
