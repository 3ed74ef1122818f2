"""How fresh the read replica is: measured on the replica, kept a few seconds per process.

A streaming replica replays the primary's WAL a little behind it. :func:`freshness` asks the replica how far behind
and answers with a :class:`Freshness` when the replica may serve reads — it answers and lags at most
``DIANTI_REPLICA_MAX_LAG_SECONDS`` — or None, logging why, when reads must fall back to the primary. The answer is
kept ``DIANTI_REPLICA_LAG_CACHE_SECONDS`` in the process, so pages cost one measurement per few seconds, not one each.

The lag (:func:`lag_of`): none when the replica has replayed all it received (``pg_last_wal_receive_lsn() =
pg_last_wal_replay_lsn()``), else ``now() - pg_last_xact_replay_timestamp()`` — or less, when it has by now replayed
everything it had received at this process's previous measurement: then its data is at least as of that moment. The
second bound matters on a real cluster: WAL keeps coming without commits (checkpoints, vacuum, a long bulk load), so
the two LSNs are rarely equal at the instant of asking while the last replayed *commit* may be a minute old; on this
project's CI machine the first formula alone called a current replica 15 s behind. (The first measurement of a
process has no previous one and may fall back to the primary for one period.)
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import threading
import time
from dataclasses import dataclass

from django.conf import settings

log = logging.getLogger("dianti.replica")

REPLICA = "replica"
RESAMPLE_SECONDS = 0.2

_QUERY = ("SELECT now(), pg_last_xact_replay_timestamp(), pg_wal_lsn_diff(pg_last_wal_receive_lsn(), '0/0')::bigint, "
          "pg_wal_lsn_diff(pg_last_wal_replay_lsn(), '0/0')::bigint, pg_is_in_recovery()")


@dataclass(frozen=True)
class Sample:
    """What the replica said when asked: its clock, its last replayed commit's time, how far it has received and
    replayed the WAL (bytes), and whether it is a replica at all."""

    now: dt.datetime
    replayed_at: dt.datetime | None
    received: int | None
    replayed: int | None
    in_recovery: bool = True


@dataclass(frozen=True)
class Freshness:
    """How far the replica is behind the primary (seconds), and the moment its data is as of (shown to readers)."""

    lag: float
    as_of: dt.datetime


def configured() -> bool:
    """Return whether a replica is configured (``DIANTI_REPLICA_URL``)."""
    return REPLICA in settings.DATABASES


def lag_of(now: Sample, before: Sample | None = None) -> Freshness | None:
    """Return how fresh the replica is from what it says ``now`` (and said ``before``); None when nothing bounds it.

    Caught up (it has replayed all it received) means lag 0 and data as of its ``now()``: on a quiet primary the last
    replayed commit may be hours old without the replica being behind. A server not in recovery is no replica (or was
    promoted): it is as fresh as it gets."""
    if not now.in_recovery or (now.received is not None and now.replayed is not None
                               and now.replayed >= now.received):
        return Freshness(0.0, now.now)
    bounds = [now.replayed_at] if now.replayed_at is not None else []
    if (before is not None and before.received is not None and now.replayed is not None
            and now.replayed >= before.received):
        bounds.append(before.now)
    if not bounds:
        return None
    as_of = max(bounds)
    return Freshness(max(0.0, (now.now - as_of).total_seconds()), as_of)


def sample() -> Sample:
    """Ask the replica where it is (raises when it does not answer)."""
    from django.db import connections

    with connections[REPLICA].cursor() as cursor:
        cursor.execute(_QUERY)
        return Sample(*cursor.fetchone())


_kept: tuple[float, Freshness | None] = (-math.inf, None)
_previous: Sample | None = None
_lock = threading.Lock()


def freshness() -> Freshness | None:
    """Return the replica's freshness when it may serve reads now, else None (down, or lagging past the limit).

    Measured at most once per ``DIANTI_REPLICA_LAG_CACHE_SECONDS`` per process; each measurement that sends reads to
    the primary says so in the log (at most once per period, not once per page)."""
    global _kept
    with _lock:
        at, answer = _kept
        if time.monotonic() - at < settings.DIANTI_REPLICA_LAG_CACHE_SECONDS:
            return answer
        answer = _usable()
        _kept = (time.monotonic(), answer)
        return answer


def forget() -> None:
    """Drop the kept answer (tests; a process that knows the replica changed)."""
    global _kept, _previous
    with _lock:
        _kept, _previous = (-math.inf, None), None


def _usable() -> Freshness | None:
    global _previous
    limit = settings.DIANTI_REPLICA_MAX_LAG_SECONDS
    try:
        now = sample()  # looked up at each call, so a test can stand a stub in its place
        found = lag_of(now, _previous)
        if found is None or found.lag > limit:
            # No recent measurement to bound it: ask again shortly, so a replica that is merely busy replaying (its
            # last commit old) is told apart from one that is stuck, rather than sent away for a whole period.
            time.sleep(RESAMPLE_SECONDS)
            now, before = sample(), now
            found = lag_of(now, before)
    except Exception as exc:  # any failure to answer means: read the primary
        log.warning("replica unavailable (%s: %s); reading the primary", type(exc).__name__, exc)
        return None
    _previous = now
    if found is None:
        log.warning("replica lag unknown (no commit replayed since it started); reading the primary")
        return None
    if found.lag > limit:
        log.warning("replica lags %.1f s (limit %s s); reading the primary", found.lag, limit)
        return None
    return found
