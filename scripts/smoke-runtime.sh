#!/usr/bin/env bash
# Production's install, without the dev extras: build a throwaway venv with only the runtime dependencies, then start
# a Celery worker against Redis and PostgreSQL for a few seconds and check that it came up. The test environment
# cannot prove this: pytest and its plugins pull in packages (packaging, …) that the runtime install would lack.
#   usage: scripts/smoke-runtime.sh   (needs Redis and PostgreSQL on 127.0.0.1, as .ci/run starts them)
set -euo pipefail
cd "$(dirname "$0")/.."
work="$(mktemp -d)"
db="dianti_smoke_$$"
cleanup() {
  if [ -n "${worker:-}" ]; then kill "$worker" 2>/dev/null || true; wait "$worker" 2>/dev/null || true; fi
  dropdb -h 127.0.0.1 -U postgres --if-exists "$db" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet -e . 2>&1 | grep -v "is ignored: it is neither a file nor a directory" || true
# Every module production imports at start, from the runtime install alone.
"$work/venv/bin/python" -c "import kombu.transport.redis, django_redis, psycopg, gunicorn"
createdb -h 127.0.0.1 -U postgres "$db"
export DIANTI_DEBUG=1 DIANTI_DATABASE_URL="postgres://postgres@127.0.0.1:5432/$db" \
  DIANTI_REDIS_URL=redis://127.0.0.1:6379/15 DIANTI_VAR_DIR="$work/var"
"$work/venv/bin/dianti" migrate --no-input >/dev/null
"$work/venv/bin/celery" -A dianti.celery worker --loglevel=info --concurrency=1 >"$work/worker.log" 2>&1 &
worker=$!
for _ in $(seq 1 30); do
  if grep -q "ready\." "$work/worker.log"; then
    echo "runtime install: celery worker ready on Redis + PostgreSQL"
    exit 0
  fi
  kill -0 "$worker" 2>/dev/null || break
  sleep 1
done
echo "runtime install: the celery worker did not come up:" >&2
cat "$work/worker.log" >&2
exit 1
