"""Measure paraphrase grouping on labelled pairs: would the miner put two opinions in one topic?

A pair is *linked* when its two opinions, weighed in the feature space of a reference corpus (the organization's or
file's other opinions: what sets each word's idf), have an edge in :func:`~.cluster.similarity_graph` at the
linkage threshold of ``config`` with its place-and-problem gate — the average link of two singletons is their
cosine, so that is the decision the miner's first merge makes. Against pairs labelled *merge* (one concern in other
words) and *apart* (different concerns), :func:`merge_scores` reports precision and recall of the links.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from . import cluster as clustering
from .features import FeatureSpace, analyse_many, place_mask
from .normalize import normalize
from .records import MiningConfig

Text = tuple[str, str]  # (title, body)


@dataclass(frozen=True)
class Pair:
    """Two opinions and whether they are one concern (``merge``) or not."""

    merge: bool
    first: Text
    second: Text


def read_pairs(text: str) -> list[Pair]:
    """Return the pairs of a file of lines ``merge|apart <TAB> opinion <TAB> opinion`` (``#`` starts a comment)."""
    pairs = []
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            label, first, second = line.split("\t")
            pairs.append(Pair(label.strip() == "merge", ("", first.strip()), ("", second.strip())))
    return pairs


def _terms(texts: Sequence[Text]) -> list[dict[str, int]]:
    pairs = [(normalize(t, max_chars=200), normalize(b, max_chars=800)) for t, b in texts]
    return [a.terms for a in analyse_many(pairs)]


def linked(pairs: Sequence[Pair], corpus: Sequence[Text], config: MiningConfig) -> list[bool]:
    """Return, per pair, whether the miner links its two opinions (see the module docstring). The corpus is
    extended with the pairs' own texts."""
    docs = _terms([*corpus, *(t for p in pairs for t in (p.first, p.second))])
    space = FeatureSpace.fit(docs)
    mask = place_mask(space)
    vectors = space.transform(docs[len(corpus) :])
    out = []
    for k in range(len(pairs)):
        graph = clustering.similarity_graph(vectors[2 * k : 2 * k + 2], place_columns=mask,
                                            edge_threshold=config.link_threshold, place_min=config.place_min,
                                            problem_min=config.problem_min)
        out.append(bool(len(graph.rows)))
    return out


def merge_scores(pairs: Sequence[Pair], decided: Sequence[bool]) -> dict[str, float | int]:
    """Return precision, recall and F1 of the links ``decided`` against the pairs' labels, with the counts."""
    truth = np.array([p.merge for p in pairs], dtype=bool)
    said = np.array(decided, dtype=bool)
    hits = int((truth & said).sum())
    precision = hits / max(1, int(said.sum()))
    recall = hits / max(1, int(truth.sum()))
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"pairs": len(pairs), "merge_pairs": int(truth.sum()), "linked": int(said.sum()), "correct_links": hits,
            "precision": round(precision, 3), "recall": round(recall, 3), "f1": round(f1, 3)}
