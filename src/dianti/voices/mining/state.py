"""The mined state of an organization — everything :func:`~.incremental.assign` needs, stored as bytes — and the
result of :func:`~.pipeline.mine`."""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import scipy.sparse as sp

from .classify import Prediction
from .dedupe import DuplicateIndex
from .features import FeatureSpace
from .heat import heat
from .label import KeywordIndex
from .records import MiningConfig, Topic, _TopicData

STATE_VERSION = 2


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
