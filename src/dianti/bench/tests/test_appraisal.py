from __future__ import annotations

from dianti.bench import load_all
from dianti.bench.appraisal import bench_appraisal


def test_bench_is_registered() -> None:
    assert "appraisal" in load_all()


def test_bench_reports_figures_and_agrees_with_the_per_subject_path() -> None:
    figures = bench_appraisal({"subjects": "500", "ballots": "10000", "sample": "200"})
    assert {"subjects", "ballots", "seconds", "baseline_seconds", "speedup"} <= set(figures)
    assert figures["mismatched_subjects"] == 0 and figures["verified_subjects"] == 200
