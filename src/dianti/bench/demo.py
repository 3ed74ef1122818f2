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
        "per_county_s": round(demo.wall / counties, 2),
        "demo_s": round(demo.wall, 2), "demo_cpu_s": round(demo.cpu, 2), "demo_load_s": load_seconds(demo.out),
        "demo_again_s": round(again.wall, 2), "migrate_s": round(migrate.wall, 2),
        "baseline_check_s": round(startup.wall, 2), "baseline_check_cpu_s": round(startup.cpu, 2),
        "demo_over_baseline": round(demo.wall / startup.wall, 1),
        "demo_over_baseline_cpu": round(demo.cpu / startup.cpu, 1),
        "target_s": 30 if counties == 1 else 900 if counties <= 100 else None, "loadavg": [load_before, loadavg()], **steps,
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
    """Return how many organizations, grassroots organizations and people the database holds, and the rows of the
    cycle (subjects, opinions, meetings, ballots, results, rectification cases)."""
    from dianti.appraisal.models import SubjectResult
    from dianti.campaigns.models import Subject
    from dianti.meetings.models import Ballot, Meeting
    from dianti.orgs.models import Organization, Person
    from dianti.rectification.models import Case
    from dianti.voices.models import Opinion

    return {"organizations": Organization.objects.count(),
            "grassroots": Organization.objects.filter(level=Organization.Level.GRASSROOTS).count(),
            "people": Person.objects.count(), "subjects": Subject.objects.count(),
            "opinions": Opinion.objects.count(), "meetings": Meeting.objects.count(),
            "ballots": Ballot.objects.count(), "results": SubjectResult.objects.count(),
            "cases": Case.objects.count()}


def demo_steps(counties: int) -> dict[str, Any]:
    """Run the demo's steps as ``dianti.core.demo.load_all`` does (each step's component, in cycle order, then each
    step's bulk loader over the scale counties), timing each (wall and CPU seconds), with the public rate limits
    suspended as there; report the scale counties' seconds per county (the tree and the bulk cycle)."""
    from dianti.core import ratelimit
    from dianti.core.components import components
    from dianti.core.demo import Scale

    steps: dict[str, dict[str, float]] = {}
    report: dict[str, Any] = {}

    def timed_step(name: str, fn: Any) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        report.update(fn() or {})
        steps[name] = {"s": round(time.perf_counter() - wall, 2), "cpu_s": round(time.process_time() - cpu, 2)}

    with ratelimit.suspended():
        for component in components():
            if component.demo is not None:
                timed_step(f"dianti.{component.label}.demo", lambda c=component: c.demo(counties=counties))
        scale = Scale(tuple(report.get("scale_counties", ())))
        for component in components():
            if scale.counties and component.demo_bulk is not None:
                timed_step(f"dianti.{component.label}.bulk", lambda c=component: c.demo_bulk(scale))
    bulk_s = sum(v["s"] for k, v in steps.items() if k.endswith(".bulk"))
    n = len(scale.counties)
    return {"steps": steps, "scale_counties": n,
            "bulk_cycle_per_county_s": round(bulk_s / n, 2) if n else None}


if __name__ == "__main__":
    answer(sys.argv, {"counts": lambda spec: tree_size(),
                      "demo_steps": lambda spec: demo_steps(int(spec["counties"]))})
