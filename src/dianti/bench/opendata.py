"""``dianti bench opendata [--database postgres://…] [-o counties=100] [-o dbname=NAME]``: the open data files
(``/p/data/<name>.json|csv``) of a whole province, streamed.

On the cached scale database of ``dianti bench tree`` (as ``bench pages``), each file is downloaded in-process
through Django's test client and the whole middleware stack: wall and CPU ms, bytes, rows, queries, and the peak
Python memory while streaming (``tracemalloc``, in a second pass so the timing is not slowed by it). The baseline,
measured in the same run: the same rows read in one query, materialised in one list and serialised at once — what
a non-streamed export would hold. ``peak_ratio`` is streamed ÷ materialised peak memory.

The measuring side runs as ``python -m dianti.bench.opendata '{"action": "measure"}'`` with the target's environment.
"""

from __future__ import annotations

import json
import sys
import time
import tracemalloc
from typing import Any

from . import register
from .targets import answer, cached_target, loadavg, run_dianti, run_helper
from .tree import _ensure_built

HELPER = "dianti.bench.opendata"


@register("opendata", "开放数据（评议结果、整改进展，JSON 与 CSV）全省流式导出的耗时、查询数与内存峰值，"
                      "对照一次性物化（-o counties=N；--database postgres://…；-o dbname=NAME）")
def bench_opendata(params: dict[str, Any]) -> dict[str, Any]:
    counties = int(params.get("counties") or 100)
    target = cached_target(counties, params.get("database"), str(params.get("rebuild", "0")) == "1",
                           name=params.get("dbname"))
    print(f"数据库：{target.label}", flush=True)
    build = _ensure_built(target, counties)
    run_dianti(target, "collectstatic", "--no-input", "-v", "0", production=True)
    load_before = loadavg()
    measured = run_helper(target, HELPER, {"action": "measure"})
    return {"bench": "opendata", "database": target.vendor, "counties": counties, "build": build, **measured,
            "loadavg": [load_before, loadavg()]}


def _download(client: Any, path: str) -> tuple[int, int]:
    response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"GET {path}: HTTP {response.status_code}")
    size = rows = 0
    for piece in response.streaming_content:
        size += len(piece)
        rows += piece.count(b"\n")
    return size, rows


def _peak(fn: Any) -> tuple[Any, float]:
    tracemalloc.start()
    try:
        out = fn()
        return out, round(tracemalloc.get_traced_memory()[1] / 2**20, 2)
    finally:
        tracemalloc.stop()


class _Counter:
    """Count the queries run while it wraps the connection (the test client resets Django's own query log when a
    request starts, so that log cannot count a streamed body)."""

    n = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.n += 1
        return execute(sql, params, many, context)


def _measure() -> dict[str, Any]:
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from dianti.portal import opendata

    client, files = Client(), {}
    for name, dataset in opendata.DATASETS.items():
        chunk, opendata.CHUNK = opendata.CHUNK, 10**9  # the baseline reads every row in one go
        try:
            materialised, base_peak = _peak(lambda d=dataset: json.dumps(list(d.rows(opendata.Filters())),
                                                                           ensure_ascii=False))
        finally:
            opendata.CHUNK = chunk
        for fmt in ("json", "csv"):
            path = reverse("portal_data_file", args=[name, fmt])
            t, c = time.perf_counter(), time.process_time()
            queries = _Counter()
            with connection.execute_wrapper(queries):
                size, lines = _download(client, path)
            wall, cpu = (time.perf_counter() - t) * 1000, (time.process_time() - c) * 1000
            _, peak = _peak(lambda p=path: _download(client, p))
            files[f"{name}.{fmt}"] = {
                "rows": lines - (1 if fmt == "csv" else 2), "bytes": size, "queries": queries.n,
                "wall_ms": round(wall, 1), "cpu_ms": round(cpu, 1), "peak_mib": peak,
                "materialised_peak_mib": base_peak, "materialised_bytes": len(materialised.encode()),
                "peak_ratio": round(peak / base_peak, 3) if base_peak else None}
    return {"chunk": opendata.CHUNK, "baseline": "the same rows read at once, materialised in one list", "files": files}


if __name__ == "__main__":
    answer(sys.argv, {"measure": lambda spec: _measure()})
