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

import multiprocessing
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

import numpy as np
import scipy.sparse as sp

from . import cluster as clustering
from .classify import Classifier, LearnedClassifier, Prediction, word_pairs
from .dedupe import DuplicateIndex
from .features import FeatureSpace, analyse_many, place_mask
from .heat import heat
from .incremental import _pack, assign, heat_of
from .label import NAME_MEMBERS, KeywordIndex, name_topic, readable_title
from .normalize import normalize
from .records import (
    REST,
    Assignment,
    MiningConfig,
    Opinion,
    Topic,
    _TopicData,
    add_member,
    new_data,
    person_of,
)
from .state import STATE_VERSION, MiningResult, TopicsState, _Rows

# Stored states name their classes by this module (pickles from before the split): keep the names here.
__all__ = ["STATE_VERSION", "Assignment", "MiningConfig", "MiningResult", "Opinion", "Topic", "TopicsState", "_Rows",
           "_TopicData", "assign", "heat_of", "mine"]

MERGE_ROUNDS = 3  # merged fragments have new centroids, which may now meet the rest of their issue


def mine(opinions: Sequence[Opinion], *, config: MiningConfig | None = None, classifier: Classifier | None = None,
         train: tuple[Sequence[tuple[str, str]], Sequence[str]] | None = None, now: datetime | None = None,
         workers: int = 1, timings: dict[str, float] | None = None) -> MiningResult:
    """Return the topics of ``opinions`` (see the module docstring). Ids must be unique.

    ``classifier`` (keyword or learned) adds a prediction per opinion and a category per topic (its members'
    most common). ``train`` — labelled ``(title, body)`` pairs and their labels — first fits ``classifier`` (then a
    :class:`~.classify.LearnedClassifier`) on them, as its ``fit`` would, their words segmented in the same pass as
    the opinions' (one pool of workers, not two). ``workers`` > 1 segments large inputs in that many processes
    (forked: call it from a process that may fork). ``timings``, when given, receives the wall seconds of each stage.
    """
    clock = _Clock(timings)
    config = config or MiningConfig()
    ids = [o.id for o in opinions]
    if len(set(ids)) != len(ids):
        raise ValueError("意见编号有重复")
    titles = [normalize(o.title, max_chars=200) for o in opinions]
    bodies = [normalize(o.text, max_chars=config.analysis_chars) for o in opinions]
    training = [] if train is None else word_pairs(train[0])
    clock("normalize")
    analysed = analyse_many([*zip(titles, bodies, strict=True), *training], workers)
    trained = analysed[len(opinions):]
    del analysed[len(opinions):]
    tokens = [(a.title_tokens, a.body_tokens) for a in analysed]
    docs = [a.terms for a in analysed]
    del analysed
    clock("segment")
    aside = None if train is None else _train_aside(classifier, train, trained, titles, bodies, tokens, workers > 1)
    del trained
    try:  # a failure here must not leave the forked classifier waiting to hand over its result
        duplicates, originals, persons = _dedupe(opinions, ids, titles, bodies)
        clock("dedupe")
        # Classified before clustering (when not trained aside), so the texts are let go before its peak of memory.
        predictions: dict[str, Prediction] = {}
        if aside is None and classifier is not None and opinions:
            predictions = _by_id(opinions, classifier.predict(list(zip(titles, bodies, strict=True)), tokens))
        del titles, bodies
        clock("classify")
        space = FeatureSpace.fit(docs)
        matrix = space.transform(docs)
        del docs
        places = place_mask(space)
        clock("vectorize")
        labels = _cluster(matrix, places, config)
        clock("cluster")
        reference = now or max((o.time for o in opinions if o.time is not None), default=None)
        parts = _topics(opinions, tokens, labels, matrix, places, persons, reference, config)
        if aside is not None:
            fitted, predicted = aside.result()
            classifier.__dict__.update(fitted.__dict__)  # the caller's classifier, fitted as over there
            predictions = _by_id(opinions, predicted)
    except BaseException:
        if aside is not None:
            aside.cancel()
        raise
    _count_categories(parts["data"].values(), predictions)
    state = TopicsState(config=config, space=space, place_columns=places, duplicates=duplicates,
                        duplicate_ids=list(ids), persons=persons, now=reference, **parts)
    assignments: dict[str, str | None] = dict.fromkeys(ids)
    for topic_id, d in state.data.items():
        assignments.update(dict.fromkeys(d.members, topic_id))
    duplicate_of = {ids[i]: ids[originals[i]] for i in range(len(ids)) if originals[i] != i}
    result = MiningResult(state.topics(), assignments, duplicate_of, predictions, state)
    clock("topics")
    return result


Tokens = list[tuple[tuple[str, ...], tuple[str, ...]]]


def _train_aside(classifier: Classifier | None, train: tuple[Sequence[tuple[str, str]], Sequence[str]],
                 trained: Sequence[Any], titles: list[str], bodies: list[str], tokens: Tokens,
                 fork: bool) -> _Aside:
    """Start fitting ``classifier`` on ``train`` (its words segmented already: ``trained``) and classifying the
    opinions, in a forked process while this one finds duplicates, vectorizes and clusters: the two are independent
    until the topics are named with their members' categories."""
    if not isinstance(classifier, LearnedClassifier):
        raise TypeError("train needs a LearnedClassifier")
    fitted = classifier
    trained_tokens = [(a.title_tokens, a.body_tokens) for a in trained]
    pairs = list(zip(titles, bodies, strict=True))

    def fit_and_predict() -> tuple[LearnedClassifier, list[Prediction]]:
        fitted.fit(train[0], train[1], tokens=trained_tokens)
        return fitted, fitted.predict(pairs, tokens) if pairs else []

    return _Aside(fit_and_predict, fork)


def _dedupe(opinions: Sequence[Opinion], ids: list[str], titles: list[str], bodies: list[str],
            ) -> tuple[DuplicateIndex, list[int], dict[str, str]]:
    """Return the duplicate index of the texts, each opinion's original (its own position when it is none's copy)
    and the person behind each opinion."""
    duplicates, earlier = DuplicateIndex.of_texts([f"{t} {b}" for t, b in zip(titles, bodies, strict=True)])
    originals: list[int] = []
    for pos, found in enumerate(earlier.tolist()):
        originals.append(pos if found < 0 else originals[found])
    return duplicates, originals, {o.id: person_of(o, ids[originals[i]]) for i, o in enumerate(opinions)}


def _by_id(opinions: Sequence[Opinion], predicted: Sequence[Prediction]) -> dict[str, Prediction]:
    return {o.id: p for o, p in zip(opinions, predicted, strict=True)}


def _count_categories(topics: Iterable[Any], predictions: dict[str, Prediction]) -> None:
    """Count each topic's members' categories, in the members' order (as add_member would): counted after naming,
    since the classifier may still have been at work."""
    for d in topics:
        for member in d.members:
            category = predictions[member].category if member in predictions else None
            if category:
                d.categories[category] += 1


class _Aside:
    """Run ``work`` in a forked process (when ``fork`` and this process may fork; here otherwise) and hand back its
    result, pickled through a pipe."""

    def __init__(self, work: Callable[[], Any], fork: bool) -> None:
        self.value: Any = None
        self.process: Any = None
        can_fork = "fork" in multiprocessing.get_all_start_methods() and not multiprocessing.current_process().daemon
        if not (fork and can_fork):
            self.value = work()
            return
        self.receive, send = multiprocessing.get_context("fork").Pipe(duplex=False)

        def run() -> None:
            try:
                send.send((True, work()))
            except BaseException as exc:  # noqa: BLE001 - handed to the parent, which raises it
                send.send((False, exc))
            finally:
                send.close()

        self.process = multiprocessing.get_context("fork").Process(target=run, daemon=True)
        self.process.start()
        send.close()

    def cancel(self) -> None:
        """Stop the forked process, if any, without waiting for its result."""
        if self.process is not None:
            self.process.terminate()
            self.process.join()
            self.receive.close()

    def result(self) -> Any:
        """Return what ``work`` returned; raise what it raised."""
        if self.process is None:
            return self.value
        try:
            ok, value = self.receive.recv()
        except EOFError as exc:
            raise RuntimeError("分类进程意外退出") from exc
        finally:
            self.receive.close()
            self.process.join()
        if not ok:
            raise value
        return value


def _topics(opinions: Sequence[Opinion], tokens: list[tuple[tuple[str, ...], tuple[str, ...]]], labels: Any,
            matrix: Any, places: np.ndarray[Any, np.dtype[np.bool_]], persons: dict[str, str],
            reference: datetime | None, config: MiningConfig) -> dict[str, Any]:
    """Return the parts of the state made from the clusters ``labels``: topics ranked by heat with their sums and
    keywords, and the pool of opinions in no topic; their categories are left to count."""
    ids = [o.id for o in opinions]
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
        d = new_data(readable_title(opinions[central].title, opinions[central].text))
        for i in ordered:
            add_member(d, opinions[i], persons[ids[i]], None)  # categories: counted by mine
        provisional.append((d, k, ordered))
    ranked = sorted(provisional, key=lambda item: -heat(item[0].voices, now=reference, config=config.heat).heat)
    topic_ids = [f"t{n}" for n in range(1, len(ranked) + 1)]
    keywords = KeywordIndex()
    for topic_id, (_d, _row, ordered) in zip(topic_ids, ranked, strict=True):
        words_of: dict[str, tuple[set[str], set[str]]] = {}
        for i in ordered:
            in_title, in_body = words_of.setdefault(persons[ids[i]], (set(), set()))
            in_title.update(tokens[i][0])
            in_body.update(tokens[i][1])
        for in_title, in_body in words_of.values():
            keywords.add(topic_id, in_title, in_body)
    for i in singles:
        keywords.add(REST, *tokens[i])
    for topic_id, (d, _row, ordered) in zip(topic_ids, ranked, strict=True):
        d.title = name_topic([(opinions[i].title, opinions[i].text) for i in ordered[:NAME_MEMBERS]],
                             specific=keywords.keywords(topic_id, config.keywords)).text
    return {
        "topic_ids": topic_ids,
        "sums": _Rows.of(topic_sums[[row for _d, row, _o in ranked]], places,
                         np.array([len(o) for _d, _r, o in ranked], dtype=np.float64)),
        "data": {topic_id: d for topic_id, (d, _r, _o) in zip(topic_ids, ranked, strict=True)},
        "pool_ids": [ids[i] for i in singles],
        "pool": _Rows.of(matrix[singles] if singles else matrix[:0], places, np.ones(len(singles))),
        "pool_opinions": {ids[i]: _pack(opinions[i], tokens[i]) for i in singles},
        "keywords": keywords, "next_id": len(topic_ids) + 1,
    }


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
