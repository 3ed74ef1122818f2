"""What the benchmarks run the product in: throw-away or cached databases (SQLite files, or databases on a given
PostgreSQL server) with a var/ directory each, ``dianti`` subprocesses against them, helper processes that answer
in JSON, free loopback ports, and the machine's load.

The user's own database (``var/dianti.sqlite3``) is never opened: every run points ``DIANTI_DATABASE_URL`` and
``DIANTI_VAR_DIR`` of its subprocesses elsewhere.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit


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


def pg_url(server_url: str, dbname: str) -> str:
    return urlsplit(server_url)._replace(path="/" + dbname).geturl()


def pg_admin(server_url: str, sql: str) -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(server_url, autocommit=True) as conn:
        cur = conn.execute(sql)  # type: ignore[arg-type]
        return cur.fetchall() if cur.description else []


def pg_exists(server_url: str, dbname: str) -> bool:
    return bool(pg_admin(server_url, f"SELECT 1 FROM pg_database WHERE datname = '{dbname}'"))


def bench_dir() -> Path:
    from django.conf import settings

    return Path(settings.VAR_DIR) / "bench"


@contextlib.contextmanager
def fresh_target(database: str | None) -> Iterator[Target]:
    """Yield an empty database that is dropped afterwards."""
    with tempfile.TemporaryDirectory(prefix="dianti-bench-") as tmp:
        if database:
            name = f"dianti_bench_demo_{os.getpid()}"
            pg_admin(database, f'DROP DATABASE IF EXISTS "{name}"')
            pg_admin(database, f'CREATE DATABASE "{name}"')
            try:
                yield Target(pg_url(database, name), Path(tmp), "postgresql", name)
            finally:
                pg_admin(database, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        else:
            yield Target(f"sqlite:///{tmp}/bench.sqlite3", Path(tmp), "sqlite", "temporary SQLite file")


def cached_target(counties: int, database: str | None, rebuild: bool, name: str | None = None) -> Target:
    """Return the cached scale database for ``counties`` (made empty first when ``rebuild``): on PostgreSQL the
    database ``name`` (default ``dianti_bench_tree_cN``, shared by the benchmarks that read the scale demo)."""
    if database:
        var_dir = bench_dir() / (f"{name}-pg" if name else f"tree-c{counties}-pg")
        name = name or f"dianti_bench_tree_c{counties}"
        if rebuild or not (var_dir / DATA_KEY_FILE).exists():  # a database loaded under a key no longer known
            pg_admin(database, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            shutil.rmtree(var_dir, ignore_errors=True)
        if not pg_exists(database, name):
            pg_admin(database, f'CREATE DATABASE "{name}"')
        var_dir.mkdir(parents=True, exist_ok=True)
        return Target(pg_url(database, name), var_dir, "postgresql", f"PostgreSQL database {name}")
    var_dir = bench_dir() / f"tree-c{counties}"
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


def run_dianti(target: Target, *args: str, production: bool = False) -> Run:
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


def loadavg() -> list[float]:
    """Return the 1, 5 and 15-minute load averages: how much else was running."""
    return [round(x, 1) for x in os.getloadavg()]


def run_helper(target: Target, module: str, spec: dict[str, Any]) -> dict[str, Any]:
    """Run ``module`` as a script against ``target`` (production settings) and return the JSON object it prints
    last; pass its standard error on."""
    proc = subprocess.run([sys.executable, "-m", module, json.dumps(spec)], env=target.env(production=True),
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"bench helper failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    for line in proc.stderr.splitlines():
        print(line, file=sys.stderr)
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


Action = Callable[[dict[str, Any]], dict[str, Any]]


def answer(argv: list[str], actions: dict[str, Action]) -> None:
    """Be the helper process of :func:`run_helper`: set Django up with the environment's settings, run the action
    the JSON spec in ``argv[1]`` names and print its answer as one JSON line."""
    import django

    spec = json.loads(argv[1])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dianti.settings")
    django.setup()
    if spec["action"] not in actions:
        raise SystemExit(f"unknown action {spec['action']}")
    print(json.dumps(actions[spec["action"]](spec), ensure_ascii=False))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_up(url: str, server: subprocess.Popen[Any], timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"dianti serve exited with {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=10):
                return
        except OSError:  # refused, reset or timed out while the worker boots
            time.sleep(0.2)
    raise RuntimeError(f"dianti serve did not start within {timeout_s:g} s")


def stop(server: subprocess.Popen[Any]) -> None:
    """Stop a server the bench started: politely, then by force after 20 seconds."""
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
