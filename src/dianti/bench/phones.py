"""The evaluators' phones in the ballots benchmarks: scanning a slip, posting a ballot to the product or to the
baseline view, and a crowd of them released at once or one after another, with the server's CPU metered."""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from .http import HOST, Connection, Response, cookie_header
from .server import ITEMS

CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Evaluator:
    """One phone: its code and group, the ballot it sends, and what became of the timed POST."""

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


async def scan_slip(port: int, ev: Evaluator) -> None:
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
        entered = await conn.request("POST", "/m/e/code/", {"Cookie": cookie_header(ev.cookies),
                                                            "Origin": f"http://{HOST}:{port}"}, body)
        if entered.status != 302 or "dt_eval" not in entered.cookies():
            raise RuntimeError(f"POST /m/e/code/: HTTP {entered.status} {entered.body[:300]!r}")
        ev.cookies.update(entered.cookies())
        page = await conn.request("GET", "/m/e/", {"Cookie": cookie_header(ev.cookies)}, close=True)
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


async def post_ballot(port: int, ev: Evaluator, with_scores: bool) -> tuple[bool, int, float]:
    """POST the ballot as a phone would (following a redirect to the saved page); return acked, status, ms."""
    conn = Connection(port)
    cookie = {"Cookie": cookie_header(ev.cookies), "Origin": f"http://{HOST}:{port}"}
    t = time.perf_counter()
    try:
        resp = await conn.request("POST", "/m/e/", cookie, ev.form(with_scores), close=True)
        acked = _product_acked(resp)
        if resp.status in (302, 303) and acked:
            location = urlsplit(resp.header("Location"))
            target = location.path + (f"?{location.query}" if location.query else "")
            follow = await Connection(port).request("GET", target, {"Cookie": cookie_header(ev.cookies)}, close=True)
            acked = follow.status == 200 and "已保存".encode() in follow.body
        return acked, resp.status, (time.perf_counter() - t) * 1000
    finally:
        await conn.close()


async def post_baseline(port: int, ev: Evaluator, with_scores: bool, meeting: int) -> tuple[bool, int, float]:
    conn = Connection(port)
    cookie = {"Cookie": cookie_header(ev.cookies), "Origin": f"http://{HOST}:{port}"}
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


def arrivals_within(n: int, spread: float, rng: random.Random) -> list[float]:
    """Return when each of ``n`` evaluators posts, in seconds from the start, in order: each at a moment of its own
    drawn evenly at random within ``spread`` seconds, as people who each finish grading when they do (so some
    seconds see twice the mean and others none)."""
    return sorted(rng.uniform(0, spread) for _ in range(n))


async def run_burst(evaluators: list[Evaluator], concurrency: int, arrivals: list[float] | None, post: Any,
                    record: bool, meter: Meter) -> Burst:
    """Release every evaluator: all at once with at most ``concurrency`` POSTs in flight, or — given ``arrivals``
    (seconds from the start, one per evaluator) — each at its moment, however many are still in flight."""
    gate = asyncio.Semaphore(concurrency if arrivals is None else len(evaluators))
    statuses: Counter[str] = Counter()
    latencies: list[float] = []
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.05

    async def one(i: int, ev: Evaluator) -> None:
        if arrivals is not None:
            await asyncio.sleep(max(0.0, start + arrivals[i] - loop.time()))
        async with gate:
            # A worker killed mid-response cuts the body short (IncompleteReadError): a failed POST like the rest.
            try:
                acked, status, ms = await post(ev)
            except (TimeoutError, OSError, ConnectionError, ValueError, asyncio.IncompleteReadError) as exc:
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


def evaluators_for(meeting: dict[str, Any], grades: list[str], rng: random.Random) -> list[Evaluator]:
    """Return one evaluator per code of a meeting the helper set up, each with a random grade for every secretary
    and random item scores."""
    items: list[int] = meeting["items"]
    return [Evaluator(code, group, {i: rng.choice(grades) for i in items},
                      {i: {k: rng.randint(60, 100) for k in ITEMS} for i in items}) for group, code in meeting["codes"]]

