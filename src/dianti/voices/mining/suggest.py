"""Suggestions for the staff who curate a village's topics: topics that look like one concern, and the nearest topic
of each opinion in none.

Small numbers only (one organization's topics and its unsorted opinions: tens to a few hundred texts), so
everything is recomputed from the texts: each opinion's terms (:func:`~.features.opinion_terms`, synonyms of the
lexicon included), one :class:`~.features.FeatureSpace` over them all, a topic's vector the L2-normalised sum of
its members'. Then, with the place and problem parts of the vectors as in :mod:`.cluster`:

* two topics *may be one concern* when the cosine of their problem parts is at least ``MERGE_MIN`` and, if both
  name a place, their place parts meet ``PLACE_MIN`` — so lamps and rubbish at one spot are never suggested;
* an unsorted opinion is offered to the topic with the highest average cosine to its members (the linkage of
  :func:`~.pipeline.assign`), under the same gate, when that is at least ``OFFER_MIN`` — lower than assign's
  threshold, since a person confirms it.

Each suggestion carries its reason: the problem words both sides use, those of the lexicon first (the concept they
share), then by how much they add to the cosine.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from .cluster import PLACE_MIN
from .features import FeatureSpace, analyse_many, is_place_term, place_mask
from .lexicon import is_concept
from .normalize import normalize

MERGE_MIN = 0.25
OFFER_MIN = 0.06
REASON_WORDS = 5

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
    docs = [a.terms for a in analyse_many(pairs)]
    space = FeatureSpace.fit(docs)
    rows = space.transform(docs)
    sizes = [len(g.texts) for g in topics]
    n_topic_rows = sum(sizes)
    sums = _group_sums(rows[:n_topic_rows], sizes)
    mask = place_mask(space)
    vectors = _Parts(sums, mask)
    terms = list(space.vocabulary)
    merges = _merges(topics, vectors, terms, merge_min)
    each = _Parts(_group_sums(rows[n_topic_rows:], [len(u.texts) for u in unsorted]), mask)
    offers = _offers(topics, unsorted, each, vectors, np.array(sizes, dtype=np.float64), terms, offer_min)
    return Suggestions(merges, offers)


def _group_sums(rows: Matrix, sizes: list[int]) -> Matrix:
    """Return one row per group: the sum of its consecutive ``sizes`` rows."""
    owner = np.repeat(np.arange(len(sizes)), sizes)
    indicator = sp.csr_matrix((np.ones(len(owner), dtype=np.float32), (owner, np.arange(len(owner)))),
                              shape=(len(sizes), rows.shape[0]))
    return (indicator @ rows).tocsr()


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
    found = []
    for i, j in zip(*np.nonzero(np.triu(score >= merge_min, k=1)), strict=True):
        shared = _shared(vectors.problem[i], vectors.problem[j], terms)
        if shared:
            found.append(Suggestion(topics[i].id, topics[j].id, round(float(score[i, j]), 3), shared))
    return sorted(found, key=lambda s: -s.score)


def _offers(topics: Sequence[Group], unsorted: Sequence[Group], each: _Parts, vectors: _Parts,
            sizes: np.ndarray[Any, Any], terms: list[str], offer_min: float) -> list[Suggestion]:
    if not unsorted:
        return []
    # The average cosine with a topic's members (assign's linkage): the dot with their sum over their number.
    average = np.asarray((each.rows @ vectors.rows.T).todense(), dtype=np.float64) / np.maximum(sizes, 1.0)
    score = np.where(_gate(*each.cosines(vectors)) > 0, average, 0.0)
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
