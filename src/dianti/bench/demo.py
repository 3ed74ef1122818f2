"""``dianti bench demo [--counties N] [--database postgres://…] [-o steps=0]``: how long loading the demo takes.

Build the demo into a fresh temporary database (a temporary SQLite file, or a throw-away database on the given
PostgreSQL server) with ``dianti migrate`` and ``dianti demo`` as subprocesses; report the demo's wall and CPU time
against those of ``dianti check`` (the start-up cost) measured in the same run. Then, from empty again, time each
app's demo step on its own. The measuring side runs as ``python -m dianti.bench.demo``.
"""

from __future__ import annotations

import re
import sys
import time
from typing import Any

from . import register
from .targets import answer, fresh_target, loadavg, run_dianti, run_helper

HELPER = "dianti.bench.demo"


@register("demo", "在全新的临时数据库中执行 dianti demo 所需时间（--counties N；--database postgres://… 用 PostgreSQL）")
def bench_demo(params: dict[str, Any]) -> dict[str, Any]:
    counties = int(params.get("counties") or 1)
    load_before = loadavg()
    with fresh_target(params.get("database")) as target:
        print(f"数据库：{target.label}", flush=True)
        startup = run_dianti(target, "check")
        migrate = run_dianti(target, "migrate", "--no-input")
        demo = run_dianti(target, "demo", "--quiet-logins", "--counties", str(counties))
        again = run_dianti(target, "demo", "--quiet-logins", "--counties", str(counties))
        counts = run_helper(target, HELPER, {"action": "counts"})
    steps: dict[str, Any] = {}
    if str(params.get("steps", "1")) != "0":
        # Again from empty, each app's step timed on its own, to show which one spends the budget.
        with fresh_target(params.get("database")) as target:
            run_dianti(target, "migrate", "--no-input")
            steps = run_helper(target, HELPER, {"action": "demo_steps", "counties": counties})
    result = {
        "bench": "demo", "database": target.vendor, "counties": counties, **counts,
        "demo_s": round(demo.wall, 2), "demo_cpu_s": round(demo.cpu, 2), "demo_load_s": load_seconds(demo.out),
        "demo_again_s": round(again.wall, 2), "migrate_s": round(migrate.wall, 2),
        "baseline_check_s": round(startup.wall, 2), "baseline_check_cpu_s": round(startup.cpu, 2),
        "demo_over_baseline": round(demo.wall / startup.wall, 1),
        "demo_over_baseline_cpu": round(demo.cpu / startup.cpu, 1),
        "target_s": 30 if counties == 1 else None, "loadavg": [load_before, loadavg()], **steps,
    }
    print(f"dianti demo --counties {counties}: {demo.wall:.1f} s wall, {demo.cpu:.1f} s CPU"
          f"（载入 {result['demo_load_s']} s）; dianti check: {startup.wall:.2f} s, {startup.cpu:.2f} s CPU; "
          f"比值 {result['demo_over_baseline']} / {result['demo_over_baseline_cpu']} (CPU); 负载 {result['loadavg']}",
          flush=True)
    for name, step in result.get("steps", {}).items():
        print(f"  {name:<28} {step['s']:7.2f} s wall {step['cpu_s']:7.2f} s CPU", flush=True)
    return result


def load_seconds(output: str) -> float | None:
    """Return the load time the demo command reports ("用时 12.3 秒")."""
    found = re.search(r"用时\s*([\d.]+)\s*秒", output)
    return float(found.group(1)) if found else None


# --------------------------------------------------------------------------------------------------------------
# The measuring side: ``python -m dianti.bench.demo '{"action": …}'`` with the target's environment


def tree_size() -> dict[str, Any]:
    """Return how many organizations, grassroots organizations and people the database holds."""
    from dianti.orgs.models import Organization, Person

    return {"organizations": Organization.objects.count(),
            "grassroots": Organization.objects.filter(level=Organization.Level.GRASSROOTS).count(),
            "people": Person.objects.count()}


def demo_steps(counties: int) -> dict[str, Any]:
    """Run the demo's steps as ``dianti.core.demo.load_all`` does (each step's component, in cycle order), timing
    each (wall and CPU seconds), with the public rate limits suspended as there."""
    from dianti.core import ratelimit
    from dianti.core.components import components

    steps = {}
    with ratelimit.suspended():
        for component in components():
            if component.demo is None:
                continue
            wall, cpu = time.perf_counter(), time.process_time()
            component.demo(counties=counties)
            steps[f"dianti.{component.label}.demo"] = {"s": round(time.perf_counter() - wall, 2),
                                                       "cpu_s": round(time.process_time() - cpu, 2)}
    return {"steps": steps}


if __name__ == "__main__":
    answer(sys.argv, {"counts": lambda spec: tree_size(),
                      "demo_steps": lambda spec: demo_steps(int(spec["counties"]))})
