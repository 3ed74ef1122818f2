"""``dianti bench recompute --database postgres://… [-o counties=101] [-o evaluators=20] [-o sample=3]``: recompute a
province's results from the database.

The province is ``dianti demo --counties N --everyone --evaluators E`` (every grassroots organization of the scale
counties reports at its town's meeting: 101 counties × 1,484 ≈ 150,000 subjects, 20 evaluators ≈ 3 million
ballots), built once into a cached database (``-o rebuild=1`` builds it again; ``-o db=NAME`` names it). Then, in one
helper process against it:

* the baseline, the per-meeting path (:func:`~dianti.appraisal.services.results_compute` with ``meeting=``) on a
  random sample of closed meetings, timed with its queries and extrapolated to every subject;
* the set-based path, :func:`~dianti.appraisal.recompute.results_recompute` over the province: wall time, queries
  and the helper's peak memory; the sample's results are then compared field by field with the baseline's;
* the vectorised engine alone (:func:`~dianti.appraisal.engine.batch.score_batch`) on as many synthetic subjects and
  ballots, for what the scoring itself costs.

Make it smaller for a CI-like machine with ``-o counties=5``; without ``--database`` it runs on SQLite.
"""

from __future__ import annotations

import random
import resource
import sys
import time
from typing import Any

from . import register
from .targets import (
    DATA_KEY_FILE,
    Target,
    answer,
    bench_dir,
    loadavg,
    pg_admin,
    pg_exists,
    pg_url,
    run_dianti,
    run_helper,
)

HELPER = "dianti.bench.recompute"
PROVINCE = "330000"
FIELDS = ("scheme_id", "meeting_id", "score", "ballots", "invalid", "satisfaction", "satisfaction_low",
          "satisfaction_high", "dissatisfaction", "alpha", "detail", "explanation", "status")


def _target(params: dict[str, Any], counties: int, evaluators: int) -> Target:
    import shutil

    name = str(params.get("db") or f"dianti_bench_province_c{counties}_e{evaluators}")
    var_dir = bench_dir() / name
    rebuild = str(params.get("rebuild", "0")) == "1"
    database = params.get("database")
    if rebuild or not (var_dir / "built").exists():
        shutil.rmtree(var_dir, ignore_errors=True)
        if database:
            pg_admin(database, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    var_dir.mkdir(parents=True, exist_ok=True)
    if database:
        if not pg_exists(database, name):
            pg_admin(database, f'CREATE DATABASE "{name}"')
        return Target(pg_url(database, name), var_dir, "postgresql", f"PostgreSQL database {name}")
    return Target(f"sqlite:///{var_dir / 'db.sqlite3'}", var_dir, "sqlite", str(var_dir / "db.sqlite3"))


@register("recompute", "全省评议结果按库重算（约 15 万对象、300 万张票；-o counties=N 缩小），对照逐场计算与纯引擎")
def bench_recompute(params: dict[str, Any]) -> dict[str, Any]:
    counties = int(params.get("counties", 101))
    evaluators = int(params.get("evaluators", 20))
    target = _target(params, counties, evaluators)
    print(f"数据库：{target.label}", flush=True)
    build_s = None
    if not (target.var_dir / "built").exists():
        (target.var_dir / DATA_KEY_FILE).unlink(missing_ok=True)
        run_dianti(target, "migrate", "--no-input")
        build = run_dianti(target, "demo", "--quiet-logins", "--counties", str(counties), "--everyone",
                           "--evaluators", str(evaluators))
        (target.var_dir / "built").write_text(build.out)
        build_s = round(build.wall, 1)
        print(f"建库 {build_s} 秒", flush=True)
    load_before = loadavg()
    result = run_helper(target, HELPER, {"action": "measure", "sample": int(params.get("sample", 3)),
                                         "seed": int(params.get("seed", 13))})
    result.update(bench="recompute", database=target.vendor, counties=counties, evaluators=evaluators,
                  build_s=build_s, target_s=60, loadavg=[load_before, loadavg()])
    print(f"{result['subjects']} 个对象、{result['ballots']} 张选票：整批重算 {result['recompute_s']} 秒"
          f"（本进程 CPU {result['recompute_cpu_s']} 秒，{result['workers']} 个工作进程 CPU "
          f"{result['workers_cpu_s']} 秒；每千对象 {result['s_per_1000_subjects']} 秒，"
          f"按对象数外推 15 万对象 {result['extrapolated_150k_subjects_s']} 秒），"
          f"{result['recompute_queries']} 次查询，峰值内存 {result['peak_rss_mb']} MB；逐场计算外推 "
          f"{result['per_meeting_extrapolated_s']} 秒（{result['speedup']}×）；纯引擎 {result['engine_s']} 秒；"
          f"样本不一致 {result['mismatched_subjects']}", flush=True)
    return result


# --------------------------------------------------------------------------------------------------------------
# The measuring side: ``python -m dianti.bench.recompute '{"action": "measure", …}'`` with the target's environment


class _Counter:
    def __init__(self) -> None:
        self.n = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.n += 1
        return execute(sql, params, many, context)


def _timed(fn: Any) -> tuple[Any, float, int]:
    from django.db import connection

    counter = _Counter()
    with connection.execute_wrapper(counter):
        started = time.perf_counter()
        out = fn()
        return out, time.perf_counter() - started, counter.n


def _snapshot(subject_ids: list[int]) -> dict[int, tuple[Any, ...]]:
    from dianti.appraisal.models import SubjectResult

    return {r[0]: r[1:] for r in SubjectResult.objects.filter(subject_id__in=subject_ids)
            .values_list("subject_id", *FIELDS)}


def _engine(subjects: int, ballots: int, seed: int) -> float:
    from dianti.appraisal.engine.batch import score_batch
    from dianti.appraisal.engine.scheme import default_scheme
    from dianti.appraisal.engine.synthetic import synthetic_province

    scheme = default_scheme()
    data = synthetic_province(scheme, subjects, ballots, seed)
    started = time.perf_counter()
    score_batch(scheme, data["subject"], data["group"], data["grade"], n_subjects=subjects, points=data["points"],
                items=data.get("items"))
    return time.perf_counter() - started


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _server_cpu() -> float | None:
    """Return the CPU seconds of this connection's server backend, or None where /proc does not show it."""
    import os
    from pathlib import Path

    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(sample: int, seed: int) -> dict[str, Any]:
    """Time the per-meeting path on a sample of meetings, then the set-based path over the province; compare."""
    from dianti.appraisal import services
    from dianti.appraisal.recompute import results_recompute
    from dianti.meetings.models import AgendaItem, Ballot, Meeting
    from dianti.orgs.models import Organization

    province = Organization.objects.get(code=PROVINCE)
    closed = list(Meeting.objects.filter(status=Meeting.Status.CLOSED).values_list("pk", flat=True))
    subjects = AgendaItem.objects.filter(meeting__status=Meeting.Status.CLOSED).count()
    ballots = Ballot.objects.filter(meeting__status=Meeting.Status.CLOSED).count()
    picked = random.Random(seed).sample(closed, min(sample, len(closed)))
    sample_subjects = list(AgendaItem.objects.filter(meeting__in=picked).values_list("subject_id", flat=True))
    seconds = queries = 0.0
    for pk in picked:
        meeting = Meeting.objects.get(pk=pk)
        _, s, q = _timed(lambda m=meeting: services.results_compute(actor=None, meeting=m))
        seconds, queries = seconds + s, queries + q
    baseline = _snapshot(sample_subjects)
    from dianti.appraisal.parallel import workers_for

    workers = workers_for(subjects)
    cpu_before, children_before, server_before = time.process_time(), _children_cpu(), _server_cpu()
    report, recompute_s, recompute_q = _timed(lambda: results_recompute(actor=None, scope=province, workers=workers))
    recompute_cpu = time.process_time() - cpu_before
    workers_cpu = _children_cpu() - children_before  # the pool's workers, reaped when it closed
    server_after = _server_cpu()
    server_cpu = None if server_before is None or server_after is None else server_after - server_before
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    peak_worker = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    after = _snapshot(sample_subjects)
    mismatched = [s for s in sample_subjects if baseline.get(s) != after.get(s)]
    per_subject = seconds / max(1, len(sample_subjects))
    engine_s = _engine(subjects, ballots, seed)
    return {
        "subjects": subjects, "ballots": ballots, "meetings": len(closed),
        "recompute_s": round(recompute_s, 1), "recompute_queries": recompute_q, "peak_rss_mb": round(peak),
        # This process's CPU and its worker processes' (the database server's is not in them), and the CPU of this
        # process's own server backend where /proc shows it (the workers' backends are not counted).
        "recompute_cpu_s": round(recompute_cpu, 1), "workers": workers, "workers_cpu_s": round(workers_cpu, 1),
        "server_backend_cpu_s": None if server_cpu is None else round(server_cpu, 1),
        "peak_worker_rss_mb": round(peak_worker),
        "s_per_1000_subjects": round(recompute_s / max(1, subjects) * 1000, 2),
        "s_per_100k_ballots": round(recompute_s / max(1, ballots) * 100_000, 2),
        "extrapolated_150k_subjects_s": round(recompute_s / max(1, subjects) * 150_000),
        "computed": report.computed, "ballots_read": report.ballots, "meetings_vectorised": report.vectorised,
        "scoring_s": report.scoring_s, "writing_s": report.writing_s,
        "reading_s": round(recompute_s - report.scoring_s - report.writing_s, 1) if workers == 1 else None,
        "subjects_per_second": round(report.computed / recompute_s),
        "baseline": "results_compute per meeting on a sample, extrapolated to every subject",
        "sample_meetings": len(picked), "sample_subjects": len(sample_subjects),
        "sample_s": round(seconds, 2), "sample_queries": int(queries),
        "queries_per_subject_per_meeting_path": round(queries / max(1, len(sample_subjects)), 1),
        "per_meeting_extrapolated_s": round(per_subject * subjects, 1),
        "speedup": round(per_subject * subjects / recompute_s, 1),
        "engine_s": round(engine_s, 2), "recompute_over_engine": round(recompute_s / engine_s, 1),
        "mismatched_subjects": len(mismatched),
    }


if __name__ == "__main__":
    answer(sys.argv, {"measure": lambda spec: measure(int(spec["sample"]), int(spec["seed"]))})
