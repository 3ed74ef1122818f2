#!/usr/bin/env bash
# A PostgreSQL streaming read replica of the local primary, on the same machine (two clusters are enough to prove the
# router; production puts the replica on a machine of its own with the same steps).
#   usage: scripts/pg-replica.sh start|stop|status
#   start   create the replica if needed (pg_basebackup -R through a physical replication slot, hot_standby on),
#           start it and wait until it accepts read-only connections
#   stop    stop it, delete its directory and drop its slot (a slot kept for a stopped replica makes the primary
#           keep every WAL segment from then on, until its disk fills)
#   status  say whether it runs, whether it is in recovery, and how far behind it is
# Environment: DIANTI_PRIMARY_PORT (5432), DIANTI_REPLICA_PORT (5433), DIANTI_REPLICA_DIR
# (/tmp/dianti-replica-<port>), PGUSER (postgres). Host 127.0.0.1, trust authentication, as on the CI machine.
#
# The primary must accept replication connections from 127.0.0.1: if its pg_hba.conf has no `host replication` line
# for 127.0.0.1, start appends one (trust, marked with a comment naming this script) and reloads the primary. It is
# appended once (the check looks for any such line); stop removes the marked line again once no replica made by this
# script is left (no `dianti_replica_*` slot), so the primary's configuration ends as it began.
set -euo pipefail

host=127.0.0.1
primary_port="${DIANTI_PRIMARY_PORT:-5432}"
port="${DIANTI_REPLICA_PORT:-5433}"
base="${DIANTI_REPLICA_DIR:-/tmp/dianti-replica-$port}"
data="$base/data"
log="$base/postgresql.log"
slot="dianti_replica_$port"
user="${PGUSER:-postgres}"
MARK="# added by dianti scripts/pg-replica.sh: the local streaming replica"

primary() { psql -h "$host" -p "$primary_port" -U "$user" -d postgres -v ON_ERROR_STOP=1 -Atqc "$1"; }
replica() { psql -h "$host" -p "$port" -U "$user" -d postgres -v ON_ERROR_STOP=1 -Atqc "$1"; }

major="$(( $(primary "SHOW server_version_num") / 10000 ))"
bin="/usr/lib/postgresql/$major/bin"
[ -x "$bin/pg_ctl" ] || bin="$(dirname "$(command -v pg_ctl || echo /usr/bin/pg_ctl)")"
# PostgreSQL refuses to run as root: run its tools as whoever owns the primary's data directory (postgres on Debian).
owner="$(stat -c %U "$(primary "SHOW data_directory")")"
as_owner() {
  if [ "$(id -un)" = "$owner" ]; then "$@"
  elif command -v runuser >/dev/null; then runuser -u "$owner" -- "$@"
  else su "$owner" -s /bin/sh -c "$(printf '%q ' "$@")"; fi
}

running() { [ -f "$data/postmaster.pid" ] && as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; }

allow_replication() {
  local hba
  hba="$(primary "SHOW hba_file")"
  if primary "SELECT 1 FROM pg_hba_file_rules WHERE 'replication' = ANY(database) AND type = 'host'
              AND (address IS NULL OR address = '127.0.0.1' OR address = 'all') LIMIT 1" | grep -q 1; then
    return
  fi
  printf '%s\nhost replication all 127.0.0.1/32 trust\n' "$MARK" >>"$hba"
  primary "SELECT pg_reload_conf()" >/dev/null
  echo "pg-replica: added 'host replication all 127.0.0.1/32 trust' to $hba and reloaded the primary"
}

create() {
  local senders
  senders="$(primary "SHOW max_wal_senders")"
  if [ "$senders" -lt 2 ] || [ "$(primary "SHOW wal_level")" = minimal ]; then
    echo "pg-replica: the primary needs wal_level replica and max_wal_senders >= 2 (has $(primary "SHOW wal_level"), $senders)" >&2
    exit 1
  fi
  allow_replication
  primary "SELECT pg_create_physical_replication_slot('$slot') WHERE NOT EXISTS
           (SELECT 1 FROM pg_replication_slots WHERE slot_name = '$slot')" >/dev/null
  if [ "$(id -u)" = 0 ]; then install -d -o "$owner" -m 700 "$base"; else mkdir -p -m 700 "$base"; fi
  as_owner "$bin/pg_basebackup" -h "$host" -p "$primary_port" -U "$user" -D "$data" -R -X stream -S "$slot" -c fast
  # Debian keeps postgresql.conf and pg_hba.conf in /etc, so the copy has neither: give the replica its own. A hot
  # standby needs these limits at least as high as the primary's.
  {
    echo "port = $port"
    echo "listen_addresses = '$host'"
    echo "unix_socket_directories = '$base'"
    echo "hot_standby = on"
    echo "shared_buffers = 32MB"
    echo "logging_collector = off"
    for name in max_connections max_worker_processes max_wal_senders max_prepared_transactions \
                max_locks_per_transaction; do
      echo "$name = $(primary "SHOW $name")"
    done
  } | as_owner tee "$data/postgresql.conf" >/dev/null
  printf 'local all all trust\nhost all all 127.0.0.1/32 trust\n' | as_owner tee "$data/pg_hba.conf" >/dev/null
  echo "pg-replica: created $data from 127.0.0.1:$primary_port through slot $slot"
}

start() {
  if running; then echo "pg-replica: already running on $host:$port"; return; fi
  [ -f "$data/PG_VERSION" ] || create
  as_owner "$bin/pg_ctl" -D "$data" -l "$log" -w -t 120 start >/dev/null
  for _ in $(seq 1 60); do
    if [ "$(replica "SELECT pg_is_in_recovery()" 2>/dev/null)" = t ]; then
      echo "pg-replica: streaming replica accepting read-only connections on $host:$port"
      return
    fi
    sleep 1
  done
  echo "pg-replica: the replica did not accept connections; its log:" >&2
  tail -n 30 "$log" >&2 || true
  exit 1
}

stop() {
  if running; then as_owner "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null; fi
  rm -rf "$base"
  # The primary's walsender for the slot may take a moment to notice the replica is gone.
  for _ in $(seq 1 20); do
    if [ -z "$(primary "SELECT 1 FROM pg_replication_slots WHERE slot_name = '$slot'")" ]; then break; fi
    primary "SELECT pg_drop_replication_slot('$slot') FROM pg_replication_slots
             WHERE slot_name = '$slot' AND NOT active" >/dev/null 2>&1 || true
    sleep 0.5
  done
  disallow_replication
  echo "pg-replica: stopped and removed (slot $slot dropped)"
}


disallow_replication() {
  local hba
  hba="$(primary "SHOW hba_file")"
  grep -qxF "$MARK" "$hba" 2>/dev/null || return 0
  # Another replica of this script still streams through the line: leave it.
  [ -z "$(primary "SELECT 1 FROM pg_replication_slots WHERE slot_name LIKE 'dianti\_replica\_%' LIMIT 1")" ] || return 0
  # The marked comment and the line after it (the one start appended), nothing else.
  awk -v mark="$MARK" '$0 == mark { skip = 1; next } skip { skip = 0; next } { print }' "$hba" >"$hba.dianti-tmp"
  # Keep the file's owner and mode: write in place rather than replacing the inode.
  cat "$hba.dianti-tmp" >"$hba" && rm -f "$hba.dianti-tmp"
  primary "SELECT pg_reload_conf()" >/dev/null
  echo "pg-replica: removed the replication line it had added to $hba and reloaded the primary"
}

status() {
  if ! running; then echo "pg-replica: not running (data directory $data)"; return 3; fi
  replica "SELECT 'pg-replica: running on $host:$port; in recovery: ' || pg_is_in_recovery()
           || '; replay paused: ' || pg_is_wal_replay_paused()
           || '; caught up: ' || coalesce((pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn())::text, 'unknown')
           || '; last replayed commit: ' || coalesce(pg_last_xact_replay_timestamp()::text, 'none')"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
