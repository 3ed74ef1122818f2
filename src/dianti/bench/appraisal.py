"""``dianti bench appraisal``: score a province's appraisals at once and compare with the per-subject path.

A province is ~100 counties of ~1,500 organizations: 150,000 subjects with 3 million ballots (20 a subject on
average, three evaluator groups of unequal size, some groups empty, half the ballots stating an exact mark, 德能勤绩廉
item marks with ~1% straight-lined ballots that the scheme rules invalid).
:func:`~dianti.appraisal.engine.batch.score_batch` scores them all; a random sample of subjects is scored again one
by one with :func:`~dianti.appraisal.engine.scoring.score_subject`, timed and extrapolated to the province (the
baseline), and checked to give the same results. Options (``-o key=value``): subjects, ballots, sample, seed,
items (1/0).
"""

from __future__ import annotations

import os
import resource
import time
from typing import Any

import numpy as np

from dianti.appraisal.engine.batch import mismatches, score_batch
from dianti.appraisal.engine.scheme import default_scheme
from dianti.appraisal.engine.scoring import score_subject
from dianti.appraisal.engine.synthetic import ballots_of, synthetic_province

from . import register


@register("appraisal", "评议考核：全省 15 万对象、300 万张票一次算完（截尾均值、权重、满意率、Wilson 区间）")
def bench_appraisal(params: dict[str, Any]) -> dict[str, Any]:
    n_subjects = int(params.get("subjects", 150_000))
    n_ballots = int(params.get("ballots", 3_000_000))
    n_sample = min(int(params.get("sample", 2_000)), n_subjects)
    seed = int(params.get("seed", 20210113))
    with_items = str(params.get("items", "1")) not in ("0", "false", "no")
    scheme = default_scheme()

    t0 = time.perf_counter()
    data = synthetic_province(scheme, n_subjects, n_ballots, seed, items=with_items)
    generated = time.perf_counter() - t0

    t0 = time.perf_counter()
    result = score_batch(scheme, data["subject"], data["group"], data["grade"], n_subjects=n_subjects,
                         points=data["points"], items=data.get("items"))
    seconds = time.perf_counter() - t0

    sample = np.sort(np.random.default_rng(seed + 1).choice(n_subjects, n_sample, replace=False))
    by_subject = ballots_of(data, scheme, sample)
    t0 = time.perf_counter()
    singles = {int(s): score_subject(by_subject.get(int(s), []), scheme, subject=int(s)) for s in sample}
    sample_seconds = time.perf_counter() - t0
    baseline = sample_seconds / n_sample * n_subjects
    bad = {s: m for s, r in singles.items() if (m := mismatches(result, s, r))}
    for s, m in list(bad.items())[:3]:
        print(f"mismatch on subject {s}: {m[:3]}")

    statuses = np.bincount(result.rule_status.ravel(), minlength=4)
    return {
        "subjects": n_subjects,
        "ballots": n_ballots,
        "seconds": round(seconds, 3),
        "ballots_per_second": round(n_ballots / seconds),
        "valid_ballots": int(result.n_valid.sum()),
        "empty_groups": int(result.empty_groups.sum()),
        "rule_outcomes": dict(zip(("no_data", "not_triggered", "uncertain", "triggered"), statuses.tolist(),
                                  strict=True)),
        "items": with_items,
        "baseline": "score_subject per subject on a sample, extrapolated",
        "baseline_sample": n_sample,
        "baseline_sample_seconds": round(sample_seconds, 3),
        "baseline_seconds": round(baseline, 1),
        "speedup": round(baseline / seconds, 1),
        "verified_subjects": n_sample,
        "mismatched_subjects": len(bad),
        "generate_seconds": round(generated, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "cpu_count": os.cpu_count(),
        "numpy": np.__version__,
    }
