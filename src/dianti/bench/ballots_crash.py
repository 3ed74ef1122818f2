"""`dianti bench ballots_crash`: a server worker is killed (SIGKILL) in the middle of an evaluators' storm, and every
ballot the server acknowledged is stored exactly once.

The storm runs against a real `dianti serve` (gunicorn) on 127.0.0.1 over a throwaway database, the way
``bench ballots`` does. Once a quarter of the evaluators have been answered, one worker process is killed outright;
gunicorn starts another. Phones whose POST died with the worker retry once, as the ballot page does (the
exactly-once token makes a retry safe). Then the database is read back: every acknowledged ballot present exactly
once, none lost, none duplicated, none different from what the phone sent. Loopback only, bounded in count and
time, stops by itself. The last line is one JSON object.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from . import register
from .phones import Evaluator, Meter, evaluators_for, post_ballot, run_burst, scan_slip
from .server import run_action, serving, throwaway
from .targets import loadavg, run_dianti


def workers_of(master: int) -> list[int]:
    """Return the pids of the processes whose parent is ``master`` (gunicorn's workers), from /proc."""
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:
            out.append(int(entry.name))
    return sorted(out)


async def _storm(port: int, master: int, crowd: list[Evaluator], concurrency: int, meter: Meter) -> dict[str, Any]:
    answered = 0
    killed: list[int] = []

    async def post(ev: Evaluator) -> Any:
        nonlocal answered
        try:
            return await post_ballot(port, ev, False)
        finally:
            answered += 1
            if not killed and answered >= len(crowd) // 4:
                victims = workers_of(master)
                if victims:
                    os.kill(victims[0], signal.SIGKILL)
                    killed.append(victims[0])

    gate = asyncio.Semaphore(20)

    async def prepare(ev: Evaluator) -> None:
        async with gate:
            await scan_slip(port, ev)

    await asyncio.gather(*(prepare(ev) for ev in crowd))
    burst = await run_burst(crowd, concurrency, None, post, True, meter)
    first_failed = [ev for ev in crowd if not ev.acked]
    await asyncio.sleep(1.0)  # gunicorn has started a new worker by now
    retry = await run_burst(first_failed, concurrency, None, lambda ev: post_ballot(port, ev, False), True, meter)
    return {"killed": killed, "first_acked": burst.acked, "first_failed": len(first_failed),
            "retried_acked": retry.acked, "still_failed": sum(1 for ev in crowd if not ev.acked)}


@register("ballots_crash", "评议高峰中途强杀一个服务进程（SIGKILL）：每张已确认的选票恰好存一次，重试不重复"
                           "（-o evaluators=500 -o subjects=3；--database postgres://…）")
def bench_ballots_crash(params: dict[str, Any]) -> dict[str, Any]:
    n = int(params.get("evaluators") or 500)
    subjects = int(params.get("subjects") or 3)
    concurrency = int(params.get("concurrency") or 50)
    load_before = loadavg()
    t0 = time.perf_counter()
    with throwaway(params.get("database"), False) as target:
        env = target.env(production=True)
        run_dianti(target, "migrate", "--no-input")
        setup = run_action(env, {"action": "setup", "evaluators": n, "subjects": subjects})
        meeting = setup["meetings"][0]
        crowd = evaluators_for(meeting, setup["grades"], random.Random(11))
        # The storm gets its own thread and event loop: the caller may already run one (a test process after
        # Playwright's sync API has).
        with serving(env, target.var_dir, 2, 2) as (port, master), ThreadPoolExecutor(1) as pool:
            storm = pool.submit(asyncio.run, _storm(port, master, crowd, concurrency, Meter(master, None))).result()
        check = run_action(env, {"action": "verify", "meeting": meeting["meeting"]}, stdin={
            "with_scores": False, "acked": [[ev.code, ev.grades, ev.scores] for ev in crowd if ev.acked]})
    result = {"bench": "ballots_crash", "database": target.vendor, "evaluators": n, "subjects": subjects,
              **storm, "acknowledged": check["expected"], "stored": check["stored"], "lost": check["lost"],
              "duplicates": check["duplicates"], "wrong": check["wrong"],
              "seconds": round(time.perf_counter() - t0, 1), "loadavg": [load_before, loadavg()]}
    print(f"强杀服务进程 {storm['killed']}：首轮确认 {storm['first_acked']}，失败 {storm['first_failed']}，重试确认 "
          f"{storm['retried_acked']}；已确认 {check['expected']} 份，丢失 {check['lost']}，重复 {check['duplicates']}，"
          f"不符 {check['wrong']}", flush=True)
    return result
