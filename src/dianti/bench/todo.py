"""``dianti bench todo [--database postgres://…] [-o counties=N] [-o repeat=20] [-o url=postgres://…/NAME]``:
what each role's 待办 costs at the server — every step's to-do face for the person (``todo_for``), the home page that
lists it, and the bar's counts (``/todo/nav/``) counted afresh and read from the kept summary — as the county's
admin, a town's admin, the approver, a secretary, a point's staff and a superuser over everything (a province at
``-o counties=100``). Per figure: median and p95 wall ms, CPU ms of this process (the database server's own CPU is
not in it), queries, items, and the ratio to ``/healthz`` timed in the same run. Targets: the county's admin under
150 ms, the superuser under 300 ms at 100 counties (``over_target`` names what is above).

It builds or reuses the cached scale database of ``dianti bench tree`` (``-o dbname=`` names another PostgreSQL
database of the bench). ``-o url=`` measures a database built elsewhere *without writing to it*: no migration, no
demo, and every request runs in one transaction rolled back at the end (the superuser the bench signs in as, its
sessions and audit records vanish with it). The kept summaries live in this process's memory (Redis in production:
one read of a few hundred bytes, not timed here). The measuring side runs as ``python -m dianti.bench.todo``.
"""

from __future__ import annotations

import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from . import register
from .targets import DATA_KEY_FILE, Target, answer, cached_target, loadavg, run_dianti, run_helper

HELPER = "dianti.bench.todo"
TARGETS_MS = {"county_admin": 150, "bench_root": 300}
ROLES = ("county_admin", "town_admin", "county_approver", "secretary", "point_staff", "bench_root")


@register("todo", "各角色待办（各环节待办面）、首页与导航栏待办计数的服务端耗时、查询数（县级 < 150 ms，省级 < 300 ms；"
                  "-o counties=N；--database postgres://…；-o url=… 只读测量他处建好的库）")
def bench_todo(params: dict[str, Any]) -> dict[str, Any]:
    counties = int(params.get("counties") or 1)
    repeat = int(params.get("repeat") or 20)
    if params.get("url"):
        import base64

        from dianti.core.crypto import master_key

        var = Path(tempfile.mkdtemp(prefix="dianti-bench-todo-"))
        # The database was loaded under this process's data key (DIANTI_DATA_KEY, or development's): the
        # measuring side, under production settings, must read it with the same.
        (var / DATA_KEY_FILE).write_text(base64.urlsafe_b64encode(master_key()).decode())
        target = Target(str(params["url"]), var, "postgresql", f"{params['url']}（只读）")
        build: dict[str, Any] = {"cached": True, "readonly": True}
    else:
        from .tree import _ensure_built

        target = cached_target(counties, params.get("database"), str(params.get("rebuild", "0")) == "1",
                               name=params.get("dbname"))
        build = _ensure_built(target, counties)
    print(f"数据库：{target.label}", flush=True)
    run_dianti(target, "collectstatic", "--no-input", "-v", "0", production=True)
    before = loadavg()
    measured = run_helper(target, HELPER, {"action": "measure", "repeat": repeat,
                                           "readonly": bool(params.get("url"))})
    result = {"bench": "todo", "database": target.vendor, "counties": counties, "build": build, **measured,
              "loadavg": [before, loadavg()]}
    _print_table(result)
    return result


def _print_table(result: dict[str, Any]) -> None:
    print(f"{result.get('organizations')} 个组织（{result['database']}）；负载 {result['loadavg']}；"
          f"healthz {result['healthz_ms']} ms；目标 {TARGETS_MS}", flush=True)
    print(f"{'as':<16}{'figure':<12}{'items':>6}{'queries':>8}{'ms':>9}{'p95':>9}{'cpu ms':>9}{'×healthz':>9}",
          flush=True)
    for who, figures in result["roles"].items():
        for name, row in figures.items():
            print(f"{who:<16}{name:<12}{row.get('items', ''):>6}{row['queries']:>8}{row['median_ms']:>9}"
                  f"{row['p95_ms']:>9}{row['cpu_ms']:>9}{row['x_healthz']:>9}", flush=True)
    print(f"over target: {result['over_target'] or 'none'}", flush=True)


# --------------------------------------------------------------------------------------------------------------
# The measuring side: ``python -m dianti.bench.todo '{"action": "measure", …}'`` with the target's environment


def _timed(fn: Any, repeat: int) -> dict[str, Any]:
    from .tree import _percentiles

    wall, cpu = [], []
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    return {**_percentiles(wall), "cpu_ms": round(statistics.median(cpu), 2)}


def _queries(fn: Any) -> tuple[int, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        out = fn()
    return len(ctx.captured_queries), out


def _users() -> dict[str, Any]:
    from django.contrib.auth import get_user_model

    model = get_user_model()
    found = {u.username: u for u in model.objects.filter(username__in=ROLES)}
    if "bench_root" not in found:
        found["bench_root"] = model.objects.create_superuser(username="bench_root",
                                                             password=secrets.token_urlsafe(16))
    return {name: found[name] for name in ROLES if name in found}


def _role(user: Any, client: Any, repeat: int) -> dict[str, dict[str, Any]]:
    from dianti.core import components, todo

    rows: dict[str, dict[str, Any]] = {}
    n, items = _queries(lambda: components.todo_for(user))
    rows["todo_for"] = {"items": len(items), "queries": n, **_timed(lambda: components.todo_for(user), repeat)}

    def cold_nav() -> Any:
        todo.forget(user)
        return client.get("/todo/nav/")

    for name, fn in (("home", lambda: client.get("/")), ("nav_cold", cold_nav),
                     ("nav_kept", lambda: client.get("/todo/nav/"))):
        fn()  # warm up: templates, the connection, the database's page cache, the kept summary
        n, response = _queries(fn)
        if response.status_code != 200:
            raise RuntimeError(f"{name} as {user.username}: HTTP {response.status_code}")
        rows[name] = {"queries": n, **_timed(fn, repeat)}
    return rows


def _measure(repeat: int, readonly: bool) -> dict[str, Any]:
    from django.db import transaction
    from django.test import Client
    from django.test.utils import override_settings

    from .demo import tree_size
    from .tree import _signed_in

    out: dict[str, Any] = {}
    # The kept summaries in this process: a database-backed cache would add a write per count (see module doc).
    with override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}), \
            transaction.atomic():
        plain = Client()
        plain.get("/healthz")
        base = _timed(lambda: plain.get("/healthz"), repeat)["median_ms"]
        roles = {}
        for name, user in _users().items():
            roles[name] = _role(user, _signed_in(user), repeat)
            for row in roles[name].values():
                row["x_healthz"] = round(row["median_ms"] / base, 1)
        over = [f"{who}.{fig}" for who, limit in TARGETS_MS.items() if who in roles
                for fig in ("todo_for", "home", "nav_cold") if roles[who][fig]["median_ms"] > limit]
        out = {**tree_size(), "repeat": repeat, "healthz_ms": base, "targets_ms": TARGETS_MS, "over_target": over,
               "roles": roles}
        if readonly:
            transaction.set_rollback(True)
    return out


if __name__ == "__main__":
    answer(sys.argv, {"measure": lambda spec: _measure(int(spec["repeat"]), bool(spec.get("readonly")))})
