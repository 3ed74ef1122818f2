"""``dianti bench tree [--counties N] [--database postgres://…] [-o repeat=20] [-o http=0] [-o rebuild=1] [-o sql=1]``:
the organization tree's pages and the stats endpoint at scale.

Build N counties once into a cached database (``var/bench/tree-cN/`` for SQLite, the database
``dianti_bench_tree_cN`` on the given PostgreSQL server), then time, at the server, the pages a county admin opens
(tree, a town's children, the county's page, search, people), the public stats for the county and the province, and
the province-wide tree, search and people list for a superuser. Each page is timed in-process through Django's test
client (which also counts its SQL queries) and over loopback HTTP against ``dianti serve`` (one gunicorn worker, one
thread), where gunicorn's access log gives the time spent in the server. ``/healthz`` is the baseline of both, and
every page is also reported as a ratio to it; so is a fixed piece of pure-Python work timed between the page's
requests (``x_calibration``), and the in-process CPU time of each request is given too — both move much less than
wall time when other work shares the machine.

The measuring side runs as ``python -m dianti.bench.tree``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import queue
import secrets
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from . import register, report
from .demo import load_seconds, tree_size
from .targets import (
    Target,
    answer,
    cached_target,
    free_port,
    loadavg,
    pg_admin,
    run_dianti,
    run_helper,
    stop,
    wait_until_up,
)

HELPER = "dianti.bench.tree"

HAIYAN = "330424"
TOWN = "330424105"
PROVINCE = "330000"
BENCH_SUPERUSER = "bench_root"

# name, path, who (None: anonymous), extra headers. Paths are already URL-encoded.
PAGES: list[tuple[str, str, str | None, dict[str, str]]] = [
    ("healthz", "/healthz", None, {}),
    ("tree", "/orgs/", "county_admin", {}),
    ("town_children", f"/orgs/{TOWN}/children/", "county_admin", {"HX-Request": "true"}),
    ("org_detail", f"/orgs/{HAIYAN}/", "county_admin", {}),
    ("search", "/orgs/search/?q=" + quote("通元"), "county_admin", {}),
    ("people", "/orgs/people/", "county_admin", {}),
    ("stats_county", f"/api/v1/stats?org={HAIYAN}", None, {}),
    ("tree_province", "/orgs/", BENCH_SUPERUSER, {}),
    ("search_province", "/orgs/search/?q=" + quote("通元"), BENCH_SUPERUSER, {}),
    ("people_province", "/orgs/people/", BENCH_SUPERUSER, {}),
    ("stats_province", f"/api/v1/stats?org={PROVINCE}", None, {}),
]


@register("tree", "组织树页面、下级、详情、搜索与 /api/v1/stats 的服务端耗时和查询数（-o counties=N；--database postgres://…）")
def bench_tree(params: dict[str, Any]) -> dict[str, Any]:
    counties = int(params.get("counties") or 1)
    repeat = int(params.get("repeat") or 20)
    http = str(params.get("http", "1")) not in ("0", "no", "false")
    target = cached_target(counties, params.get("database"), str(params.get("rebuild", "0")) == "1")
    print(f"数据库：{target.label}", flush=True)
    build = _ensure_built(target, counties)
    run_dianti(target, "collectstatic", "--no-input", "-v", "0", production=True)
    show_sql = str(params.get("sql", "0")) == "1"
    load_before = loadavg()
    measured = run_helper(target, HELPER, {"action": "measure", "repeat": repeat, "http": http, "sql": show_sql})
    result = {"bench": "tree", "database": target.vendor, "counties": counties, "build": build, **measured,
              "loadavg": [load_before, loadavg()]}
    _print_table(result)
    return result


def _ensure_built(target: Target, counties: int) -> dict[str, Any]:
    """Migrate the cached database and load any county it lacks; return how long the (last real) build took."""
    record = target.var_dir / "build.json"
    run_dianti(target, "migrate", "--no-input")
    load_before = loadavg()
    demo = run_dianti(target, "demo", "--quiet-logins", "--counties", str(counties))
    if "已载入" in demo.out:
        if target.vendor == "postgresql":
            # What autovacuum does within minutes of a bulk load; without it the first runs measure heap fetches
            # (index-only scans need the visibility map) rather than the pages.
            pg_admin(target.url, "VACUUM (ANALYZE)")
        built = {"demo_s": round(demo.wall, 1), "demo_cpu_s": round(demo.cpu, 1), "demo_load_s": load_seconds(demo.out),
                 "loadavg": [load_before, loadavg()], "built_at": dt.datetime.now().isoformat(timespec="seconds"),
                 "commit": report.git_commit()}
        record.write_text(json.dumps(built, ensure_ascii=False))
        return {"cached": False, **built}
    previous = json.loads(record.read_text()) if record.exists() else {}
    return {"cached": True, **previous}


def _print_table(result: dict[str, Any]) -> None:
    print(f"{result['counties']} 个县，{result.get('organizations')} 个组织，{result.get('people')} 名人员"
          f"（{result['database']}）；负载 {result.get('loadavg')}", flush=True)
    print(f"{'page':<16}{'queries':>8}{'ms':>9}{'p95':>9}{'cpu ms':>9}{'×healthz':>9}{'×calib':>8}"
          f"{'server ms':>11}{'p95':>9}{'×healthz':>9}", flush=True)
    for name, row in result["pages"].items():
        http = row.get("http") or {}
        print(f"{name:<16}{row['queries']:>8}{row['median_ms']:>9}{row['p95_ms']:>9}{row['cpu_ms']:>9}"
              f"{row['x_healthz']:>9}{row['x_calibration']:>8}{http.get('median_ms', ''):>11}"
              f"{http.get('p95_ms', ''):>9}{http.get('x_healthz', ''):>9}", flush=True)


# --------------------------------------------------------------------------------------------------------------
# The measuring side: ``python -m dianti.bench.tree '{"action": …}'`` with the target's environment


def _percentiles(samples: list[float]) -> dict[str, float]:
    samples = sorted(samples)
    return {"median_ms": round(statistics.median(samples), 2),
            "p95_ms": round(samples[min(len(samples) - 1, int(len(samples) * 0.95))], 2)}


def _users() -> dict[str, Any]:
    from django.contrib.auth import get_user_model

    model = get_user_model()
    root = model.objects.filter(username=BENCH_SUPERUSER).first()
    if root is None:
        root = model.objects.create_superuser(username=BENCH_SUPERUSER, password=secrets.token_urlsafe(16))
    return {"county_admin": model.objects.get(username="county_admin"), BENCH_SUPERUSER: root}


def _signed_in(user: Any) -> Any:
    """Return a test client signed in as ``user`` the way production lets a county admin or a superuser in: the
    password and a one-time code from a confirmed TOTP device, the session marked verified as ``django_otp.login``
    marks it (without the code the pages redirect to the second factor's enrolment)."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device, _ = TOTPDevice.objects.get_or_create(user=user, name="bench", defaults={"confirmed": True})
    user.otp_device = device  # signed in with the code: the login owes no second factor
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def _calibration() -> None:
    """A fixed piece of pure-Python work (about 10 ms on an idle core): the CPU-bound baseline."""
    sum(len(str(i)) for i in range(100_000))


def _measure(repeat: int, http: bool, show_sql: bool = False) -> dict[str, Any]:
    """Time every page in-process: wall and CPU time per request, the SQL it runs, and two baselines measured
    alongside — /healthz (the fixed cost of a request) and :func:`_calibration`, timed between the page's own
    requests so both see the same load."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    users = _users()
    clients: dict[str | None, Client] = {None: Client()}
    for key, user in users.items():
        clients[key] = _signed_in(user)
    pages: dict[str, dict[str, Any]] = {}
    for name, path, who, headers in PAGES:
        client = clients[who]
        for _ in range(3):  # warm up: template compilation, first connection, page cache of the database
            response = client.get(path, headers=headers)
        if response.status_code != 200:
            raise RuntimeError(f"GET {path} as {who}: HTTP {response.status_code}")
        with CaptureQueriesContext(connection) as ctx:
            client.get(path, headers=headers)
        # Read them now: the next request's request_started signal empties the connection's query log.
        queries = list(ctx.captured_queries)
        if show_sql:
            for q in queries:
                print(f"[{name}] {float(q['time']) * 1000:7.2f} ms  {q['sql']}", file=sys.stderr)
        wall, cpu, calib = [], [], []
        for _ in range(repeat):
            t, c = time.perf_counter(), time.process_time()
            client.get(path, headers=headers)
            wall.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
            t = time.perf_counter()
            _calibration()
            calib.append((time.perf_counter() - t) * 1000)
        calib_ms = statistics.median(calib)
        pages[name] = {"path": path, "as": who or "anonymous", "queries": len(queries),
                       "sql_ms": round(sum(float(q["time"]) for q in queries) * 1000, 2),
                       "bytes": len(response.content), **_percentiles(wall),
                       "cpu_ms": round(statistics.median(cpu), 2), "calibration_ms": round(calib_ms, 2),
                       "x_calibration": round(statistics.median(wall) / calib_ms, 2)}
    base = pages["healthz"]["median_ms"]
    for row in pages.values():
        row["x_healthz"] = round(row["median_ms"] / base, 1)
    if http:
        cookies = {key: c.cookies["sessionid"].value for key, c in clients.items() if key is not None}
        for name, row in _measure_http(cookies, repeat).items():
            pages[name]["http"] = row
    return {**tree_size(), "repeat": repeat, "baselines": ["healthz", "calibration"], "pages": pages,
            "targets_ms": {"county_pages_1_county": 100, "county_pages_100_counties": 300}}


def _measure_http(cookies: dict[str, str], repeat: int) -> dict[str, dict[str, Any]]:
    """Time every page against ``dianti serve`` on a loopback port: the server's own time (gunicorn's %(D)s) and
    the client's round trip."""
    port = free_port()
    env = dict(os.environ, GUNICORN_CMD_ARGS="--access-logformat 'BENCH %(U)s %(s)s %(D)s'")
    var_dir = Path(os.environ["DIANTI_VAR_DIR"])
    with open(var_dir / "serve.log", "w") as errors:
        server = subprocess.Popen([sys.executable, "-m", "dianti", "serve", "--bind", f"127.0.0.1:{port}",
                                   "--workers", "1", "--threads", "1"],
                                  env=env, stdout=subprocess.PIPE, stderr=errors, text=True)
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        assert server.stdout is not None
        for line in server.stdout:
            if line.startswith("BENCH "):
                lines.put(line)

    threading.Thread(target=pump, daemon=True).start()
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base + "/healthz", server)
        time.sleep(0.5)  # let the start-up probes' log lines arrive before dropping them
        while not lines.empty():
            lines.get_nowait()
        results: dict[str, dict[str, Any]] = {}
        for name, path, who, headers in PAGES:
            hdrs = dict(headers)
            if who is not None:
                hdrs["Cookie"] = f"sessionid={cookies[who]}"
            server_ms, client_ms = [], []
            for i in range(3 + repeat):
                t = time.perf_counter()
                with urllib.request.urlopen(urllib.request.Request(base + path, headers=hdrs), timeout=60) as resp:
                    resp.read()
                    if resp.status != 200:
                        raise RuntimeError(f"GET {path}: HTTP {resp.status}")
                elapsed = (time.perf_counter() - t) * 1000
                _, logged_path, status, micros = lines.get(timeout=30).split()
                if status != "200" or logged_path != urlsplit(path).path:
                    raise RuntimeError(f"GET {path} as {who}: HTTP {status} (see {var_dir / 'serve.log'})")
                if i >= 3:
                    server_ms.append(int(micros) / 1000)
                    client_ms.append(elapsed)
            results[name] = {**_percentiles(server_ms),
                             "client_median_ms": round(statistics.median(client_ms), 2)}
    finally:
        stop(server)
    base_ms = results["healthz"]["median_ms"]
    for row in results.values():
        row["x_healthz"] = round(row["median_ms"] / base_ms, 1)
    return results


if __name__ == "__main__":
    answer(sys.argv, {"measure": lambda spec: _measure(int(spec["repeat"]), bool(spec["http"]), bool(spec.get("sql")))})
