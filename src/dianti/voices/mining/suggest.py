"""Suggestions for the staff who curate a village's topics: topics that look like one concern, and the nearest topic
of each opinion in none.

Small numbers only (one organization's topics and its unsorted opinions: tens to a few hundred texts), so
everything is recomputed from the texts: each opinion's terms (:func:`~.features.opinion_terms`, synonyms of the
lexicon included); a topic's terms the sum of its members'; one :class:`~.features.FeatureSpace` fitted with each
topic and each unsorted opinion as one document — what is compared are topics, so a word is common when many
*topics* use it, not when one loud topic repeats it (in a village where most opinions are about idle farmhouses,
闲置农房 must still count). Then, with the place and problem parts of the vectors as in :mod:`.cluster`:

* two topics *may be one concern* when the cosine of their problem parts is at least ``MERGE_MIN``, or when the
  same concept of the lexicon is among the main problem words of both — weighing at least ``MAIN_SHARE`` of the
  heaviest (闲置农房 in "闲置农房很多，能否发展民宿" and in "老房子空着没人住，希望盘活", whose other words
  differ); and, if both name a place, their place parts meet
  ``PLACE_MIN`` — so lamps and rubbish at one spot are never suggested;
* an unsorted opinion is offered to the topic whose vector is closest to its own (cosine), under the same gate,
  when that is at least ``OFFER_MIN``.

Each suggestion carries its reason: the problem words both sides use, those of the lexicon first (the concept they
share), then by how much they add to the cosine.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from .cluster import PLACE_MIN
from .features import FeatureSpace, analyse_many, is_place_term, place_mask
from .lexicon import is_concept, is_subject
from .normalize import normalize

MERGE_MIN = 0.25
OFFER_MIN = 0.12
REASON_WORDS = 5
MAIN_SHARE = 0.5

Matrix = Any  # a scipy CSR matrix


@dataclass(frozen=True)
class Group:
    """A topic (or one unsorted opinion) as ``(title, text)`` pairs, under the caller's id."""

    id: str
    texts: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Suggestion:
    """``first`` and ``second`` look alike (a topic pair, or an opinion and its nearest topic): ``score`` is the
    cosine that decided it and ``shared`` the words both use, the reason shown to staff."""

    first: str
    second: str
    score: float
    shared: tuple[str, ...]


@dataclass(frozen=True)
class Suggestions:
    merges: list[Suggestion]
    offers: list[Suggestion]


def suggest(topics: Sequence[Group], unsorted: Sequence[Group], *, merge_min: float = MERGE_MIN,
            offer_min: float = OFFER_MIN) -> Suggestions:
    """Return the topic pairs that may be one concern (best first) and each unsorted opinion's nearest topic
    (see the module docstring). Topics and opinions without a text are left out."""
    topics = [t for t in topics if t.texts]
    unsorted = [u for u in unsorted if u.texts]
    if not topics:
        return Suggestions([], [])
    pairs = [(normalize(t, max_chars=200), normalize(b, max_chars=400)) for g in (*topics, *unsorted) for t, b in g.texts]
    analysed = iter(analyse_many(pairs))
    docs = [_summed(next(analysed).terms for _text in g.texts) for g in (*topics, *unsorted)]
    space = FeatureSpace.fit(docs)
    mask = place_mask(space)
    rows = space.transform(docs)
    vectors, each = _Parts(rows[: len(topics)], mask), _Parts(rows[len(topics) :], mask)
    terms = list(space.vocabulary)
    merges = _merges(topics, vectors, terms, merge_min)
    offers = _offers(topics, unsorted, each, vectors, terms, offer_min)
    return Suggestions(merges, offers)


def _summed(docs: Iterable[dict[str, int]]) -> dict[str, int]:
    total: Counter[str] = Counter()
    for terms in docs:
        total.update(terms)
    return dict(total)


class _Parts:
    """Rows split into their place part and their problem part (see :func:`~.features.place_mask`)."""

    def __init__(self, rows: Matrix, places: np.ndarray[Any, np.dtype[np.bool_]]) -> None:
        self.rows = rows
        keep = sp.diags(places.astype(np.float32))
        self.place = (rows @ keep).tocsr()
        self.problem = (rows - self.place).tocsr()

    def cosines(self, other: _Parts) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
        """Return the place and problem cosines of every row of ``self`` with every row of ``other``."""
        return _cos(self.place, other.place), _cos(self.problem, other.problem)


def _cos(a: Matrix, b: Matrix) -> np.ndarray[Any, Any]:
    dots = np.asarray((a @ b.T).todense(), dtype=np.float64)
    na = np.sqrt(np.asarray(a.multiply(a).sum(axis=1), dtype=np.float64).ravel())
    nb = np.sqrt(np.asarray(b.multiply(b).sum(axis=1), dtype=np.float64).ravel())
    scale = np.outer(na, nb)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(scale > 0, dots / scale, -1.0)  # -1: that part is empty on one side


def _gate(place_cos: np.ndarray[Any, Any], problem_cos: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Return the problem cosine where the place-and-problem gate lets the pair through, else 0."""
    apart = (place_cos > -1.0) & (place_cos < PLACE_MIN)
    return np.where(apart, 0.0, np.maximum(problem_cos, 0.0))


def _merges(topics: Sequence[Group], vectors: _Parts, terms: list[str], merge_min: float) -> list[Suggestion]:
    score = _gate(*vectors.cosines(vectors))
    main = _main_concepts(vectors.problem, terms)
    same = np.array([[bool(a & b) for b in main] for a in main], dtype=bool).reshape(len(main), len(main))
    found = []
    for i, j in zip(*np.nonzero(np.triu((score >= merge_min) | (same & (score > 0)), k=1)), strict=True):
        shared = _shared(vectors.problem[i], vectors.problem[j], terms)
        if shared:
            found.append(Suggestion(topics[i].id, topics[j].id, round(float(score[i, j]), 3), shared))
    return sorted(found, key=lambda s: -s.score)


def _main_concepts(rows: Matrix, terms: list[str]) -> list[set[int]]:
    """Return per row the columns of its main concepts: subjects of the lexicon (not 损坏, not 老人) weighing at least
    ``MAIN_SHARE`` of the row's heaviest word."""
    out: list[set[int]] = []
    for k in range(rows.shape[0]):
        row = rows[k]
        top = float(row.data.max()) if row.nnz else 0.0
        out.append({int(c) for c, w in zip(row.indices, row.data, strict=True)
                    if w >= MAIN_SHARE * top and is_subject(terms[c])})
    return out


def _offers(topics: Sequence[Group], unsorted: Sequence[Group], each: _Parts, vectors: _Parts, terms: list[str],
            offer_min: float) -> list[Suggestion]:
    if not unsorted:
        return []
    cosine = np.asarray((each.rows @ vectors.rows.T).todense(), dtype=np.float64)
    score = np.where(_gate(*each.cosines(vectors)) > 0, cosine, 0.0)
    offers = []
    for k, opinion in enumerate(unsorted):
        best = int(np.argmax(score[k]))
        shared = _shared(each.problem[k], vectors.problem[best], terms)
        if score[k, best] >= offer_min and shared:
            offers.append(Suggestion(opinion.id, topics[best].id, round(float(score[k, best]), 3), shared))
    return offers


def _shared(a: Matrix, b: Matrix, terms: list[str]) -> tuple[str, ...]:
    """Return the problem words in both rows, concepts of the lexicon first, then by their share of the dot."""
    both = a.multiply(b).tocsr()
    weight = dict(zip(both.indices.tolist(), both.data.tolist(), strict=True))
    words = [(not is_concept(terms[c]), -w, terms[c]) for c, w in weight.items()
             if w > 0 and not is_place_term(terms[c])]
    return tuple(word for _c, _w, word in sorted(words)[:REASON_WORDS])
