"""The mining pipeline: opinions in, ranked topics (and categories) out; then one opinion at a time.

:func:`mine` runs every stage over an organization's (or a file's) opinions::

    normalize → segment and weigh terms (features) → near-duplicates (dedupe) → similarity graph with the
    place-and-problem gate, average linkage, centroid merge (cluster) → title and keywords (label) → heat → rank
    → categories (classify, when a classifier is given)

and returns a :class:`MiningResult` whose :class:`TopicsState` lets :func:`assign` add a new opinion later in a few
milliseconds: the opinion joins the topic whose members it is closest to on average (the same linkage and gate as
in :func:`mine`, computed exactly from each topic's sum vector), or forms a new topic with a close unassigned
opinion, or waits unassigned. Words never seen at mining time are ignored by :func:`assign`; mine again from time
to time (a background job) to learn them.

Only topics raised by at least ``min_people`` distinct people are reported: a single message, however liked, is
not a topic. Topics are ranked by heat (see :mod:`.heat`); recency is measured from ``now``, by default the time of
the newest opinion, so an old spreadsheet ranks as it did when it was fresh.
"""

from __future__ import annotations

import pickle
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
import scipy.sparse as sp

from . import cluster as clustering
from .classify import Classifier, Prediction
from .dedupe import DuplicateIndex
from .features import FeatureSpace, analyse_many, opinion_terms, place_mask
from .heat import Heat, HeatConfig, Voice, heat
from .label import KeywordIndex, readable_title
from .normalize import normalize

STATE_VERSION = 2
MERGE_ROUNDS = 3  # merged fragments have new centroids, which may now meet the rest of their issue
_REST = "_rest"


@dataclass(frozen=True)
class Opinion:
    """One opinion as the miner sees it. ``user`` is None for anonymous ones; ``participants`` is the number of
    people met at a visit or symposium (1 otherwise); ``channel`` is a key of the heat channel weights."""

    id: str
    text: str
    title: str = ""
    user: str | None = None
    time: datetime | None = None
    likes: int = 0
    dislikes: int = 0
    channel: str = "online"
    participants: int = 1


@dataclass(frozen=True)
class MiningConfig:
    """Thresholds of the miner (see :mod:`.cluster`) and what makes a reported topic."""

    edge_threshold: float = clustering.EDGE_THRESHOLD
    link_threshold: float = clustering.LINK_THRESHOLD
    merge_threshold: float = clustering.MERGE_THRESHOLD
    place_min: float = clustering.PLACE_MIN
    problem_min: float = clustering.PROBLEM_MIN
    min_people: int = 2
    keywords: int = 5
    analysis_chars: int = 800  # the opening that is analysed: clustering reads less, classification up to 600
    heat: HeatConfig = field(default_factory=HeatConfig)


@dataclass
class Topic:
    """A mined topic. ``members`` are opinion ids, most central first."""

    id: str
    title: str
    keywords: list[str]
    members: list[str]
    people: int
    likes: int
    dislikes: int
    heat: float
    first: datetime | None
    last: datetime | None
    channels: dict[str, int]
    category: str | None = None

    @property
    def size(self) -> int:
        return len(self.members)

    @property
    def time_range(self) -> list[str | None]:
        """Return ``[first, last]`` as ISO 8601 strings (None when unknown)."""
        return [self.first.isoformat() if self.first else None, self.last.isoformat() if self.last else None]

    def as_dict(self, rank: int) -> dict[str, Any]:
        """Return the topic as plain JSON-ready data, with its ``rank`` (1 = loudest)."""
        return {"rank": rank, "id": self.id, "title": self.title, "keywords": self.keywords, "size": self.size,
                "people": self.people, "likes": self.likes, "dislikes": self.dislikes, "heat": self.heat,
                "time_range": self.time_range, "channels": self.channels, "category": self.category,
                "members": self.members}


@dataclass
class _TopicData:
    """What the state keeps per topic to update it: members, voices, times and a title source."""

    members: list[str]
    voices: list[Voice]
    times: list[datetime]
    likes: int
    dislikes: int
    channels: Counter[str]
    title: str
    categories: Counter[str] = field(default_factory=Counter)


@dataclass
class _Rows:
    """Sparse row vectors (topic sums, or waiting opinions) with what scoring a newcomer needs kept up to date:
    each row's squared norm, the squared norm of its place part, and its member count."""

    matrix: Any  # CSR
    squares: np.ndarray[Any, np.dtype[np.float64]]
    place_squares: np.ndarray[Any, np.dtype[np.float64]]
    sizes: np.ndarray[Any, np.dtype[np.float64]]

    @classmethod
    def of(cls, matrix: Any, places: np.ndarray[Any, np.dtype[np.bool_]],
           sizes: np.ndarray[Any, np.dtype[np.float64]]) -> _Rows:
        matrix = matrix.tocsr().astype(np.float32)
        squares, place_squares = _squares(matrix, places)
        return cls(matrix, squares, place_squares, np.asarray(sizes, dtype=np.float64))

    def scores(self, vector: Any, places: np.ndarray[Any, np.dtype[np.bool_]],
               config: MiningConfig) -> np.ndarray[Any, np.dtype[np.float64]]:
        """Return each row's average-linkage score with ``vector`` — its dot product over the row's member count —
        or 0 where the place-and-problem gate of :mod:`.cluster` fails. Two sparse products, no copy of the rows."""
        if self.matrix.shape[0] == 0:
            return np.zeros(0)
        v_place = vector.multiply(places.astype(np.float32)).tocsr()
        full = np.asarray((self.matrix @ vector.T).todense(), dtype=np.float64).ravel()
        place_dot = np.asarray((self.matrix @ v_place.T).todense(), dtype=np.float64).ravel()
        v_sq = float(vector.multiply(vector).sum())
        v_place_sq = float(v_place.multiply(v_place).sum())
        with np.errstate(divide="ignore", invalid="ignore"):
            place_scale = np.sqrt(self.place_squares * v_place_sq)
            problem_scale = np.sqrt(np.maximum(0.0, self.squares - self.place_squares) * max(0.0, v_sq - v_place_sq))
            place_cos = np.where(place_scale > 0, place_dot / place_scale, 0.0)
            problem_cos = np.where(problem_scale > 0, (full - place_dot) / problem_scale, 0.0)
        ok = (problem_cos >= config.problem_min) & ((place_scale == 0) | (place_cos >= config.place_min))
        result: np.ndarray[Any, np.dtype[np.float64]] = np.where(ok, full / np.maximum(self.sizes, 1.0), 0.0)
        return result

    def append(self, vector: Any, size: int, places: np.ndarray[Any, np.dtype[np.bool_]]) -> None:
        self.matrix = sp.vstack([self.matrix, vector.astype(np.float32)]).tocsr()
        squares, place_squares = _squares(vector, places)
        self.squares = np.append(self.squares, squares)
        self.place_squares = np.append(self.place_squares, place_squares)
        self.sizes = np.append(self.sizes, float(size))

    def remove(self, k: int) -> Any:
        row = self.matrix[k]
        self.matrix = sp.vstack([self.matrix[:k], self.matrix[k + 1 :]]).tocsr()
        self.squares = np.delete(self.squares, k)
        self.place_squares = np.delete(self.place_squares, k)
        self.sizes = np.delete(self.sizes, k)
        return row

    def add_to(self, k: int, vector: Any, places: np.ndarray[Any, np.dtype[np.bool_]]) -> None:
        n = self.matrix.shape[0]
        delta = sp.csr_matrix((vector.data, vector.indices, [0] * (k + 1) + [vector.nnz] * (n - k)),
                              shape=self.matrix.shape)
        self.matrix = (self.matrix + delta).tocsr()
        squares, place_squares = _squares(self.matrix[k], places)
        self.squares[k], self.place_squares[k] = squares[0], place_squares[0]
        self.sizes[k] += 1


def _squares(matrix: Any, places: np.ndarray[Any, np.dtype[np.bool_]],
             ) -> tuple[np.ndarray[Any, np.dtype[np.float64]], np.ndarray[Any, np.dtype[np.float64]]]:
    squared = matrix.multiply(matrix).tocsr()
    total = np.asarray(squared.sum(axis=1), dtype=np.float64).ravel()
    place = np.asarray((squared @ places.astype(np.float64).reshape(-1, 1)), dtype=np.float64).ravel()
    return total, place


@dataclass
class TopicsState:
    """Everything :func:`assign` needs about an already-mined organization; store it with :meth:`to_bytes`."""

    config: MiningConfig
    space: FeatureSpace
    place_columns: np.ndarray[Any, np.dtype[np.bool_]]
    topic_ids: list[str]
    sums: _Rows  # one row per topic (in topic_ids order): the sum of its members' vectors
    data: dict[str, _TopicData]
    pool_ids: list[str]
    pool: _Rows  # vectors of the opinions in no topic yet (in pool_ids order)
    # Opinions in no topic yet, packed as plain tuples (they pickle fast): what a topic needs if one of them founds
    # it with a newcomer — see _pack.
    pool_opinions: dict[str, tuple[Any, ...]]
    keywords: KeywordIndex
    duplicates: DuplicateIndex
    duplicate_ids: list[str]
    persons: dict[str, str]
    now: datetime | None
    next_id: int

    def to_bytes(self) -> bytes:
        """Return the state as bytes (a pickle) for storage. Load only what this system stored."""
        return pickle.dumps({"version": STATE_VERSION, "state": self}, protocol=pickle.HIGHEST_PROTOCOL)

    @staticmethod
    def from_bytes(data: bytes) -> TopicsState:
        """Return the state stored by :meth:`to_bytes`."""
        payload = pickle.loads(data)  # noqa: S301 - our own stored state, never user input
        if not isinstance(payload, dict) or payload.get("version") != STATE_VERSION:
            raise ValueError("挖掘状态格式不兼容，请重新挖掘")
        state = payload["state"]
        if not isinstance(state, TopicsState):
            raise ValueError("不是挖掘状态数据")
        return state

    def topic(self, topic_id: str) -> Topic:
        """Return the current :class:`Topic` ``topic_id`` (title, keywords and heat recomputed)."""
        d = self.data[topic_id]
        h = heat(d.voices, now=self.now, config=self.config.heat)
        category = d.categories.most_common(1)[0][0] if d.categories else None
        return Topic(topic_id, d.title, self.keywords.keywords(topic_id, self.config.keywords), list(d.members),
                     h.people, d.likes, d.dislikes, h.heat, min(d.times, default=None), max(d.times, default=None),
                     dict(d.channels), category)

    def topics(self) -> list[Topic]:
        """Return the reported topics (at least ``min_people`` people), loudest first."""
        found = [self.topic(t) for t in self.topic_ids]
        found = [t for t in found if t.people >= self.config.min_people]
        return sorted(found, key=lambda t: (-t.heat, -t.people, t.id))


@dataclass
class MiningResult:
    """The topics (loudest first), each opinion's topic id (None if in none), near-duplicates and predictions."""

    topics: list[Topic]
    assignments: dict[str, str | None]
    duplicates: dict[str, str]
    predictions: dict[str, Prediction]
    state: TopicsState

    def as_dict(self) -> dict[str, Any]:
        """Return the result as plain JSON-ready data (the ``dianti mine`` output)."""
        return {
            "topics": [t.as_dict(rank) for rank, t in enumerate(self.topics, start=1)],
            "predictions": [{"id": i, "category": p.category, "confidence": p.confidence,
                             "needs_review": p.needs_review} for i, p in self.predictions.items()],
            "duplicates": [{"id": i, "duplicate_of": d} for i, d in self.duplicates.items()],
        }


@dataclass(frozen=True)
class Assignment:
    """Where :func:`assign` put an opinion: its topic (None if in none yet), whether that topic is new, and a
    near-duplicate it repeats (None if none)."""

    topic_id: str | None
    created: bool
    duplicate_of: str | None


def _person(opinion: Opinion, original_id: str) -> str:
    return f"u:{opinion.user}" if opinion.user else f"anon:{original_id}"


def _voice(opinion: Opinion, person: str) -> Voice:
    return Voice(person, opinion.channel, opinion.time, opinion.likes, opinion.dislikes, opinion.participants)


def _new_data(title: str) -> _TopicData:
    return _TopicData([], [], [], 0, 0, Counter(), title)


def _add_member(d: _TopicData, opinion: Opinion, person: str, category: str | None) -> None:
    d.members.append(opinion.id)
    d.voices.append(_voice(opinion, person))
    if opinion.time is not None:
        d.times.append(opinion.time)
    d.likes += opinion.likes
    d.dislikes += opinion.dislikes
    d.channels[opinion.channel] += 1
    if category:
        d.categories[category] += 1


def mine(opinions: Sequence[Opinion], *, config: MiningConfig | None = None, classifier: Classifier | None = None,
         now: datetime | None = None, workers: int = 1, timings: dict[str, float] | None = None) -> MiningResult:
    """Return the topics of ``opinions`` (see the module docstring). Ids must be unique.

    ``classifier`` (keyword or learned) adds a prediction per opinion and a category per topic (its members'
    most common). ``workers`` > 1 segments large inputs in that many processes (forked: call it from a process
    that may fork). ``timings``, when given, receives the wall seconds of each stage.
    """
    clock = _Clock(timings)
    config = config or MiningConfig()
    ids = [o.id for o in opinions]
    if len(set(ids)) != len(ids):
        raise ValueError("意见编号有重复")
    titles = [normalize(o.title, max_chars=200) for o in opinions]
    bodies = [normalize(o.text, max_chars=config.analysis_chars) for o in opinions]
    clock("normalize")
    analysed = analyse_many(list(zip(titles, bodies, strict=True)), workers)
    clock("segment")

    duplicates, earlier = DuplicateIndex.of_texts([f"{t} {b}" for t, b in zip(titles, bodies, strict=True)])
    originals: list[int] = []
    for pos, found in enumerate(earlier.tolist()):
        originals.append(pos if found < 0 else originals[found])
    persons = {o.id: _person(o, ids[originals[i]]) for i, o in enumerate(opinions)}
    clock("dedupe")

    space = FeatureSpace.fit([a.terms for a in analysed])
    matrix = space.transform([a.terms for a in analysed])
    places = place_mask(space)
    clock("vectorize")
    labels = _cluster(matrix, places, config)
    clock("cluster")

    predictions: dict[str, Prediction] = {}
    if classifier is not None and opinions:
        segmented = [(a.title_tokens, a.body_tokens) for a in analysed]
        predicted = classifier.predict(list(zip(titles, bodies, strict=True)), segmented)
        for o, prediction in zip(opinions, predicted, strict=True):
            predictions[o.id] = prediction
    clock("classify")

    keywords = KeywordIndex()
    groups: dict[int, list[int]] = {}
    for i, label in enumerate(labels.tolist()):
        groups.setdefault(label, []).append(i)
    multi = [members for members in groups.values() if len(members) >= 2]
    singles = [members[0] for members in groups.values() if len(members) == 1]
    flat = [i for m in multi for i in m]
    indicator = sp.csr_matrix((np.ones(len(flat), dtype=np.float32),
                               (np.repeat(np.arange(len(multi)), [len(m) for m in multi]), flat)),
                              shape=(len(multi), matrix.shape[0]))
    topic_sums = (indicator @ matrix).tocsr()  # sparse: one row per topic, never a dense vocabulary-wide row
    provisional: list[tuple[_TopicData, int, list[int]]] = []
    for k, ordered in enumerate(_by_centrality(matrix, topic_sums, multi)):
        central = ordered[0]
        d = _new_data(readable_title(opinions[central].title, opinions[central].text))
        for i in ordered:
            member_prediction = predictions.get(ids[i])
            _add_member(d, opinions[i], persons[ids[i]], member_prediction.category if member_prediction else None)
        provisional.append((d, k, ordered))

    reference = now or max((o.time for o in opinions if o.time is not None), default=None)
    ranked = sorted(provisional, key=lambda item: -heat(item[0].voices, now=reference, config=config.heat).heat)
    topic_ids = [f"t{n}" for n in range(1, len(ranked) + 1)]
    data: dict[str, _TopicData] = {}
    assignments: dict[str, str | None] = dict.fromkeys(ids)
    for topic_id, (d, _row, ordered) in zip(topic_ids, ranked, strict=True):
        data[topic_id] = d
        words_of: dict[str, tuple[set[str], set[str]]] = {}
        for i in ordered:
            assignments[ids[i]] = topic_id
            in_title, in_body = words_of.setdefault(persons[ids[i]], (set(), set()))
            in_title.update(analysed[i].title_tokens)
            in_body.update(analysed[i].body_tokens)
        for in_title, in_body in words_of.values():
            keywords.add(topic_id, in_title, in_body)
    for i in singles:
        keywords.add(_REST, analysed[i].title_tokens, analysed[i].body_tokens)
    state = TopicsState(
        config=config, space=space, place_columns=places, topic_ids=topic_ids,
        sums=_Rows.of(topic_sums[[row for _d, row, _o in ranked]], places,
                      np.array([len(o) for _d, _r, o in ranked], dtype=np.float64)),
        data=data, pool_ids=[ids[i] for i in singles],
        pool=_Rows.of(matrix[singles] if singles else matrix[:0], places, np.ones(len(singles))),
        pool_opinions={ids[i]: _pack(opinions[i], (analysed[i].title_tokens, analysed[i].body_tokens))
                       for i in singles},
        keywords=keywords, duplicates=duplicates, duplicate_ids=list(ids), persons=persons, now=reference,
        next_id=len(topic_ids) + 1,
    )
    duplicate_of = {ids[i]: ids[originals[i]] for i in range(len(ids)) if originals[i] != i}
    result = MiningResult(state.topics(), assignments, duplicate_of, predictions, state)
    clock("topics")
    return result


def _by_centrality(matrix: Any, topic_sums: Any, topics: list[list[int]],
                   chunk: int = 20_000) -> list[list[int]]:
    """Return each topic's members, most central first: by dot product with the topic's sum vector, ties in the
    given order. All topics at once, ``chunk`` members at a time (a big topic's sum row is repeated per member)."""
    if not topics:
        return []
    flat = np.fromiter((i for members in topics for i in members), dtype=np.int64)
    topic_of = np.repeat(np.arange(len(topics)), [len(m) for m in topics])
    centrality = np.empty(len(flat), dtype=np.float64)
    for lo in range(0, len(flat), chunk):
        rows = matrix[flat[lo : lo + chunk]].astype(np.float64)
        sums = topic_sums[topic_of[lo : lo + chunk]].astype(np.float64)
        centrality[lo : lo + chunk] = np.asarray(rows.multiply(sums).sum(axis=1)).ravel()
    order = np.lexsort((-centrality, topic_of))  # stable: ties keep the members' order
    bounds = np.cumsum([len(m) for m in topics])[:-1]
    return [part.tolist() for part in np.split(flat[order], bounds)]


class _Clock:
    """Record the wall time since the previous call under each stage name (a no-op without a dict)."""

    def __init__(self, timings: dict[str, float] | None) -> None:
        self.timings = timings
        self.last = time.perf_counter()

    def __call__(self, stage: str) -> None:
        if self.timings is not None:
            now = time.perf_counter()
            self.timings[stage] = round(self.timings.get(stage, 0.0) + now - self.last, 3)
            self.last = now


def _cluster(matrix: Any, places: np.ndarray[Any, np.dtype[np.bool_]], config: MiningConfig) -> Any:
    if matrix.shape[0] == 0:
        return np.zeros(0, dtype=np.int64)
    graph = clustering.similarity_graph(matrix, place_columns=places, edge_threshold=config.edge_threshold,
                                        place_min=config.place_min, problem_min=config.problem_min)
    labels = clustering.average_linkage(graph, link_threshold=config.link_threshold)
    for _round in range(MERGE_ROUNDS):
        merged = clustering.merge_close(labels, matrix, place_columns=places, threshold=config.merge_threshold)
        if len(np.unique(merged)) == len(np.unique(labels)):
            break
        labels = merged
    return labels


def assign(opinion: Opinion, state: TopicsState, *, category: str | None = None,
           now: datetime | None = None) -> Assignment:
    """Add ``opinion`` to the mined ``state`` (in place) and return where it went (see the module docstring).

    ``category`` (e.g. from a classifier) counts towards its topic's category. ``now`` moves the recency reference.
    """
    config = state.config
    if now is not None:
        state.now = now
    elif opinion.time is not None and (state.now is None or opinion.time > state.now):
        state.now = opinion.time
    title = normalize(opinion.title, max_chars=200)
    body = normalize(opinion.text, max_chars=config.analysis_chars)
    found = state.duplicates.add(f"{title} {body}")
    duplicate_of = state.duplicate_ids[found] if found is not None else None
    state.duplicate_ids.append(opinion.id)
    # An anonymous copy of an anonymous opinion is the same unknown person; otherwise anonymous is one new person.
    earlier = state.persons.get(duplicate_of or "", "")
    person = earlier if not opinion.user and earlier.startswith("anon:") else _person(opinion, opinion.id)
    state.persons[opinion.id] = person
    analysed = opinion_terms(title, body)
    tokens = (analysed.title_tokens, analysed.body_tokens)
    vector = state.space.transform([analysed.terms])

    scores = state.sums.scores(vector, state.place_columns, config)
    if len(scores) and scores.max() >= config.link_threshold:
        topic_id = state.topic_ids[int(np.argmax(scores))]
        _join(state, topic_id, opinion, person, vector, tokens, category)
        return Assignment(topic_id, False, duplicate_of)

    pool_scores = state.pool.scores(vector, state.place_columns, config)
    if len(pool_scores) and pool_scores.max() >= config.link_threshold:
        k = int(np.argmax(pool_scores))
        other_id = state.pool_ids.pop(k)
        other_vector = state.pool.remove(k)
        other, other_title, other_tokens = _unpack(state.pool_opinions.pop(other_id))
        topic_id = f"t{state.next_id}"
        state.next_id += 1
        state.topic_ids.append(topic_id)
        state.data[topic_id] = _new_data(other_title)
        state.sums.append(sp.csr_matrix(other_vector.shape, dtype=np.float32), 0, state.place_columns)
        _join(state, topic_id, other, state.persons.get(other_id, _person(other, other_id)), other_vector,
              other_tokens, None)
        _join(state, topic_id, opinion, person, vector, tokens, category)
        return Assignment(topic_id, True, duplicate_of)

    state.pool_ids.append(opinion.id)
    state.pool.append(vector, 1, state.place_columns)
    state.pool_opinions[opinion.id] = _pack(opinion, tokens)
    state.keywords.add(_REST, *tokens)
    return Assignment(None, False, duplicate_of)


def _pack(opinion: Opinion, tokens: tuple[tuple[str, ...], tuple[str, ...]]) -> tuple[Any, ...]:
    """Return what the pool keeps of an opinion: its heat fields, readable title and words, as one plain tuple."""
    return (opinion.id, opinion.user, opinion.time, opinion.likes, opinion.dislikes, opinion.channel,
            opinion.participants, readable_title(opinion.title, opinion.text), " ".join(tokens[0]), " ".join(tokens[1]))


def _unpack(packed: tuple[Any, ...]) -> tuple[Opinion, str, tuple[tuple[str, ...], tuple[str, ...]]]:
    opinion_id, user, when, likes, dislikes, channel, participants, title, in_title, in_body = packed
    opinion = Opinion(id=opinion_id, text="", user=user, time=when, likes=likes, dislikes=dislikes, channel=channel,
                      participants=participants)
    return opinion, title, (tuple(in_title.split()), tuple(in_body.split()))


def _join(state: TopicsState, topic_id: str, opinion: Opinion, person: str, vector: Any,
          tokens: tuple[tuple[str, ...], tuple[str, ...]], category: str | None) -> None:
    row = len(state.topic_ids) - 1 if state.topic_ids[-1] == topic_id else state.topic_ids.index(topic_id)
    state.sums.add_to(row, vector, state.place_columns)
    _add_member(state.data[topic_id], opinion, person, category)
    state.keywords.add(topic_id, *tokens)  # a person writing again counts again here; the next mine() corrects it


def heat_of(state: TopicsState, topic_id: str) -> Heat:
    """Return the heat breakdown of one topic of ``state``."""
    return heat(state.data[topic_id].voices, now=state.now, config=state.config.heat)
