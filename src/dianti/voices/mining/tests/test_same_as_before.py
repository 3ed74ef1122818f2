"""Faster code gives what the code it replaced gave (kept in :mod:`.before`), on fixtures written for it."""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import pytest

from dianti.voices.files import result_json
from dianti.voices.mining import cluster, features, label, linkage, segment
from dianti.voices.mining.normalize import normalize
from dianti.voices.mining.pipeline import Opinion, mine
from dianti.voices.mining.synth import synthetic_opinions

from . import before
from .fixtures import village_opinions

# Things the templates never write: district codes, numbered lines and buildings, spaces, Latin words, numbers,
# mixed punctuation, openers and particles, traditional characters.
_EXTRAS = ("a3区", "A市", "b市", "西地省", "a12县", "3号线", "12号楼", "5栋", "2单元", "  ", " abc ", "2.5%", "——",
           "！！", "？", "（附图）", "…", "我想反映一下", "希望", "嘞", "咯", "請問", "謝謝", "x-1", "1号", "，，",
           "魏家坡", "伊景园滨河苑", "老房子空着没人住", "路灯坏了", "\n", "\t", "a3区3号线")


def _varied(n: int, seed: int = 5) -> list[Opinion]:
    """Return ``n`` synthetic opinions with extras spliced into their titles and bodies."""
    rng = random.Random(seed)
    out = []
    for o in synthetic_opinions(n).opinions:
        title, text = o.title, o.text
        for _ in range(rng.randint(0, 3)):
            at = rng.randint(0, len(text))
            text = text[:at] + rng.choice(_EXTRAS) + text[at:]
        if rng.random() < 0.3:
            title = rng.choice(_EXTRAS) + title
        out.append(Opinion(id=o.id, title=title, text=text, user=o.user, time=o.time, likes=o.likes))
    return out


def _texts() -> list[str]:
    opinions = [*village_opinions(), *_varied(600)]
    return [normalize(t) for o in opinions for t in (o.title, o.text)] + ["", " ", "a3", "区", "3", "号线"]


def test_the_cut_and_the_joined_codes_are_those_of_before() -> None:
    for text in _texts():
        assert segment.cut(text) == before.cut(text), text
        words = before.cut(text)
        assert segment.merge_codes(words) == before.merge_codes(words), text
    assert segment.merge_codes(["a3", "区", "3", "号线", "市", "7", "号", "号"]) == ["a3区", "3号线", "市", "7号", "号"]


def test_an_opinion_s_terms_and_words_are_those_of_before(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    texts = _texts()
    for title, body in zip(texts[::2], texts[1::2], strict=False):
        features.clear_caches()
        now = features.opinion_terms(title, body)
        with monkeypatch.context() as patch:
            patch.setattr(features, "_analyse", before.analyse)
            features.clear_caches()
            then = features.opinion_terms(title, body)
        assert now == then and list(now.terms) == list(then.terms), (title, body)  # the terms' order too
    features.clear_caches()


def test_a_topic_s_candidate_objects_are_those_of_before() -> None:
    texts = _texts()
    rng = random.Random(3)
    words = sorted({w for t in texts[:200] for w in segment.tokenize(t) if len(w) >= 2})
    for k in range(0, len(texts) - 15, 15):
        members = texts[k : k + 15]
        for anchors in ([], rng.sample(words, 5), ["路灯", "灯"], ["a3区"]):
            assert label._member_candidates(members, anchors) == before.member_candidates(members, anchors)
        for t in members:
            assert label._clauses(t) == before.clauses(t)
            assert [label._runs(c) for c in label._clauses(t)] == [before.runs(c) for c in label._clauses(t)]
        candidates = label._member_candidates(members, [])
        for anchors in ([], rng.sample(words, 5), ["路灯"]):
            assert label._object(candidates, anchors) == before.object_of(candidates, anchors)


def _mined_json(opinions: list[Opinion]) -> str:
    features.clear_caches()
    result = mine(opinions)
    return result_json(result) + repr(sorted(result.assignments.items()))


@pytest.mark.parametrize("n", [300, 1500])
def test_mining_gives_the_same_topics_names_and_assignments_as_before(n: int, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    opinions = [*village_opinions(), *_varied(n)]
    now = _mined_json(opinions)
    with monkeypatch.context() as patch:
        patch.setattr(features, "cut", before.cut)
        patch.setattr(features, "merge_codes", before.merge_codes)
        patch.setattr(features, "canonical_runs", before.canonical_runs)
        patch.setattr(features, "_analyse", before.analyse)
        patch.setattr(label, "_clauses", before.clauses)
        patch.setattr(label, "_member_candidates", before.member_candidates)
        patch.setattr(label, "_object", before.object_of)
        patch.setattr(label.KeywordIndex, "add", before.keyword_add)
        patch.setattr(cluster, "_block_product", before.block_product)
        patch.setattr(linkage, "_reciprocal_pairs", before.reciprocal_pairs)
        then = _mined_json(opinions)
    features.clear_caches()
    assert '"title"' in now and now == then


def _matrix(n: int) -> tuple[Any, Any]:
    opinions = _varied(n)
    analysed = features.analyse_many([(normalize(o.title), normalize(o.text)) for o in opinions])
    space = features.FeatureSpace.fit([a.terms for a in analysed])
    return space.transform([a.terms for a in analysed]), features.place_mask(space)


@pytest.mark.parametrize(("block", "max_df", "per_row", "neighbours"),
                         [(2048, None, 256, 64), (37, None, 256, 64), (64, 40, 6, 64), (100, 3, 256, 4)])
def test_the_similarity_graph_is_the_one_of_before(block: int, max_df: int | None, per_row: int, neighbours: int,
                                                    monkeypatch) -> None:  # type: ignore[no-untyped-def]
    matrix, places = _matrix(1200)
    monkeypatch.setattr(cluster, "CANDIDATES_PER_ROW", per_row)  # small: the pruning of crowded rows runs too
    now = cluster.similarity_graph(matrix, place_columns=places, block=block, max_df=max_df,
                                   max_neighbors=neighbours)
    monkeypatch.setattr(cluster, "_block_product", before.block_product)
    then = cluster.similarity_graph(matrix, place_columns=places, block=block, max_df=max_df,
                                    max_neighbors=neighbours)
    assert len(now.rows) > 300
    for a, b in ((now.rows, then.rows), (now.cols, then.cols), (now.sims, then.sims)):
        assert a.dtype == b.dtype and np.array_equal(a, b)


def test_reciprocal_best_neighbours_are_those_of_before() -> None:
    rng = np.random.default_rng(4)
    for n, m, levels in ((50, 200, 4), (500, 3000, 20), (2000, 5000, 1000)):
        u = rng.integers(0, n, m)
        v = rng.integers(0, n, m)
        u, v = np.minimum(u, v)[u != v], np.maximum(u, v)[u != v]
        link = rng.integers(1, levels + 1, len(u)) / levels  # coarse, so ties between neighbours are common
        now, then = linkage._reciprocal_pairs(n, u, v, link), before.reciprocal_pairs(n, u, v, link)
        assert len(now[0]) and all(np.array_equal(a, b) for a, b in zip(now, then, strict=True))


def test_segmenting_in_two_workers_gives_each_opinion_its_own_analysis_in_order() -> None:
    opinions = _varied(1200)
    pairs = [(normalize(o.title), normalize(o.text)) for o in opinions]
    pairs += pairs[::3]  # copies, which the workers now take together
    alone, shared = features.analyse_many(pairs, 1), features.analyse_many(pairs, 2)
    assert alone == shared and [list(a.terms) for a in alone] == [list(a.terms) for a in shared]


@pytest.mark.parametrize("chunk", [4096, 97])
def test_learned_predictions_are_those_of_before_to_the_bit(chunk: int, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from dianti.voices.mining import classify

    opinions = [*village_opinions(), *_varied(1500)]
    items = [(o.title, o.text) for o in opinions]
    keyword = [p.category or "其他" for p in classify.KeywordClassifier().predict(items)]
    model = classify.LearnedClassifier().fit(items[::3], keyword[::3])
    items += [("", ""), (" ", "龘"), ("路灯", ""), ("&lt;b&gt;路灯&amp;", "<p>a3区  3号线\n\t路灯</p>😀")]
    pairs = [(normalize(t, max_chars=200), normalize(b, max_chars=800)) for t, b in items]
    tokens = [(a.title_tokens, a.body_tokens) for a in features.analyse_many(pairs)]
    tokens[-1] = (("路灯", "有 空格", ""), ("", "\u3000", "a3区"))  # what a caller might pass: splits as before
    monkeypatch.setattr(classify, "PREDICT_CHUNK", chunk)
    for given in (tokens, None):
        now = model.probabilities(pairs, given)
        then = before.learned_probabilities(model, pairs, given)
        assert now.dtype == then.dtype and np.array_equal(now, then)
        assert model.predict(pairs, given) == before.learned_predict(model, pairs, given)
    assert len(set(keyword)) >= 4


@pytest.mark.parametrize("workers", [1, 2])
def test_training_inside_mine_gives_the_json_and_predictions_of_fitting_first(workers: int) -> None:
    from dianti.voices.mining import classify

    opinions = [*village_opinions(), *_varied(1200)]
    labelled = _varied(900, seed=8)
    items = [(o.title, o.text) for o in labelled]
    items += [("", ""), (" ", "龘"), ("&lt;b&gt;路灯&amp;", "<p>a3区  3号线\n\t路灯</p>😀" * 40), *items[:50]]
    labels = [p.category or "其他" for p in classify.KeywordClassifier().predict(items)]
    features.clear_caches()
    first = classify.LearnedClassifier().fit(items, labels, workers=workers)
    then = mine(opinions, classifier=first, workers=workers)
    features.clear_caches()
    inside = classify.LearnedClassifier()
    now = mine(opinions, classifier=inside, train=(items, labels), workers=workers)
    assert result_json(now) == result_json(then) and now.predictions == then.predictions
    assert np.array_equal(inside.model.coef_, first.model.coef_) and inside.words.vocabulary_ == first.words.vocabulary_
    pairs = [(o.title, o.text) for o in opinions]
    assert np.array_equal(inside.probabilities(pairs), first.probabilities(pairs))
    assert len(set(labels)) >= 4 and '"category"' in result_json(now)


@pytest.mark.parametrize("workers", [1, 2])
def test_training_inside_mine_raises_what_fitting_raises(workers: int) -> None:
    from dianti.voices.mining import classify

    with pytest.raises(ValueError, match="没有可供学习"):
        mine(_varied(1200), classifier=classify.LearnedClassifier(), train=([], []), workers=workers)


def test_a_failure_while_the_classifier_trains_aside_stops_its_process(monkeypatch: pytest.MonkeyPatch) -> None:
    import multiprocessing

    from dianti.voices.mining import classify, pipeline

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("聚类出错")

    monkeypatch.setattr(pipeline, "_cluster", broken)
    labelled = _varied(300, seed=8)
    items = [(o.title, o.text) for o in labelled]
    labels = [p.category or "其他" for p in classify.KeywordClassifier().predict(items)]
    with pytest.raises(RuntimeError, match="聚类出错"):
        mine(_varied(1200), classifier=classify.LearnedClassifier(), train=(items, labels), workers=2)
    assert multiprocessing.active_children() == []  # not left waiting to hand over a result nobody reads
