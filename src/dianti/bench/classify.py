"""Benchmark of the category classifier: ``dianti bench classify [--data DIR] [-o folds=5] [-o seed=0]``.

Stratified ``folds``-fold cross-validation on the 1,842 labelled messages of ``labelled_dev.csv`` (2020 Teddy Cup,
in ``../shared/data/teddy2020c`` beside the repository, or ``--data`` / ``-o data=DIR``), the same folds for every
model in the same run:

* ``learned`` — :class:`~dianti.voices.mining.classify.LearnedClassifier`, fitted on the training folds;
* ``baseline`` — TF-IDF of character 1–2-grams of title + text (sublinear tf) and a default ``LinearSVC``: the
  baseline of ``dianti bench mine``;
* ``keyword_rules`` — the untrained keyword rules (no fitting).

Each reports macro-F1 per fold, their mean and standard deviation, macro-F1 over all held-out predictions, and
the CPU seconds of fitting and predicting (segmenting included); ``cpu_ratio`` is the learned classifier's CPU over
the baseline's. Without the data it prints ``{"skipped": …}``.

The variants tried against the learned classifier (listed in its module docstring) are rerun, paired fold by
fold, by ``scripts/classify_variants.py``.
"""

from __future__ import annotations

import resource
import statistics
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from . import mine_data, register

REPO = Path(__file__).resolve().parents[3]
DEFAULT_DATA = REPO.parent / "shared" / "data" / "teddy2020c"
Items = list[tuple[str, str]]
FitPredict = Callable[[Items, list[str], Items], list[str]]


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def baseline(train: Items, labels: list[str], test: Items) -> list[str]:
    """Fit the plain baseline (character 1–2-gram TF-IDF + default LinearSVC) and predict ``test``."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 2), sublinear_tf=True)
    svm = LinearSVC().fit(vectorizer.fit_transform([f"{t} {b}" for t, b in train]), labels)
    return [str(c) for c in svm.predict(vectorizer.transform([f"{t} {b}" for t, b in test]))]


def learned(train: Items, labels: list[str], test: Items) -> list[str]:
    """Fit the product's learned classifier (segmenting included) and predict ``test``."""
    from dianti.voices.mining.classify import LearnedClassifier

    return [p.category or "" for p in LearnedClassifier().fit(train, labels).predict(test)]


def keyword_rules(train: Items, labels: list[str], test: Items) -> list[str]:
    """Predict ``test`` with the untrained keyword rules."""
    from dianti.voices.mining.classify import KeywordClassifier

    return [p.category or "" for p in KeywordClassifier().predict(test)]


def cross_validate(items: Items, labels: Sequence[str], models: dict[str, FitPredict], *, folds: int = 5,
                   seed: int = 0) -> dict[str, dict[str, Any]]:
    """Return, for each named model, its macro-F1 on each of ``folds`` stratified folds, their mean and sd, the
    macro-F1 of all held-out predictions together, and its CPU seconds of fitting and predicting."""
    import numpy as np
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedKFold

    y = np.array(labels)
    splits = list(StratifiedKFold(folds, shuffle=True, random_state=seed).split(np.zeros(len(y)), y))
    report: dict[str, dict[str, Any]] = {}
    for name, fit_predict in models.items():
        predicted = np.empty(len(y), dtype=object)
        scores, cpu = [], 0.0
        for train, test in splits:
            started = _cpu()
            predicted[test] = fit_predict([items[i] for i in train], [str(c) for c in y[train]],
                                          [items[i] for i in test])
            cpu += _cpu() - started
            scores.append(float(f1_score(y[test], predicted[test].astype(str), average="macro")))
        report[name] = {"fold_macro_f1": [round(s, 4) for s in scores],
                        "macro_f1_mean": round(statistics.mean(scores), 4),
                        "macro_f1_sd": round(statistics.stdev(scores), 4) if len(scores) > 1 else 0.0,
                        "pooled_macro_f1": round(float(f1_score(y, predicted.astype(str), average="macro")), 4),
                        "cpu_seconds": round(cpu, 2)}
    return report


def evaluate(data: Path, folds: int = 5, seed: int = 0) -> dict[str, Any]:
    """Return the cross-validated figures of the learned classifier, the baseline and the rules on ``data``."""
    items, labels = mine_data.labelled(data)
    report: dict[str, Any] = {"examples": len(items), "classes": len(set(labels)), "folds": folds, "seed": seed}
    report.update(cross_validate(items, labels, {"learned": learned, "baseline": baseline,
                                                 "keyword_rules": keyword_rules}, folds=folds, seed=seed))
    report["gain_over_baseline"] = round(report["learned"]["macro_f1_mean"] - report["baseline"]["macro_f1_mean"], 4)
    report["cpu_ratio"] = round(report["learned"]["cpu_seconds"] / max(report["baseline"]["cpu_seconds"], 1e-9), 2)
    return report


@register("classify", help="意见分类：分层 5 折交叉验证 macro-F1（均值 ± 标准差），对比字符 TF-IDF + LinearSVC 基线与 CPU 秒")
def bench_classify(params: dict[str, Any]) -> dict[str, Any]:
    data = Path(params.get("data") or DEFAULT_DATA)
    if not (data / "labelled_dev.csv").exists():
        return {"skipped": f"没有找到数据目录 {data}（需要 labelled_dev.csv）"}
    from .targets import loadavg

    report: dict[str, Any] = {"data": str(data), "load_average_at_start": loadavg()}
    report.update(evaluate(data, int(params.get("folds", 5)), int(params.get("seed", 0))))
    report["load_average_at_end"] = loadavg()
    return report
