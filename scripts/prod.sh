#!/usr/bin/env bash
# Production, started for real from one venv: the database migrated, static files collected, gunicorn serving
# dianti.wsgi, one Celery worker per entry of dianti.core.queues.WORKERS (urgent+default, heavy) and Celery beat for
# the daily sweeps — each with a pid file and a log in the run directory — then wait until /readyz says ready.
#
#   scripts/prod.sh start [PROC...]   all (after migrate, collectstatic, check --deploy), or only the named ones
#   scripts/prod.sh stop [PROC...]    all (web first, workers last, so nothing new is queued while they finish)
#   scripts/prod.sh status            each process's pid, and /readyz's answer
# PROC is web, beat or worker-<name> (worker-main, worker-heavy). `start` of named processes waits for /readyz too.
#
# Settings come from the environment, as production's do (README, "Running in production"): DIANTI_DATABASE_URL,
# DIANTI_REDIS_URL, DIANTI_SECRET_KEY, DIANTI_DATA_KEY, DIANTI_ALLOWED_HOSTS …; DIANTI_DEBUG must be unset or 0.
# This script's own knobs:
#   DIANTI_VENV (.venv)  DIANTI_RUN_DIR (var/run)  DIANTI_HOST (127.0.0.1)  DIANTI_PORT (8000)
#   DIANTI_WEB_WORKERS (2)  DIANTI_THREADS (4)  DIANTI_WORKER_CONCURRENCY (2)  DIANTI_READY_TIMEOUT (60 s)
set -euo pipefail
cd "$(dirname "$0")/.."

VENV="${DIANTI_VENV:-.venv}"
RUN="${DIANTI_RUN_DIR:-var/run}"
HOST="${DIANTI_HOST:-127.0.0.1}"
PORT="${DIANTI_PORT:-8000}"
PY="$VENV/bin/python"
# /readyz is asked for by a name Django accepts: the first of DIANTI_ALLOWED_HOSTS (its default accepts 127.0.0.1).
PROBE_HOST="${DIANTI_ALLOWED_HOSTS:-127.0.0.1}"
PROBE_HOST="${PROBE_HOST%%,*}"

die() { echo "prod.sh: $*" >&2; exit 1; }

[ -x "$PY" ] || die "no venv at $VENV (set DIANTI_VENV)"
case "${DIANTI_DEBUG:-0}" in 0|"") ;; *) die "DIANTI_DEBUG=${DIANTI_DEBUG}: production runs with it unset" ;; esac
case "${1:-}" in start)
  # Without these the workers would listen on an in-memory broker and the site would run on SQLite: not production.
  [ -n "${DIANTI_DATABASE_URL:-}" ] || die "DIANTI_DATABASE_URL is not set (PostgreSQL)"
  [ -n "${DIANTI_REDIS_URL:-}" ] || die "DIANTI_REDIS_URL is not set (Celery's broker)" ;;
esac
mkdir -p "$RUN"
RUN="$(cd "$RUN" && pwd)"

# "name queue,queue" per worker, from the one declaration of them. `start` needs it; `stop` goes by the pid files,
# so it still stops everything when the venv is broken.
WORKERS="$("$PY" -c 'from dianti.core.queues import WORKERS
for name, queues in WORKERS.items(): print(name, ",".join(queues))')" || WORKERS=""
workers() { if [ -n "$WORKERS" ]; then printf '%s\n' "$WORKERS"; fi; }

procs() {
  echo web
  workers | while read -r name _; do echo "worker-$name"; done
  echo beat
}

stop_order() {  # the web first (nothing new is queued), beat, then every worker running finishes what it holds
  echo web
  echo beat
  for file in "$RUN"/worker-*.pid; do [ -e "$file" ] && basename "$file" .pid; done
  return 0
}

# The command line of one process (printed NUL-separated, for "read -d ''").
command_of() {
  case "$1" in
    web) printf '%s\0' "$PY" -m gunicorn dianti.wsgi:application --bind "$HOST:$PORT" \
           --workers "${DIANTI_WEB_WORKERS:-2}" --threads "${DIANTI_THREADS:-4}" --timeout 120 \
           --graceful-timeout 20 --access-logfile - \
           --logger-class dianti.core.access_log.AccessLogger ;;
    beat) printf '%s\0' "$PY" -m celery -A dianti.celery beat --loglevel INFO --schedule "$RUN/celerybeat-schedule" ;;
    worker-*)
      local name="${1#worker-}" queues
      queues="$(workers | awk -v n="$name" '$1 == n {print $2}')"
      [ -n "$queues" ] || die "no worker named $name in dianti.core.queues.WORKERS"
      printf '%s\0' "$PY" -m celery -A dianti.celery worker --loglevel INFO --queues "$queues" \
        --hostname "$name@%h" --concurrency "${DIANTI_WORKER_CONCURRENCY:-2}" ;;
    *) die "unknown process $1 (one of: $(procs | tr '\n' ' '))" ;;
  esac
}

pid_of() {  # the pid of a running process, or nothing
  local file="$RUN/$1.pid" pid
  [ -f "$file" ] || return 0
  pid="$(cat "$file")"
  if kill -0 "$pid" 2>/dev/null; then echo "$pid"; else rm -f "$file"; fi
}

start_one() {
  local name="$1" cmd=()
  if [ -n "$(pid_of "$name")" ]; then echo "$name: already running (pid $(pid_of "$name"))"; return; fi
  while IFS= read -r -d '' part; do cmd+=("$part"); done < <(command_of "$name")
  echo "== $(date -Is) start: ${cmd[*]}" >>"$RUN/$name.log"
  "${cmd[@]}" >>"$RUN/$name.log" 2>&1 </dev/null &
  echo $! >"$RUN/$name.pid"
  echo "$name: started (pid $!, log $RUN/$name.log)"
}

stop_one() {
  local name="$1" pid
  pid="$(pid_of "$name")"
  [ -n "$pid" ] || { echo "$name: not running"; return 0; }
  kill -TERM "$pid" 2>/dev/null || true
  # gunicorn and celery finish what they are doing on TERM (a worker its running task); give them 30 s.
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  if kill -0 "$pid" 2>/dev/null; then
    echo "$name: still running after 30 s, killing pid $pid and its children" >&2
    pkill -KILL -P "$pid" 2>/dev/null || true
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$RUN/$name.pid"
  echo "$name: stopped"
}

readyz() {  # print /readyz's status code and body; exit status 0 when ready
  "$PY" - "$HOST" "$PORT" "$PROBE_HOST" <<'EOF'
import sys, urllib.error, urllib.request
host, port, name = sys.argv[1:]
req = urllib.request.Request(f"http://{host}:{port}/readyz", headers={"Host": name})
try:
    with urllib.request.urlopen(req, timeout=10) as r:
        print(r.status, r.read().decode())
except urllib.error.HTTPError as e:
    print(e.code, e.read().decode()); sys.exit(1)
except OSError as e:
    print("no answer:", e); sys.exit(1)
EOF
}

wait_ready() {
  local timeout="${DIANTI_READY_TIMEOUT:-60}" answer=""
  local deadline=$((SECONDS + timeout))
  [ -n "$(pid_of web)" ] || return 0
  while [ "$SECONDS" -lt "$deadline" ]; do  # by the clock: a probe without a worker itself waits 2 s
    if answer="$(readyz)"; then echo "ready: $answer"; return 0; fi
    [ -n "$(pid_of web)" ] || { answer="gunicorn exited"; break; }
    sleep 1
  done
  echo "prod.sh: not ready after ${timeout} s: $answer" >&2
  for name in $(procs); do echo "--- $RUN/$name.log (last lines)" >&2; tail -n 20 "$RUN/$name.log" >&2 || true; done
  return 1
}

prepare() {
  echo "== migrate, collectstatic, check --deploy"
  "$VENV/bin/dianti" migrate --no-input >"$RUN/migrate.log" 2>&1 || { cat "$RUN/migrate.log" >&2; die "migrate failed"; }
  "$VENV/bin/dianti" collectstatic --no-input >"$RUN/collectstatic.log" 2>&1 \
    || { cat "$RUN/collectstatic.log" >&2; die "collectstatic failed"; }
  "$VENV/bin/dianti" check --deploy --fail-level ERROR >"$RUN/check.log" 2>&1 \
    || { cat "$RUN/check.log" >&2; die "check --deploy found errors"; }
}

action="${1:-}"
shift || true
case "$action" in
  start)
    [ -n "$WORKERS" ] || die "cannot read the workers from dianti.core.queues.WORKERS in $VENV"
    if [ $# -eq 0 ]; then prepare; set -- $(procs); fi
    for name in "$@"; do start_one "$name"; done
    wait_ready ;;
  stop)
    if [ $# -eq 0 ]; then set -- $(stop_order); fi
    for name in "$@"; do stop_one "$name"; done ;;
  status)
    for name in $(procs); do
      pid="$(pid_of "$name")"
      if [ -n "$pid" ]; then echo "$name: running (pid $pid)"; else echo "$name: stopped"; fi
    done
    if [ -n "$(pid_of web)" ]; then readyz || true; fi ;;
  *) sed -n '2,15p' "$0" >&2; exit 2 ;;
esac
