"""Benchmark of the opinion miner: ``dianti bench mine [--data DIR] [-o n=100000] [-o size=100000] [-o workers=2]
[-o folds=5]``.

Reads the 2020 Teddy Cup citizen messages from ``../shared/data/teddy2020c`` beside the repository (or ``--data`` /
``-o data=DIR``) and reports, as one JSON object:

* ``classify`` — :func:`.classify.evaluate`: stratified ``folds``-fold cross-validated macro-F1 on
  ``labelled_dev.csv`` of the learned classifier and, on the same folds in the same run, of the plain character
  TF-IDF + ``LinearSVC`` baseline and of the untrained keyword rules, with CPU seconds (``dianti bench classify``
  runs this part alone);
* ``mine_file`` — ``dianti mine`` end to end on ``messages_with_likes.csv``: read the CSV, train the classifier on
  ``labelled_dev.csv``, mine with classification, write the JSON; wall and CPU seconds, stage times, topics; and, in
  the same run, the *baseline*: read the same files, TF-IDF of character 1–2-grams of title + text and a default
  ``LinearSVC`` trained on the labelled messages and predicting every message. ``ratio`` is mining's wall time over
  the baseline's (``cpu_ratio`` the same in CPU seconds);
* ``incremental`` — :func:`assign` of held-out messages into the mined state: median and p95 milliseconds, alone
  and with the state's round trip through bytes (what a web request that loads and stores it pays);
* ``synthetic`` — ``n`` synthetic opinions (recombined templates, :mod:`dianti.voices.mining.synth`) mined in a fresh process:
  wall and CPU seconds, peak memory (``ru_maxrss`` of the mining process and of its segmenting workers), agreement with the
  true topics (adjusted Rand index), and assign latency on the large state;
* ``paraphrase`` — merge precision and recall on labelled pairs, with the synonym lexicon off and on (see
  :mod:`.paraphrase`);
* ``size`` — ``size`` opinions made from the real messages (resampled and perturbed when there are fewer, see
  :mod:`.mine_data`), each of mining with training and classification and of the baseline run in a fresh process:
  wall and CPU seconds, peak memory, their ratio, and how often the copies of one message end in one topic.

The machine's load average is reported at the start and the end: on a shared machine wall times grow with it,
CPU seconds do not. Without the data directory it prints ``{"skipped": …}``. Targets: mine_file within 1.3× of its
baseline; ``size`` = 100,000 in < 60 s and < 1 GB peak; assign < 200 ms.
"""

from __future__ import annotations

import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from . import classify, mine_data, paraphrase, register
from .targets import loadavg

REPO = Path(__file__).resolve().parents[3]
DEFAULT_DATA = REPO.parent / "shared" / "data" / "teddy2020c"


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {"median_ms": round(statistics.median(ordered), 2),
            "p95_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))], 2),
            "max_ms": round(ordered[-1], 2)}


def _baseline(data: Path, opinions: list[Any] | None = None) -> dict[str, Any]:
    """Return the wall and CPU seconds of the baseline: read the files (unless ``opinions`` are given), character
    1–2-gram TF-IDF of title + text, a default ``LinearSVC`` trained on the labelled messages, predicting every
    opinion."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    cpu, started = _cpu(), time.perf_counter()
    items, labels = mine_data.labelled(data)
    opinions = mine_data.messages(data) if opinions is None else opinions
    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 2), sublinear_tf=True)
    svm = LinearSVC().fit(vectorizer.fit_transform([f"{t} {b}" for t, b in items]), labels)
    predicted = svm.predict(vectorizer.transform([f"{o.title} {o.text}" for o in opinions]))
    return {"predicted": len(predicted), "seconds": round(time.perf_counter() - started, 2),
            "cpu_seconds": round(_cpu() - cpu, 2)}


def _mine_once(data: Path, workers: int, opinions: list[Any] | None = None,
               ) -> tuple[Any, list[Any], dict[str, Any]]:
    """Run ``dianti mine`` end to end: read (unless ``opinions`` are given), train, mine with classification,
    write the JSON. Return the result, the opinions and the figures."""
    from dianti.voices.files import result_json
    from dianti.voices.mining.classify import LearnedClassifier
    from dianti.voices.mining.pipeline import mine
    from dianti.voices.mining.segment import warm_up

    cpu, started = _cpu(), time.perf_counter()
    warm_up()
    warm_cpu = _cpu() - cpu
    opinions = mine_data.messages(data) if opinions is None else opinions
    items, labels = mine_data.labelled(data)
    stages: dict[str, float] = {}
    # as the command does: mine fits the classifier (the labelled rows segmented with the opinions) and classifies
    # in a forked process while it clusters and names: the wait for it is in the "topics" stage
    result = mine(opinions, classifier=LearnedClassifier(), train=(items, labels), workers=workers, timings=stages)
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "out.json").write_text(result_json(result), encoding="utf-8")
    return result, opinions, {
        "opinions": len(opinions), "workers": workers, "seconds": round(time.perf_counter() - started, 2),
        "cpu_seconds": round(_cpu() - cpu, 2), "stages": stages,
        # jieba's prepared dictionary comes from a file cache after the first run on a machine (segment.py): this
        # start is counted above either way (about 1.2 CPU-s without the cache, 0.5 with it)
        "warm_up_cpu_seconds": round(warm_cpu, 2),
        "topics": len(result.topics), "opinions_in_topics": sum(t.size for t in result.topics),
    }


def _mine_file(data: Path, workers: int) -> tuple[dict[str, Any], Any, list[Any]]:
    baseline = _baseline(data)
    result, opinions, report = _mine_once(data, workers)
    for rank, topic in enumerate(result.topics[:15], start=1):
        print(f"  {rank:>2}. {topic.title}  ({topic.people} 人, {topic.size} 条, 赞 {topic.likes}, 热度 {topic.heat:.1f})"
              f"  关键词：{'、'.join(topic.keywords)}")
    report["top_topics"] = [{"title": t.title, "people": t.people, "size": t.size} for t in result.topics[:5]]
    report["baseline"] = baseline
    report["ratio"] = round(report["seconds"] / baseline["seconds"], 2)
    report["cpu_ratio"] = round(report["cpu_seconds"] / baseline["cpu_seconds"], 2)
    return report, result, opinions


def _incremental(opinions: list[Any], repeat: int = 40) -> dict[str, Any]:
    from dianti.voices.mining.pipeline import TopicsState, assign, mine

    rng = random.Random(3)
    held = set(rng.sample(range(len(opinions)), repeat))
    state = mine([o for i, o in enumerate(opinions) if i not in held]).state
    blob = state.to_bytes()
    plain: list[float] = []
    round_trip: list[float] = []
    joined = 0
    for i in sorted(held):
        started = time.perf_counter()
        placed = assign(opinions[i], state)
        plain.append((time.perf_counter() - started) * 1000)
        joined += placed.topic_id is not None
    fresh = TopicsState.from_bytes(blob)
    for i in sorted(held):
        started = time.perf_counter()
        loaded = TopicsState.from_bytes(blob)
        assign(opinions[i], loaded)
        loaded.to_bytes()
        round_trip.append((time.perf_counter() - started) * 1000)
    del fresh
    return {"added": repeat, "placed_in_topic": joined, **_percentiles(plain),
            "with_state_bytes": _percentiles(round_trip), "state_mb": round(len(blob) / 2**20, 1)}


def synthetic_child(n: int, workers: int) -> None:
    """Run in a fresh process: mine ``n`` synthetic opinions and print one JSON line of figures."""
    from sklearn.metrics import adjusted_rand_score

    from dianti.voices.mining.pipeline import assign, mine
    from dianti.voices.mining.synth import synthetic_opinions

    generated = synthetic_opinions(n + 20)
    opinions, new = generated.opinions[:n], generated.opinions[n:]
    stages: dict[str, float] = {}
    cpu, started = _cpu(), time.perf_counter()
    result = mine(opinions, workers=workers, timings=stages)
    seconds = time.perf_counter() - started
    mined = [result.assignments[o.id] or f"-{o.id}" for o in opinions]
    truth = [t or f"-{o.id}" for t, o in zip(generated.truth[:n], opinions, strict=True)]
    samples = []
    for opinion in new:
        t = time.perf_counter()
        assign(opinion, result.state)
        samples.append((time.perf_counter() - t) * 1000)
    print(json.dumps({"opinions": n, "workers": workers, "seconds": round(seconds, 1),
                      "cpu_seconds": round(_cpu() - cpu, 1), "stages": stages, **_peak_mb(),
                      "topics": len(result.topics), "adjusted_rand_index": round(adjusted_rand_score(truth, mined), 3),
                      "assign_on_this_state": _percentiles(samples)}))


def _synthetic(n: int, workers: int) -> dict[str, Any]:
    return _child(f"from dianti.bench.mine import synthetic_child; synthetic_child({n}, {workers})")


def _peak_mb() -> dict[str, int]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"peak_rss_mb": round(own), "worker_peak_rss_mb": round(kids)}


def _copies_together(assignments: dict[str, str | None], opinions: list[Any], origin: list[int]) -> float:
    """Return the share of the copies of a message (of messages copied at least once) that sit in the topic most
    of its copies are in; a copy in no topic never counts."""
    from collections import Counter, defaultdict

    topics: dict[int, list[str | None]] = defaultdict(list)
    for o, source in zip(opinions, origin, strict=True):
        topics[source].append(assignments[o.id])
    copied = [t for t in topics.values() if len(t) >= 2]
    together = sum(max(Counter(x for x in t if x is not None).values(), default=0) for t in copied)
    return round(together / max(1, sum(len(t) for t in copied)), 3)


def size_child(data: str, size: int, workers: int, which: str) -> None:
    """Run in a fresh process: mine (``which`` = "mine") or run the baseline on ``size`` opinions made from the
    real messages, and print one JSON line of figures."""
    opinions, origin = mine_data.resampled(Path(data), size)
    if which == "baseline":
        report = _baseline(Path(data), opinions)
    else:
        result, _opinions, report = _mine_once(Path(data), workers, opinions)
        report["copies_together"] = _copies_together(result.assignments, opinions, origin)
    print(json.dumps({**report, **_peak_mb()}))


def _child(code: str) -> dict[str, Any]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=1800, check=False)
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1:] or ["failed"]}
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    report["process_seconds"] = round(time.perf_counter() - started, 1)
    return report


def _at_size(data: Path, size: int, workers: int) -> dict[str, Any]:
    run = f"from dianti.bench.mine import size_child; size_child({str(data)!r}, {size}, {workers}, "
    baseline = _child(run + "'baseline')")
    report = _child(run + "'mine')")
    if "error" not in report and "error" not in baseline:
        report["ratio"] = round(report["seconds"] / baseline["seconds"], 2)
        report["cpu_ratio"] = round(report["cpu_seconds"] / baseline["cpu_seconds"], 2)
    report["baseline"] = baseline
    return report


@register("mine", help="群众点题挖掘：分类 macro-F1（对比基线）、4,326 条端到端（对比基线）、10 万条合成与重采样数据、增量加入")
def bench_mine(params: dict[str, Any]) -> dict[str, Any]:
    data = Path(params.get("data") or DEFAULT_DATA)
    needed = [data / "labelled_dev.csv", data / "messages_with_likes.csv"]
    if not all(p.exists() for p in needed):
        return {"skipped": f"没有找到数据目录 {data}（需要 labelled_dev.csv 和 messages_with_likes.csv）"}
    workers = int(params.get("workers", 2))
    # Wall times on a shared machine depend on its load: report it, and CPU seconds beside every wall time.
    report: dict[str, Any] = {"data": str(data), "cpus": os.cpu_count(), "load_average_at_start": loadavg()}
    print("— 分类（交叉验证）…", flush=True)
    report["classify"] = classify.evaluate(data, int(params.get("folds", 5)))
    print("— 挖掘 messages_with_likes.csv …", flush=True)
    report["mine_file"], _result, opinions = _mine_file(data, workers)
    print("— 增量加入 …", flush=True)
    report["incremental"] = _incremental(opinions)
    print("— 同义改写（合并准确率与召回率）…", flush=True)
    report["paraphrase"] = paraphrase.figures(data)
    n = int(params.get("n", 100_000))
    if n:
        print(f"— {n} 条合成意见（独立进程）…", flush=True)
        report["synthetic"] = _synthetic(n, workers)
    size = int(params.get("size", 100_000))
    if size:
        print(f"— {size} 条由真实留言重采样的意见，挖掘与基线各一个独立进程 …", flush=True)
        report["size"] = _at_size(data, size, workers)
    report["load_average_at_end"] = loadavg()
    return report
