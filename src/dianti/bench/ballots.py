"""Benchmark of the 述职会's secret ballots under a burst, over loopback HTTP against ``dianti serve``.

``dianti bench ballots [--database postgres://…] [-o evaluators=500] [-o subjects=14] [-o workers=2] [-o threads=2]
[-o concurrency=50] [-o spread=60] [-o replay=50] [-o scores=0] [-o keep=0]``

1. Build a throw-away database (a SQLite file under ``var/bench/ballots/``, or the database
   ``dianti_bench_ballots_<pid>`` on the given PostgreSQL server, dropped afterwards): migrate, one town with
   ``subjects`` villages and their secretaries, a campaign moved through the phases to 述职, and two meetings of it
   (A and B), each with an ``evaluators``-seat panel in four groups, its codes issued (their plain text comes back
   from ``services.codes_issue``) and opened — all through the services, in a helper process.
2. Start ``dianti serve`` (gunicorn, ``workers`` × ``threads``, 2 × 2 by default, production settings: no debug) on
   a free loopback port, with the benchmark's own settings (``dianti.bench.settings``), whose URLs add the baseline
   view (:mod:`dianti.bench.views`) to the product's.
3. Every evaluator scans the slip as a phone does — the entry page (``GET /m/e/code/``, the code in the link's
   fragment), its script's ``POST /m/e/code/`` (sets the signed cookie), the ballot page (``GET /m/e/``, the CSRF
   token) — not timed. A ballot is one POST of the form on a fresh connection: one
   grade per secretary (and the five item scores with ``-o scores=1``), timed from connecting to the last byte of
   the response; a browser-style redirect after it would be followed and counted.
4. Capacity, on meeting A: all its evaluators post at once, at most ``concurrency`` POSTs in flight (the rest wait
   their turn, and that wait is not in their latency) → ``ballots_per_s``, ``submissions_per_s``, ``burst``. The
   baseline — a minimal Django view (``baseline_ballot``) that parses the same form and inserts the same 14
   ``Ballot`` rows with one ``bulk_create`` in one transaction, behind the same middleware (sessions, CSRF …) on the
   same server — takes the same burst just before and just after; ``baseline_ratio`` is the product's ballots/s
   over the mean of the two.
5. The hall, on meeting B: each of its evaluators posts at a moment drawn at random within ``spread`` seconds
   (60 by default: the minute a chair gives the hall to grade and submit after a report, or before closing the
   vote — docs/scaling.md), however many are still in flight, while the projector's live partial
   (``/meetings/<pk>/screen/`` with ``HX-Request``, as a logged-in admin) is polled every 250 ms → the headline
   ``p50_ms``/``p95_ms``/``p99_ms`` and ``screen_busy_ms``; ``screen_ms`` is the partial once voting is over.
   ``hall_peak_per_s`` is the most sheets posted within one second. ``-o spread=2`` is the stress variant (the
   whole hall within two seconds), ``-o spread=0`` another capacity burst.
   Then double taps: ``replay`` of them post their same ballot again, twice at once on two connections.
6. A helper process checks the database: every acknowledged mark is stored once with what was sent (``lost``,
   ``wrong``), and there is no row beyond one per (code, item) (``duplicates``), using ``services.ballot_token``
   with the server's secret key.

"Ballots" are marks (one grade for one secretary: 500 × 14 = 7,000 rows); ``submissions_per_s`` counts the
evaluators' POSTs. The measuring client is one asyncio loop in this process over raw sockets, sharing the two cores
with the server; its CPU time is reported, and so is the server's (gunicorn master and workers, plus the PostgreSQL
backends of the bench database, from /proc) per acknowledged POST for the product and the baseline
(``cpu_ms_per_submission``, ``baseline_cpu_ratio``): on a shared machine these move far less than wall time.
Nothing but 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import random
import statistics
import time
from collections import Counter
from typing import Any
from urllib.parse import urlsplit

from . import register
from .http import Connection
from .phones import (
    Burst,
    Evaluator,
    Meter,
    arrivals_within,
    evaluators_for,
    post_ballot,
    post_baseline,
    run_burst,
    scan_slip,
)
from .server import logged_errors, run_action, serving, throwaway
from .targets import loadavg, run_dianti

SCREEN_EVERY_S = 0.25


async def _screen(port: int, path: str, session: str) -> float:
    conn = Connection(port)
    t = time.perf_counter()
    resp = await conn.request("GET", path, {"Cookie": f"sessionid={session}", "HX-Request": "true"}, close=True)
    ms = (time.perf_counter() - t) * 1000
    if resp.status != 200:
        raise RuntimeError(f"GET {path}: HTTP {resp.status}")
    return ms


async def _poll_screen(port: int, path: str, session: str, stop: asyncio.Event, out: list[float]) -> None:
    while not stop.is_set():
        out.append(await _screen(port, path, session))
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), SCREEN_EVERY_S)


def _pct(samples: list[float], q: float) -> float:
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    return round(ordered[min(len(ordered) - 1, max(0, int(round(q * len(ordered))) - 1))], 1)


def _summary(samples: list[float]) -> dict[str, float]:
    return {"p50_ms": _pct(samples, 0.50), "p95_ms": _pct(samples, 0.95), "p99_ms": _pct(samples, 0.99),
            "max_ms": round(max(samples), 1) if samples else float("nan")}


async def _drive(port: int, meter: Meter, setup: dict[str, Any], concurrency: int, spread: float, replay: int,
                 with_scores: bool, rng: random.Random) -> dict[str, Any]:
    """Meeting A takes the capacity burst (product between two baseline runs); meeting B the hall: its evaluators
    posting at random moments within ``spread`` seconds while the projector polls, then the double taps."""
    first, second = setup["meetings"]
    crowd, hall = evaluators_for(first, setup["grades"], rng), evaluators_for(second, setup["grades"], rng)
    session = setup["session"]

    # Scan the slips (not timed); 20 at a time, like people arriving.
    gate = asyncio.Semaphore(20)

    async def prepare(ev: Evaluator) -> None:
        async with gate:
            await scan_slip(port, ev)

    t = time.perf_counter()
    await asyncio.gather(*(prepare(ev) for ev in crowd + hall))
    prepare_s = time.perf_counter() - t
    screen_path = f"/meetings/{second['meeting']}/screen/"
    for _ in range(5):  # warm the projector page in every worker
        await _screen(port, screen_path, session)

    def baseline(ev: Evaluator) -> Any:
        return post_baseline(port, ev, with_scores, first["meeting"])

    def product(ev: Evaluator) -> Any:
        return post_ballot(port, ev, with_scores)

    base_before = await run_burst(crowd, concurrency, None, baseline, False, meter)
    burst = await run_burst(crowd, concurrency, None, product, True, meter)
    base_after = await run_burst(crowd, concurrency, None, baseline, False, meter)

    stop = asyncio.Event()
    screen_busy: list[float] = []
    poller = asyncio.create_task(_poll_screen(port, screen_path, session, stop, screen_busy))
    moments = arrivals_within(len(hall), spread, rng) if spread else None  # spread=0: another burst
    arrivals = await run_burst(hall, concurrency, moments, product, True, meter)
    stop.set()
    await poller

    # Double taps: the same ballot twice at once, on two connections, after it was stored.
    tapped = [ev for ev in hall if ev.acked][:replay]
    taps = await asyncio.gather(*(product(ev) for ev in tapped for _ in range(2)), return_exceptions=True)
    screen_idle = [await _screen(port, screen_path, session) for _ in range(30)]
    return {"crowd": crowd, "hall": hall, "prepare_s": prepare_s, "burst": burst, "arrivals": arrivals,
            "peak_per_s": max((bisect.bisect_right(moments, t + 1.0) - i for i, t in enumerate(moments)), default=0)
            if moments else len(hall),
            "baseline": [base_before, base_after], "screen_busy": screen_busy, "screen_idle": screen_idle,
            "replayed": len(tapped), "replay_acked": sum(1 for r in taps if isinstance(r, tuple) and r[0])}


# --------------------------------------------------------------------------------------------------------------
# The benchmark


@register("ballots", "述职会 500 名评议人提交 14 位书记的完整选票：吞吐（对照最小视图）、几秒内陆续提交时的 p99、"
                     "丢失/重复、投票中的大屏（--database postgres://…；-o workers=2 -o threads=2 -o concurrency=50 "
                     "-o spread=60，压力测试 -o spread=2）")
def bench_ballots(params: dict[str, Any]) -> dict[str, Any]:
    n = int(params.get("evaluators") or 500)
    subjects = int(params.get("subjects") or 14)
    workers = int(params.get("workers") or 2)
    # Two threads per worker, not `dianti serve`'s four: a thread that holds SQLite's write lock shares its process's
    # GIL with the others rendering pages, so more threads hold the lock longer (2 × 4: about 78 ballots/s and a
    # hall p99 of 4 s on SQLite; 2 × 2: about 105/s and 0.1 s; PostgreSQL is no worse with two).
    threads = int(params.get("threads") or 2)
    concurrency = int(params.get("concurrency") or 50)
    spread = float(params.get("spread", 60.0))
    replay = int(params.get("replay") or 50)
    with_scores = str(params.get("scores", "0")) == "1"
    keep = str(params.get("keep", "0")) == "1"
    load_before = loadavg()
    with throwaway(params.get("database"), keep) as target:
        print(f"数据库：{target.label}", flush=True)
        env = target.env(production=True)  # one secret key for the helpers and the server: tokens must agree
        env["DJANGO_SETTINGS_MODULE"] = "dianti.bench.settings"  # the product's, with the baseline view mounted
        run_dianti(target, "migrate", "--no-input")
        t = time.perf_counter()
        setup = run_action(env, {"action": "setup", "evaluators": n, "subjects": subjects})
        print(f"准备：两场会议，各 {subjects} 位书记、{n} 个评议码，{time.perf_counter() - t:.1f} s", flush=True)
        with serving(env, target.var_dir, workers, threads) as (port, pid):
            print(f"dianti serve：127.0.0.1:{port}，{workers} workers × {threads} threads", flush=True)
            meter = Meter(pid, urlsplit(target.url).path.lstrip("/") if target.vendor == "postgresql" else None)
            run = asyncio.run(_drive(port, meter, setup, concurrency, spread, replay, with_scores,
                                     random.Random(584)))
        server_errors = logged_errors(target.var_dir / "serve.log")
        checks = [run_action(env, {"action": "verify", "meeting": meeting["meeting"]}, stdin={
            "with_scores": with_scores, "acked": [[ev.code, ev.grades, ev.scores] for ev in evaluators if ev.acked]})
            for meeting, evaluators in zip(setup["meetings"], (run["crowd"], run["hall"]), strict=True)]
    result = _report(run, checks, subjects)
    result = {"bench": "ballots", "database": target.vendor, "workers": workers, "threads": threads,
              "concurrency": concurrency, "spread_s": spread, "evaluators": n, "subjects": subjects,
              "scores": with_scores, **result, "server_errors": server_errors, "loadavg": [load_before, loadavg()]}
    hall = result["hall"]
    print(f"吞吐：{result['ballots']} 票（{result['submissions']} 份选票，同时在途 {concurrency}）用时 "
          f"{result['seconds']} s：{result['ballots_per_s']} 票/s，{result['submissions_per_s']} 份/s，"
          f"p99 {result['burst']['p99_ms']} ms；对照 {result['baseline_ballots_per_s']} 票/s，比值 "
          f"{result['baseline_ratio']}（CPU {result['cpu_ms_per_submission']} / "
          f"{result['baseline_cpu_ms_per_submission']} ms 每份）", flush=True)
    print(f"会场：{n} 人在 {spread:g} s 内随机陆续提交（最多 {hall['peak_per_s']} 份/秒），{hall['seconds']} s 收齐："
          f"p50 {result['p50_ms']} ms，p95 "
          f"{result['p95_ms']} ms，p99 {result['p99_ms']} ms；大屏 {result['screen_busy_ms']} ms（投票后 "
          f"{result['screen_ms']} ms）；丢失 {result['lost']}，重复 {result['duplicates']}，不符 {result['wrong']}；"
          f"负载 {result['loadavg']}", flush=True)
    return result


def _report(run: dict[str, Any], checks: list[dict[str, Any]], subjects: int) -> dict[str, Any]:
    burst: Burst = run["burst"]
    arrivals: Burst = run["arrivals"]
    ballots_per_s = burst.acked * subjects / burst.seconds
    base_rates = [b.acked * subjects / b.seconds for b in run["baseline"]]
    screen, busy = run["screen_idle"], run["screen_busy"]
    errors = Counter(ev.error.split(":")[0] for ev in run["crowd"] + run["hall"] if ev.error)
    return {
        # The capacity burst on meeting A: every evaluator at once, ``concurrency`` POSTs in flight.
        "ballots": burst.acked * subjects, "ballots_per_s": round(ballots_per_s, 1),
        "submissions": burst.acked, "submissions_per_s": round(burst.acked / burst.seconds, 1),
        "seconds": round(burst.seconds, 2),
        "burst": {**_summary(burst.latencies), "failed": burst.failed, "statuses": burst.statuses},
        # The hall on meeting B: evaluators posting at random within ``spread`` seconds; its latencies are the headline.
        **{k: v for k, v in _summary(arrivals.latencies).items()},
        "hall": {"seconds": round(arrivals.seconds, 2), "submissions": arrivals.acked, "failed": arrivals.failed,
                 "peak_per_s": run["peak_per_s"],
                 "statuses": arrivals.statuses, "ballots_per_s": round(arrivals.acked * subjects / arrivals.seconds, 1),
                 "cpu_ms_per_submission": arrivals.cpu_ms_each()},
        "errors": dict(errors),
        "lost": sum(c["lost"] for c in checks), "duplicates": sum(c["duplicates"] for c in checks),
        "wrong": sum(c["wrong"] for c in checks), "stored": sum(c["stored"] for c in checks),
        "acknowledged": sum(c["expected"] for c in checks), "codes_used": sum(c["codes_used"] for c in checks),
        "replayed": run["replayed"], "replay_posts": run["replayed"] * 2, "replay_acked": run["replay_acked"],
        "baseline": "a view inserting the same 14 Ballot rows with one bulk_create in one transaction per POST, "
                    "behind the same middleware on the same server, run just before and just after the product",
        "baseline_ballots_per_s": [round(r, 1) for r in base_rates],
        "baseline_p99_ms": [_summary(b.latencies)["p99_ms"] for b in run["baseline"]],
        "baseline_stored": checks[0]["baseline_stored"],
        "baseline_acknowledged": sum(b.acked for b in run["baseline"]) * subjects,
        "baseline_ratio": round(ballots_per_s / statistics.mean(base_rates), 2),
        # Server CPU (gunicorn, plus the PostgreSQL backends) per acknowledged POST: steadier than wall time here.
        "cpu_ms_per_submission": burst.cpu_ms_each(),
        "baseline_cpu_ms_per_submission": [b.cpu_ms_each() for b in run["baseline"]],
        "baseline_cpu_ratio": round(statistics.mean(b.cpu_ms_each() for b in run["baseline"])
                                    / max(burst.cpu_ms_each(), 0.01), 2),
        "screen_ms": round(statistics.median(screen), 1), "screen_p95_ms": _pct(screen, 0.95),
        "screen_busy_ms": round(statistics.median(busy), 1) if busy else None, "screen_busy_p95_ms": _pct(busy, 0.95),
        "client_cpu_s": round(burst.client_cpu_s, 2),
        "server_cpu_s": round(burst.server_cpu_s, 2), "db_cpu_s": round(burst.db_cpu_s, 2),
        "prepare_s": round(run["prepare_s"], 1),
        "targets": {"ballots_per_s": 300, "p99_ms": 1000, "screen_ms": 100, "lost": 0, "duplicates": 0},
    }

