"""Benchmarks of the organization tree: building the demo, and the tree pages and stats endpoint at scale.

``dianti bench demo [--counties N] [--database postgres://…] [-o steps=0]``
    Build the demo into a fresh temporary database (a temporary SQLite file, or a throw-away database on the given
    PostgreSQL server) with ``dianti migrate`` and ``dianti demo`` as subprocesses; report the demo's wall and CPU
    time against those of ``dianti check`` (the start-up cost) measured in the same run. Then, from empty again,
    time each app's demo step on its own.

``dianti bench tree [--counties N] [--database postgres://…] [-o repeat=20] [-o http=0] [-o rebuild=1] [-o sql=1]``
    Build N counties once into a cached database (``var/bench/tree-cN/`` for SQLite, the database
    ``dianti_bench_tree_cN`` on the given PostgreSQL server), then time, at the server, the pages a county admin
    opens (tree, a town's children, the county's page, search, people), the public stats for the county and the
    province, and the province-wide tree, search and people list for a superuser. Each page is timed in-process
    through Django's test client (which also counts its SQL queries) and over loopback HTTP against
    ``dianti serve`` (one gunicorn worker, one thread), where gunicorn's access log gives the time spent in the
    server. ``/healthz`` is the
    baseline of both, and every page is also reported as a ratio to it; so is a fixed piece of pure-Python work
    timed between the page's requests (``x_calibration``), and the in-process CPU time of each request is given
    too — both move much less than wall time when other work shares the machine.

The user's own database (``var/dianti.sqlite3``) is never opened: every run points ``DIANTI_DATABASE_URL`` and
``DIANTI_VAR_DIR`` of its subprocesses elsewhere. The measuring side runs as ``python -m dianti.orgs.bench``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import queue
import re
import resource
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from dianti.core.bench import register

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


# --------------------------------------------------------------------------------------------------------------
# Databases the subprocesses run against


@dataclass(frozen=True)
class Target:
    """A database and var/ directory for ``dianti`` subprocesses."""

    url: str
    var_dir: Path
    vendor: str
    label: str

    def env(self, production: bool = False) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DIANTI_")}
        env.update(DIANTI_DATABASE_URL=self.url, DIANTI_VAR_DIR=str(self.var_dir), DJANGO_SETTINGS_MODULE="dianti.settings",
                   DIANTI_JOBS_BACKEND="sync", DIANTI_LOG_LEVEL="WARNING", PYTHONUNBUFFERED="1",
                   DIANTI_DEBUG="1", DIANTI_DATA_KEY=self.data_key())
        if production:
            # What a deployment runs: no debug, compiled-template cache, manifest static files; plain HTTP on loopback.
            env.update(DIANTI_DEBUG="0", DIANTI_SECRET_KEY=secrets.token_urlsafe(50), DIANTI_SSL_REDIRECT="0",
                       DIANTI_ALLOWED_HOSTS="127.0.0.1,localhost,testserver")
        return env

    def data_key(self) -> str:
        """Return the database's data key, kept beside it in its var/ directory: the data is loaded with the
        development settings and read with production's, and both must use the same key."""
        path = self.var_dir / DATA_KEY_FILE
        if not path.exists():
            from dianti.core.crypto import generate_key

            path.write_text(generate_key())
        return path.read_text().strip()


DATA_KEY_FILE = "data.key"


def _pg_url(server_url: str, dbname: str) -> str:
    return urlsplit(server_url)._replace(path="/" + dbname).geturl()


def _pg_admin(server_url: str, sql: str) -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(server_url, autocommit=True) as conn:
        cur = conn.execute(sql)  # type: ignore[arg-type]
        return cur.fetchall() if cur.description else []


def _pg_exists(server_url: str, dbname: str) -> bool:
    return bool(_pg_admin(server_url, f"SELECT 1 FROM pg_database WHERE datname = '{dbname}'"))


def _bench_dir() -> Path:
    from django.conf import settings

    return Path(settings.VAR_DIR) / "bench"


@contextlib.contextmanager
def _fresh_target(database: str | None) -> Iterator[Target]:
    """Yield an empty database that is dropped afterwards."""
    with tempfile.TemporaryDirectory(prefix="dianti-bench-") as tmp:
        if database:
            name = f"dianti_bench_demo_{os.getpid()}"
            _pg_admin(database, f'DROP DATABASE IF EXISTS "{name}"')
            _pg_admin(database, f'CREATE DATABASE "{name}"')
            try:
                yield Target(_pg_url(database, name), Path(tmp), "postgresql", name)
            finally:
                _pg_admin(database, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        else:
            yield Target(f"sqlite:///{tmp}/bench.sqlite3", Path(tmp), "sqlite", "temporary SQLite file")


def _cached_target(counties: int, database: str | None, rebuild: bool) -> Target:
    """Return the cached scale database for ``counties`` (made empty first when ``rebuild``)."""
    if database:
        name = f"dianti_bench_tree_c{counties}"
        var_dir = _bench_dir() / f"tree-c{counties}-pg"
        if rebuild or not (var_dir / DATA_KEY_FILE).exists():  # a database loaded under a key no longer known
            _pg_admin(database, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            shutil.rmtree(var_dir, ignore_errors=True)
        if not _pg_exists(database, name):
            _pg_admin(database, f'CREATE DATABASE "{name}"')
        var_dir.mkdir(parents=True, exist_ok=True)
        return Target(_pg_url(database, name), var_dir, "postgresql", f"PostgreSQL database {name}")
    var_dir = _bench_dir() / f"tree-c{counties}"
    if rebuild or not (var_dir / DATA_KEY_FILE).exists():
        shutil.rmtree(var_dir, ignore_errors=True)
    var_dir.mkdir(parents=True, exist_ok=True)
    db = var_dir / "db.sqlite3"
    return Target(f"sqlite:///{db}", var_dir, "sqlite", str(db))


@dataclass(frozen=True)
class Run:
    """A finished ``dianti`` subprocess: wall time, and the CPU time it used (user + system, seconds).

    CPU time barely moves when other work shares the machine, wall time does; with PostgreSQL the server's own
    CPU is not in it."""

    wall: float
    cpu: float
    out: str


def _dianti(target: Target, *args: str, production: bool = False) -> Run:
    """Run ``dianti ARGS`` against ``target``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "dianti", *args], env=target.env(production), capture_output=True,
                          text=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise RuntimeError(f"dianti {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Run(wall, cpu, proc.stdout)


def _load() -> list[float]:
    """Return the 1, 5 and 15-minute load averages: how much else was running."""
    return [round(x, 1) for x in os.getloadavg()]


def _load_seconds(output: str) -> float | None:
    """Return the load time the demo command reports ("用时 12.3 秒")."""
    found = re.search(r"用时\s*([\d.]+)\s*秒", output)
    return float(found.group(1)) if found else None


def _helper(target: Target, spec: dict[str, Any]) -> dict[str, Any]:
    """Run this module as a script against ``target`` and return the JSON object it prints last."""
    proc = subprocess.run([sys.executable, "-m", "dianti.orgs.bench", json.dumps(spec)], env=target.env(production=True),
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"bench helper failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    for line in proc.stderr.splitlines():
        print(line, file=sys.stderr)
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


# --------------------------------------------------------------------------------------------------------------
# Benchmarks


@register("demo", "在全新的临时数据库中执行 dianti demo 所需时间（--counties N；--database postgres://… 用 PostgreSQL）")
def bench_demo(params: dict[str, Any]) -> dict[str, Any]:
    counties = int(params.get("counties") or 1)
    load_before = _load()
    with _fresh_target(params.get("database")) as target:
        print(f"数据库：{target.label}", flush=True)
        startup = _dianti(target, "check")
        migrate = _dianti(target, "migrate", "--no-input")
        demo = _dianti(target, "demo", "--quiet-logins", "--counties", str(counties))
        again = _dianti(target, "demo", "--quiet-logins", "--counties", str(counties))
        counts = _helper(target, {"action": "counts"})
    steps: dict[str, Any] = {}
    if str(params.get("steps", "1")) != "0":
        # Again from empty, each app's step timed on its own, to show which one spends the budget.
        with _fresh_target(params.get("database")) as target:
            _dianti(target, "migrate", "--no-input")
            steps = _helper(target, {"action": "demo_steps", "counties": counties})
    result = {
        "bench": "demo", "database": target.vendor, "counties": counties, **counts,
        "demo_s": round(demo.wall, 2), "demo_cpu_s": round(demo.cpu, 2), "demo_load_s": _load_seconds(demo.out),
        "demo_again_s": round(again.wall, 2), "migrate_s": round(migrate.wall, 2),
        "baseline_check_s": round(startup.wall, 2), "baseline_check_cpu_s": round(startup.cpu, 2),
        "demo_over_baseline": round(demo.wall / startup.wall, 1),
        "demo_over_baseline_cpu": round(demo.cpu / startup.cpu, 1),
        "target_s": 30 if counties == 1 else None, "loadavg": [load_before, _load()], **steps,
    }
    print(f"dianti demo --counties {counties}: {demo.wall:.1f} s wall, {demo.cpu:.1f} s CPU"
          f"（载入 {result['demo_load_s']} s）; dianti check: {startup.wall:.2f} s, {startup.cpu:.2f} s CPU; "
          f"比值 {result['demo_over_baseline']} / {result['demo_over_baseline_cpu']} (CPU); 负载 {result['loadavg']}",
          flush=True)
    for name, step in result.get("steps", {}).items():
        print(f"  {name:<28} {step['s']:7.2f} s wall {step['cpu_s']:7.2f} s CPU", flush=True)
    return result


@register("tree", "组织树页面、下级、详情、搜索与 /api/v1/stats 的服务端耗时和查询数（-o counties=N；--database postgres://…）")
def bench_tree(params: dict[str, Any]) -> dict[str, Any]:
    counties = int(params.get("counties") or 1)
    repeat = int(params.get("repeat") or 20)
    http = str(params.get("http", "1")) not in ("0", "no", "false")
    target = _cached_target(counties, params.get("database"), str(params.get("rebuild", "0")) == "1")
    print(f"数据库：{target.label}", flush=True)
    build = _ensure_built(target, counties)
    _dianti(target, "collectstatic", "--no-input", "-v", "0", production=True)
    show_sql = str(params.get("sql", "0")) == "1"
    load_before = _load()
    measured = _helper(target, {"action": "measure", "repeat": repeat, "http": http, "sql": show_sql})
    result = {"bench": "tree", "database": target.vendor, "counties": counties, "build": build, **measured,
              "loadavg": [load_before, _load()]}
    _print_table(result)
    return result


def _ensure_built(target: Target, counties: int) -> dict[str, Any]:
    """Migrate the cached database and load any county it lacks; return how long the (last real) build took."""
    record = target.var_dir / "build.json"
    _dianti(target, "migrate", "--no-input")
    load_before = _load()
    demo = _dianti(target, "demo", "--quiet-logins", "--counties", str(counties))
    if "已载入" in demo.out:
        if target.vendor == "postgresql":
            # What autovacuum does within minutes of a bulk load; without it the first runs measure heap fetches
            # (index-only scans need the visibility map) rather than the pages.
            _pg_admin(target.url, "VACUUM (ANALYZE)")
        built = {"demo_s": round(demo.wall, 1), "demo_cpu_s": round(demo.cpu, 1), "demo_load_s": _load_seconds(demo.out),
                 "loadavg": [load_before, _load()], "built_at": dt.datetime.now().isoformat(timespec="seconds"),
                 "commit": _git_commit()}
        record.write_text(json.dumps(built, ensure_ascii=False))
        return {"cached": False, **built}
    previous = json.loads(record.read_text()) if record.exists() else {}
    return {"cached": True, **previous}


def _git_commit() -> str:
    proc = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False,
                          cwd=Path(__file__).resolve().parent)
    return proc.stdout.strip()


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
# The measuring side: ``python -m dianti.orgs.bench '{"action": …}'`` with the target's environment


def _counts() -> dict[str, Any]:
    from dianti.orgs.models import Organization, Person

    return {"organizations": Organization.objects.count(),
            "grassroots": Organization.objects.filter(level=Organization.Level.GRASSROOTS).count(),
            "people": Person.objects.count()}


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
    return {**_counts(), "repeat": repeat, "baselines": ["healthz", "calibration"], "pages": pages,
            "targets_ms": {"county_pages_1_county": 100, "county_pages_100_counties": 300}}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _measure_http(cookies: dict[str, str], repeat: int) -> dict[str, dict[str, Any]]:
    """Time every page against ``dianti serve`` on a loopback port: the server's own time (gunicorn's %(D)s) and
    the client's round trip."""
    port = _free_port()
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
        _wait_until_up(base + "/healthz", server)
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
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    base_ms = results["healthz"]["median_ms"]
    for row in results.values():
        row["x_healthz"] = round(row["median_ms"] / base_ms, 1)
    return results


def _wait_until_up(url: str, server: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"dianti serve exited with {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=10):
                return
        except OSError:  # refused, reset or timed out while the worker boots
            time.sleep(0.2)
    raise RuntimeError("dianti serve did not start within 60 s")


def _demo_steps(counties: int) -> dict[str, Any]:
    """Run the demo's steps as ``dianti.core.demo.load_all`` does, timing each (wall and CPU seconds)."""
    import importlib

    from dianti.core.demo import STEPS

    modules = [importlib.import_module(m) for m in STEPS]
    steps = {}
    for name, module in zip(STEPS, modules, strict=True):
        wall, cpu = time.perf_counter(), time.process_time()
        module.load(counties=counties)
        steps[name] = {"s": round(time.perf_counter() - wall, 2), "cpu_s": round(time.process_time() - cpu, 2)}
    return {"steps": steps}


def main(argv: list[str]) -> None:
    import django

    spec = json.loads(argv[1])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dianti.settings")
    django.setup()
    if spec["action"] == "counts":
        result = _counts()
    elif spec["action"] == "demo_steps":
        result = _demo_steps(int(spec["counties"]))
    elif spec["action"] == "measure":
        result = _measure(int(spec["repeat"]), bool(spec["http"]), bool(spec.get("sql")))
    else:
        raise SystemExit(f"unknown action {spec['action']}")
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv)
