"""Benchmarks, driving the product from outside: each module of this package registers named benchmarks, and
``dianti bench NAME`` runs one and prints its figures, the last line being one JSON object. Figures are reported
next to a baseline measured in the same run where one makes sense, since these machines are noisy.

The product never imports this package; it is a Django app only to hold the ``bench`` command, and the ballots
benchmark serves the product with settings of its own (:mod:`.settings`) that mount its baseline view.
"""

from __future__ import annotations

import importlib
import pkgutil
import statistics
import time
from collections.abc import Callable
from typing import Any

Benchmark = Callable[[dict[str, Any]], dict[str, Any]]
_REGISTRY: dict[str, tuple[Benchmark, str]] = {}
# The package's modules that are not benchmarks: the Django app's parts, and the server's settings and URLs.
NOT_BENCHMARKS = frozenset({"apps", "settings", "urls", "views", "report"})


def register(name: str, help: str = "") -> Callable[[Benchmark], Benchmark]:
    def decorator(fn: Benchmark) -> Benchmark:
        _REGISTRY[name] = (fn, help)
        return fn

    return decorator


def load_all() -> dict[str, tuple[Benchmark, str]]:
    """Import every module of this package (not its subpackages: the command, the tests) and return the registry.
    A module that fails to import, for a missing dependency too, fails the command rather than vanishing from it."""
    for module in pkgutil.iter_modules(__path__):
        if not module.ispkg and module.name not in NOT_BENCHMARKS:
            importlib.import_module(f"{__name__}.{module.name}")
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
