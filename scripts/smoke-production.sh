#!/usr/bin/env bash
# Production started for real, and one campaign run through it end to end.
#
# Builds a runtime-only venv (`pip install -e .`, no dev extras: pytest's plugins would hide a missing runtime
# dependency), makes a throwaway PostgreSQL database (prodsmoke_<pid>) and uses Redis db 14, starts the whole set
# with scripts/prod.sh (migrate, collectstatic, gunicorn with 2 workers, a Celery worker per queue group, beat) under
# production settings (DIANTI_DEBUG unset, a random secret key and data key, the second factor required), seeds the
# smallest installation (`dianti seed_smoke`), and runs scripts/smoke_production.py against gunicorn over HTTP.
# Whatever happens it stops everything it started, drops its database and flushes its Redis db.
#   usage: scripts/smoke-production.sh   (needs Redis and PostgreSQL on 127.0.0.1, as .ci/run starts them)
# SMOKE_VENV=DIR reuses a venv instead of building one (a developer's second run); SMOKE_KEEP=1 keeps the logs.
set -euo pipefail
cd "$(dirname "$0")/.."
unset PYTHONPATH DIANTI_DEBUG
work="$(mktemp -d)"
db="prodsmoke_$$"
redis_db=14
started=""

cleanup() {
  local status=$?
  if [ -n "$started" ]; then bash scripts/prod.sh stop || status=1; fi
  if [ "$status" -ne 0 ] && [ -d "$work/run" ]; then
    for log in "$work"/run/*.log; do echo "--- $log (last lines)" >&2; tail -n 30 "$log" >&2; done
  fi
  dropdb -h 127.0.0.1 -U postgres --if-exists "$db" >/dev/null 2>&1 || true
  redis-cli -h 127.0.0.1 -n "$redis_db" flushdb >/dev/null 2>&1 || true
  if [ -n "${SMOKE_KEEP:-}" ]; then echo "logs kept in $work/run"; else rm -rf "$work"; fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

t0=$SECONDS
venv="${SMOKE_VENV:-$work/venv}"
if [ -z "${SMOKE_VENV:-}" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet -e . 2>&1 | grep -v "is ignored: it is neither a file nor a directory" || true
fi
# Every module production imports at start, from the runtime install alone.
"$venv/bin/python" -c "import kombu.transport.redis, django_redis, psycopg, gunicorn, pypdf, redis"
echo "== runtime venv ready ($((SECONDS - t0)) s)"

createdb -h 127.0.0.1 -U postgres "$db"
redis-cli -h 127.0.0.1 -n "$redis_db" flushdb >/dev/null
export DIANTI_VENV="$venv" DIANTI_RUN_DIR="$work/run" DIANTI_VAR_DIR="$work/var"
export DIANTI_DATABASE_URL="postgres://postgres@127.0.0.1:5432/$db"
export DIANTI_REDIS_URL="redis://127.0.0.1:6379/$redis_db"
export DIANTI_SECRET_KEY="$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')"
export DIANTI_DATA_KEY="$("$venv/bin/dianti" datakey)"
export DIANTI_PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
# Beat sends the daily sweeps every 15 s instead of at 07:00, so the smoke sees one run in the worker.
export DIANTI_DAILY_EVERY_SECONDS=15
export DIANTI_WORKER_CONCURRENCY=1  # two cores on CI: one process per worker is enough for a smoke

t1=$SECONDS
started=1
bash scripts/prod.sh start
echo "== production started ($((SECONDS - t1)) s)"
"$venv/bin/dianti" seed_smoke >"$work/run/seed.json"
"$venv/bin/python" scripts/smoke_production.py --base "http://127.0.0.1:$DIANTI_PORT" --seed "$work/run/seed.json" \
  --prod scripts/prod.sh --run "$work/run" --redis "$DIANTI_REDIS_URL"

bash scripts/prod.sh stop
started=""
left="$(bash scripts/prod.sh status | grep -c running || true)"
[ "$left" -eq 0 ] || { echo "smoke: $left processes still running after stop" >&2; exit 1; }
echo "== production smoke passed in $((SECONDS - t0)) s; every process stopped"
