"""Benchmarks: each app registers named benchmarks; ``dianti bench NAME`` runs one and prints its figures, the last
line being one JSON object. Figures are reported next to a baseline measured in the same run where one makes sense,
since these machines are noisy."""

from __future__ import annotations

import importlib
import statistics
import time
from collections.abc import Callable
from typing import Any

Benchmark = Callable[[dict[str, Any]], dict[str, Any]]
_REGISTRY: dict[str, tuple[Benchmark, str]] = {}
MODULES = ("dianti.orgs.bench", "dianti.voices.bench", "dianti.appraisal.bench", "dianti.meetings.bench",
           "dianti.meetings.bench_crash")


def register(name: str, help: str = "") -> Callable[[Benchmark], Benchmark]:
    def decorator(fn: Benchmark) -> Benchmark:
        _REGISTRY[name] = (fn, help)
        return fn

    return decorator


def load_all() -> dict[str, tuple[Benchmark, str]]:
    for module in MODULES:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
    return _REGISTRY


def timed(fn: Callable[[], Any], repeat: int = 20, warmup: int = 2) -> dict[str, float]:
    """Return the median, p95 and max wall time of ``fn`` in milliseconds."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    samples.sort()
    return {"median_ms": round(statistics.median(samples), 2),
            "p95_ms": round(samples[min(len(samples) - 1, int(len(samples) * 0.95))], 2),
            "max_ms": round(samples[-1], 2)}
