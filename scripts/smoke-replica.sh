#!/usr/bin/env bash
# The read replica end to end: start a streaming replica (scripts/pg-replica.sh), make a throwaway database on the
# primary (it replicates), migrate and seed it, serve it with gunicorn (`dianti serve`) with DIANTI_DATABASE_URL and
# DIANTI_REPLICA_URL set, and run scripts/smoke_replica.py's scenario over HTTP: the public page from the replica, a
# staff write read back from the primary, a paused replay (stale page, its 数据更新于 time, then the fallback to the
# primary once the lag passes the limit) and the catch-up after resuming. Whatever happens, it stops the server, resumes
# replay, stops the replica if it started it, and drops the database.
#   usage: scripts/smoke-replica.sh   (needs PostgreSQL on 127.0.0.1:5432 with trust auth, as .ci/run starts it;
#          DIANTI_SMOKE_PYTHON: the interpreter with the project installed, default .venv/bin/python)
set -euo pipefail
cd "$(dirname "$0")/.."
py="${DIANTI_SMOKE_PYTHON:-.venv/bin/python}"
replica_port="${DIANTI_REPLICA_PORT:-5433}"
db="replica_smoke_$$"
work="$(mktemp -d)"
started_replica=""
server=""

cleanup() {
  status=$?
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  if [ "$status" != 0 ] && [ -f "$work/server.log" ]; then
    echo "replica smoke: the server's log:" >&2; tail -n 40 "$work/server.log" >&2
  fi
  psql -h 127.0.0.1 -p "$replica_port" -U postgres -d postgres -Atqc "SELECT pg_wal_replay_resume()" >/dev/null 2>&1 || true
  dropdb -h 127.0.0.1 -U postgres --if-exists --force "$db" >/dev/null 2>&1 || true
  if [ -n "$started_replica" ]; then bash scripts/pg-replica.sh stop || true; fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT INT TERM

if ! bash scripts/pg-replica.sh status >/dev/null 2>&1; then
  started_replica=1
  bash scripts/pg-replica.sh start
fi
createdb -h 127.0.0.1 -U postgres "$db"
port="$("$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
export PYTHONPATH="$PWD/src${PYTHONPATH:+:$PYTHONPATH}"
export DIANTI_DEBUG=1 DIANTI_VAR_DIR="$work/var" DIANTI_JOBS_BACKEND=sync DIANTI_DAILY_IN_SERVER=0 \
  DIANTI_DATABASE_URL="postgres://postgres@127.0.0.1:5432/$db" \
  DIANTI_REPLICA_URL="postgres://postgres@127.0.0.1:$replica_port/$db" DIANTI_REPLICA_PORT="$replica_port" \
  DIANTI_REPLICA_MAX_LAG_SECONDS=10 DIANTI_REPLICA_LAG_CACHE_SECONDS=1 DIANTI_REPLICA_PIN_SECONDS=3
"$py" -m dianti migrate --no-input >/dev/null
"$py" scripts/smoke_replica.py seed
"$py" -m dianti serve --bind "127.0.0.1:$port" --workers 1 --threads 2 >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 60); do
  if "$py" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' \
       "http://127.0.0.1:$port/healthz" 2>/dev/null; then break; fi
  kill -0 "$server" 2>/dev/null || { echo "replica smoke: the server did not start" >&2; exit 1; }
  sleep 0.5
done
"$py" scripts/smoke_replica.py check "http://127.0.0.1:$port"
# The router says in the log when it sends reads back to the primary.
grep -q "reading the primary" "$work/server.log" || { echo "replica smoke: no fallback in the server's log" >&2; exit 1; }
echo "replica smoke: passed (the router logged its fallback: $(grep -m1 -o 'replica lags [^;]*' "$work/server.log"))"
