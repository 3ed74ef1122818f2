"""Benchmark of the 述职会's secret ballots under a burst, over loopback HTTP against ``dianti serve``.

``dianti bench ballots [--database postgres://…] [-o evaluators=500] [-o subjects=14] [-o workers=2] [-o threads=2]
[-o concurrency=50] [-o spread=5] [-o replay=50] [-o scores=0] [-o keep=0]``

1. Build a throw-away database (a SQLite file under ``var/bench/ballots/``, or the database
   ``dianti_bench_ballots_<pid>`` on the given PostgreSQL server, dropped afterwards): migrate, one town with
   ``subjects`` villages and their secretaries, a campaign moved through the phases to 述职, and two meetings of it
   (A and B), each with an ``evaluators``-seat panel in four groups, its codes issued (their plain text comes back
   from ``services.codes_issue``) and opened — all through the services, in a helper process.
2. Start ``dianti serve`` (gunicorn, ``workers`` × ``threads``, 2 × 2 by default, production settings: no debug) on
   a free loopback port, with ``DIANTI_BENCH_BASELINE=1`` so the baseline view below is mounted.
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
5. The hall, on meeting B: its evaluators arrive one after another at even intervals over ``spread`` seconds
   ("500 evaluators within a few seconds"), however many are still in flight, while the projector's live partial
   (``/meetings/<pk>/screen/`` with ``HX-Request``, as a logged-in admin) is polled every 250 ms → the headline
   ``p50_ms``/``p95_ms``/``p99_ms`` and ``screen_busy_ms``; ``screen_ms`` is the partial once voting is over.
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
import contextlib
import json
import os
import random
import re
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from dianti.core.bench import register

# The helpers of the tree benchmark: databases for subprocesses, free ports, start-up wait, load averages.
from dianti.orgs.bench import (
    Target,
    _bench_dir,
    _dianti,
    _free_port,
    _load,
    _pg_admin,
    _pg_url,
    _wait_until_up,
)

from .benchhttp import Connection, Response, _cookie_header, _read_response  # noqa: F401

HOST = "127.0.0.1"
ITEMS = ["德", "能", "勤", "绩", "廉"]
# The demo's panel (镇党委班子成员 7, 党员代表 24, 群众代表 24, 驻村干部 5), scaled to the number of evaluators.
GROUPS = [("镇党委班子成员", 30, 7), ("党员代表", 30, 24), ("群众代表", 30, 24), ("驻村干部", 10, 5)]
SCREEN_EVERY_S = 0.25
REQUEST_TIMEOUT_S = 60.0


# --------------------------------------------------------------------------------------------------------------
# The database


@contextlib.contextmanager
def _throwaway(database: str | None, keep: bool) -> Iterator[Target]:
    """Yield an empty database for one run, removed afterwards (unless ``keep``). ``var/bench/ballots/`` is the
    server's var/ directory either way, so the collected static files are reused from run to run."""
    var_dir = _bench_dir() / "ballots"
    var_dir.mkdir(parents=True, exist_ok=True)
    if database:
        name = f"dianti_bench_ballots_{os.getpid()}"
        _pg_admin(database, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        _pg_admin(database, f'CREATE DATABASE "{name}"')
        try:
            yield Target(_pg_url(database, name), var_dir, "postgresql", f"PostgreSQL database {name}")
        finally:
            if not keep:
                _pg_admin(database, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        return
    db = var_dir / f"ballots-{os.getpid()}.sqlite3"
    try:
        yield Target(f"sqlite:///{db}", var_dir, "sqlite", str(db))
    finally:
        if not keep:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)


def _helper(env: dict[str, str], spec: dict[str, Any], stdin: Any = None) -> dict[str, Any]:
    """Run this module as a script with ``env`` (the server's, secret key included) and return its JSON answer."""
    proc = subprocess.run([sys.executable, "-m", "dianti.meetings.bench_server", json.dumps(spec)], env=env,
                          input=json.dumps(stdin) if stdin is not None else "", capture_output=True, text=True,
                          check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"bench helper {spec.get('action')} failed ({proc.returncode}):\n"
                           f"{proc.stdout}\n{proc.stderr}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


# --------------------------------------------------------------------------------------------------------------
# The evaluators


@dataclass
class Evaluator:
    code: str
    group: int
    grades: dict[int, str]
    scores: dict[int, dict[str, int]]
    cookies: dict[str, str] = field(default_factory=dict)
    csrf: str = ""
    status: int = 0  # of the timed POST
    acked: bool = False
    latency_ms: float = 0.0
    error: str = ""

    def form(self, with_scores: bool) -> bytes:
        fields: list[tuple[str, str]] = [("csrfmiddlewaretoken", self.csrf)]
        for item, grade in self.grades.items():
            fields.append((f"grade_{item}", grade))
            if with_scores:
                fields += [(f"score_{item}_{k}", str(v)) for k, v in self.scores[item].items()]
        return urlencode(fields).encode()


async def _prepare(port: int, ev: Evaluator) -> None:
    """Scan the slip as a phone does: the slip's link opens the entry page (``/m/e/code/#CODE``: the code rides in
    the fragment, which is never sent), whose script posts the code; the redirect leads to the ballot page. Keep
    the evaluator cookie, the CSRF cookie and the ballot form's token."""
    conn = Connection(port)
    try:
        form = await conn.request("GET", "/m/e/code/")
        token = CSRF_FIELD.search(form.body)
        if form.status != 200 or token is None:
            raise RuntimeError(f"GET /m/e/code/: HTTP {form.status}")
        ev.cookies.update(form.cookies())
        body = urlencode({"csrfmiddlewaretoken": token.group(1).decode(), "code": ev.code}).encode()
        entered = await conn.request("POST", "/m/e/code/", {"Cookie": _cookie_header(ev.cookies),
                                                            "Origin": f"http://{HOST}:{port}"}, body)
        if entered.status != 302 or "dt_eval" not in entered.cookies():
            raise RuntimeError(f"POST /m/e/code/: HTTP {entered.status} {entered.body[:300]!r}")
        ev.cookies.update(entered.cookies())
        page = await conn.request("GET", "/m/e/", {"Cookie": _cookie_header(ev.cookies)}, close=True)
        found = CSRF_FIELD.search(page.body)
        if page.status != 200 or found is None:
            raise RuntimeError(f"GET /m/e/: HTTP {page.status}")
        ev.cookies.update(page.cookies())
        ev.csrf = found.group(1).decode()
    finally:
        await conn.close()


def _product_acked(resp: Response) -> bool:
    """The product acknowledges a ballot by the saved notice (a 200 page) or a redirect to the page with it."""
    if resp.status == 200:
        return "已保存".encode() in resp.body
    return resp.status in (302, 303) and "saved" in resp.header("Location")


async def _post_product(port: int, ev: Evaluator, with_scores: bool) -> tuple[bool, int, float]:
    """POST the ballot as a phone would (following a redirect to the saved page); return acked, status, ms."""
    conn = Connection(port)
    cookie = {"Cookie": _cookie_header(ev.cookies), "Origin": f"http://{HOST}:{port}"}
    t = time.perf_counter()
    try:
        resp = await conn.request("POST", "/m/e/", cookie, ev.form(with_scores), close=True)
        acked = _product_acked(resp)
        if resp.status in (302, 303) and acked:
            location = urlsplit(resp.header("Location"))
            target = location.path + (f"?{location.query}" if location.query else "")
            follow = await Connection(port).request("GET", target, {"Cookie": _cookie_header(ev.cookies)}, close=True)
            acked = follow.status == 200 and "已保存".encode() in follow.body
        return acked, resp.status, (time.perf_counter() - t) * 1000
    finally:
        await conn.close()


async def _post_baseline(port: int, ev: Evaluator, with_scores: bool, meeting: int) -> tuple[bool, int, float]:
    conn = Connection(port)
    cookie = {"Cookie": _cookie_header(ev.cookies), "Origin": f"http://{HOST}:{port}"}
    t = time.perf_counter()
    try:
        resp = await conn.request("POST", f"/_bench/ballot/{meeting}/{ev.group}/", cookie, ev.form(with_scores),
                                  close=True)
        return resp.status == 200 and resp.body == b"ok", resp.status, (time.perf_counter() - t) * 1000
    finally:
        await conn.close()


class Meter:
    """CPU seconds used so far by the gunicorn master and its workers, and by the PostgreSQL backends serving the
    bench database: figures that move much less than wall time when other work shares the machine."""

    TICK = os.sysconf("SC_CLK_TCK")

    def __init__(self, server_pid: int, database: str | None) -> None:
        self.server_pid, self.database = server_pid, database

    @classmethod
    def _stat(cls, pid: str) -> tuple[int, float] | None:
        try:
            rest = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            return None
        return int(rest[1]), (int(rest[11]) + int(rest[12])) / cls.TICK

    def read(self) -> dict[tuple[str, int], float]:
        """CPU seconds so far of each process, keyed by ("server" | "db", pid)."""
        found = {}
        for pid in filter(str.isdigit, os.listdir("/proc")):
            stat = self._stat(pid)
            if stat is None:
                continue
            if int(pid) == self.server_pid or stat[0] == self.server_pid:
                found["server", int(pid)] = stat[1]
            elif self.database:
                with contextlib.suppress(OSError):
                    if self.database.encode() in Path(f"/proc/{pid}/cmdline").read_bytes():
                        found["db", int(pid)] = stat[1]
        return found

    @staticmethod
    def used(before: dict[tuple[str, int], float], after: dict[tuple[str, int], float]) -> tuple[float, float]:
        """Server and database CPU seconds between two readings. A process that ended in between is missed (a
        PostgreSQL backend whose connection closed): a slight undercount, never a negative figure."""
        spent = {"server": 0.0, "db": 0.0}
        for (kind, pid), cpu in after.items():
            spent[kind] += max(0.0, cpu - before.get((kind, pid), 0.0))
        return spent["server"], spent["db"]


@dataclass
class Burst:
    seconds: float
    latencies: list[float]
    acked: int
    failed: int
    statuses: dict[str, int]
    client_cpu_s: float
    server_cpu_s: float
    db_cpu_s: float

    def cpu_ms_each(self) -> float:
        """Server (and PostgreSQL) CPU milliseconds per acknowledged POST."""
        return round((self.server_cpu_s + self.db_cpu_s) * 1000 / max(1, self.acked), 2)


async def _burst(evaluators: list[Evaluator], concurrency: int, spread: float, post: Any, record: bool,
                 meter: Meter) -> Burst:
    """Release every evaluator: all at once with at most ``concurrency`` POSTs in flight, or — when ``spread`` is
    set — one after another at even intervals over ``spread`` seconds, however many are still in flight."""
    gate = asyncio.Semaphore(concurrency if not spread else len(evaluators))
    statuses: Counter[str] = Counter()
    latencies: list[float] = []
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.05

    async def one(i: int, ev: Evaluator) -> None:
        if spread:
            await asyncio.sleep(max(0.0, start + i * spread / len(evaluators) - loop.time()))
        async with gate:
            try:
                acked, status, ms = await post(ev)
            except (TimeoutError, OSError, ConnectionError, ValueError) as exc:
                acked, status, ms = False, 0, 0.0
                if record:
                    ev.error = f"{type(exc).__name__}: {exc}"
            statuses[str(status)] += 1
            if acked:
                latencies.append(ms)
            if record:
                ev.acked, ev.status, ev.latency_ms = acked, status, ms

    cpu_before = meter.read()
    cpu, t = time.process_time(), time.perf_counter()
    await asyncio.gather(*(one(i, ev) for i, ev in enumerate(evaluators)))
    seconds = time.perf_counter() - t
    client_cpu = time.process_time() - cpu
    server_cpu, db_cpu = Meter.used(cpu_before, meter.read())
    acked = len(latencies)
    return Burst(seconds, latencies, acked, len(evaluators) - acked, dict(statuses), client_cpu,
                 server_cpu, db_cpu)


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


def _evaluators(meeting: dict[str, Any], grades: list[str], rng: random.Random) -> list[Evaluator]:
    items: list[int] = meeting["items"]
    return [Evaluator(code, group, {i: rng.choice(grades) for i in items},
                      {i: {k: rng.randint(60, 100) for k in ITEMS} for i in items}) for group, code in meeting["codes"]]


async def _drive(port: int, meter: Meter, setup: dict[str, Any], concurrency: int, spread: float, replay: int,
                 with_scores: bool, rng: random.Random) -> dict[str, Any]:
    """Meeting A takes the capacity burst (product between two baseline runs); meeting B the hall: its evaluators
    arriving evenly over ``spread`` seconds while the projector polls, then the double taps."""
    first, second = setup["meetings"]
    crowd, hall = _evaluators(first, setup["grades"], rng), _evaluators(second, setup["grades"], rng)
    session = setup["session"]

    # Scan the slips (not timed); 20 at a time, like people arriving.
    gate = asyncio.Semaphore(20)

    async def prepare(ev: Evaluator) -> None:
        async with gate:
            await _prepare(port, ev)

    t = time.perf_counter()
    await asyncio.gather(*(prepare(ev) for ev in crowd + hall))
    prepare_s = time.perf_counter() - t
    screen_path = f"/meetings/{second['meeting']}/screen/"
    for _ in range(5):  # warm the projector page in every worker
        await _screen(port, screen_path, session)

    def baseline(ev: Evaluator) -> Any:
        return _post_baseline(port, ev, with_scores, first["meeting"])

    def product(ev: Evaluator) -> Any:
        return _post_product(port, ev, with_scores)

    base_before = await _burst(crowd, concurrency, 0, baseline, False, meter)
    burst = await _burst(crowd, concurrency, 0, product, True, meter)
    base_after = await _burst(crowd, concurrency, 0, baseline, False, meter)

    stop, screen_busy = asyncio.Event(), []
    poller = asyncio.create_task(_poll_screen(port, screen_path, session, stop, screen_busy))
    arrivals = await _burst(hall, concurrency, spread, product, True, meter)  # spread=0: another burst
    stop.set()
    await poller

    # Double taps: the same ballot twice at once, on two connections, after it was stored.
    tapped = [ev for ev in hall if ev.acked][:replay]
    taps = await asyncio.gather(*(product(ev) for ev in tapped for _ in range(2)), return_exceptions=True)
    screen_idle = [await _screen(port, screen_path, session) for _ in range(30)]
    return {"crowd": crowd, "hall": hall, "prepare_s": prepare_s, "burst": burst, "arrivals": arrivals,
            "baseline": [base_before, base_after], "screen_busy": screen_busy, "screen_idle": screen_idle,
            "replayed": len(tapped), "replay_acked": sum(1 for r in taps if isinstance(r, tuple) and r[0])}


# --------------------------------------------------------------------------------------------------------------
# The benchmark


@contextlib.contextmanager
def _server(env: dict[str, str], var_dir: Path, workers: int, threads: int) -> Iterator[tuple[int, int]]:
    port = _free_port()
    log = open(var_dir / "serve.log", "w")  # noqa: SIM115  (closed below, after the server)
    server = subprocess.Popen([sys.executable, "-m", "dianti", "serve", "--bind", f"{HOST}:{port}", "--workers",
                               str(workers), "--threads", str(threads)], env=env, stdout=subprocess.DEVNULL,
                              stderr=log)
    try:
        _wait_until_up(f"http://{HOST}:{port}/healthz", server)
        yield port, server.pid  # `dianti serve` execs gunicorn: this is the master, the workers its children
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def _server_errors(log: Path) -> dict[str, Any]:
    """How many 500s Django logged, and the exception lines of their tracebacks."""
    lines = log.read_text(errors="replace").splitlines() if log.exists() else []
    exceptions = Counter(line[:200] for line in lines if re.match(r"[\w.]+(Error|Exception)\b", line))
    return {"internal_errors": sum(1 for line in lines if line.startswith("Internal Server Error")),
            "exceptions": dict(exceptions)}


@register("ballots", "述职会 500 名评议人提交 14 位书记的完整选票：吞吐（对照最小视图）、几秒内陆续提交时的 p99、"
                     "丢失/重复、投票中的大屏（--database postgres://…；-o workers=2 -o threads=2 -o concurrency=50 "
                     "-o spread=5）")
def bench_ballots(params: dict[str, Any]) -> dict[str, Any]:
    n = int(params.get("evaluators") or 500)
    subjects = int(params.get("subjects") or 14)
    workers = int(params.get("workers") or 2)
    # Two threads per worker, not `dianti serve`'s four: a thread that holds SQLite's write lock shares its process's
    # GIL with the others rendering pages, so more threads hold the lock longer (2 × 4: about 78 ballots/s and a
    # hall p99 of 4 s on SQLite; 2 × 2: about 105/s and 0.1 s; PostgreSQL is no worse with two).
    threads = int(params.get("threads") or 2)
    concurrency = int(params.get("concurrency") or 50)
    spread = float(params.get("spread") or 5.0)
    replay = int(params.get("replay") or 50)
    with_scores = str(params.get("scores", "0")) == "1"
    keep = str(params.get("keep", "0")) == "1"
    load_before = _load()
    with _throwaway(params.get("database"), keep) as target:
        print(f"数据库：{target.label}", flush=True)
        env = target.env(production=True)  # one secret key for the helpers and the server: tokens must agree
        env["DIANTI_BENCH_BASELINE"] = "1"
        _dianti(target, "migrate", "--no-input")
        t = time.perf_counter()
        setup = _helper(env, {"action": "setup", "evaluators": n, "subjects": subjects})
        print(f"准备：两场会议，各 {subjects} 位书记、{n} 个评议码，{time.perf_counter() - t:.1f} s", flush=True)
        with _server(env, target.var_dir, workers, threads) as (port, pid):
            print(f"dianti serve：127.0.0.1:{port}，{workers} workers × {threads} threads", flush=True)
            meter = Meter(pid, urlsplit(target.url).path.lstrip("/") if target.vendor == "postgresql" else None)
            run = asyncio.run(_drive(port, meter, setup, concurrency, spread, replay, with_scores,
                                     random.Random(584)))
        server_errors = _server_errors(target.var_dir / "serve.log")
        checks = [_helper(env, {"action": "verify", "meeting": meeting["meeting"]}, stdin={
            "with_scores": with_scores, "acked": [[ev.code, ev.grades, ev.scores] for ev in evaluators if ev.acked]})
            for meeting, evaluators in zip(setup["meetings"], (run["crowd"], run["hall"]), strict=True)]
    result = _report(run, checks, subjects)
    result = {"bench": "ballots", "database": target.vendor, "workers": workers, "threads": threads,
              "concurrency": concurrency, "spread_s": spread, "evaluators": n, "subjects": subjects,
              "scores": with_scores, **result, "server_errors": server_errors, "loadavg": [load_before, _load()]}
    hall = result["hall"]
    print(f"吞吐：{result['ballots']} 票（{result['submissions']} 份选票，同时在途 {concurrency}）用时 "
          f"{result['seconds']} s：{result['ballots_per_s']} 票/s，{result['submissions_per_s']} 份/s，"
          f"p99 {result['burst']['p99_ms']} ms；对照 {result['baseline_ballots_per_s']} 票/s，比值 "
          f"{result['baseline_ratio']}（CPU {result['cpu_ms_per_submission']} / "
          f"{result['baseline_cpu_ms_per_submission']} ms 每份）", flush=True)
    print(f"会场：{n} 人在 {spread:g} s 内陆续提交，{hall['seconds']} s 收齐：p50 {result['p50_ms']} ms，p95 "
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
        # The hall on meeting B: evaluators arriving evenly over ``spread`` seconds; its latencies are the headline.
        **{k: v for k, v in _summary(arrivals.latencies).items()},
        "hall": {"seconds": round(arrivals.seconds, 2), "submissions": arrivals.acked, "failed": arrivals.failed,
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


# --------------------------------------------------------------------------------------------------------------
# The baseline view (mounted only when DIANTI_BENCH_BASELINE=1, see dianti/urls.py)
