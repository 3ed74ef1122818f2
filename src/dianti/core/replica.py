"""How fresh the read replica is: measured on the replica, kept a few seconds per process.

A streaming replica replays the primary's WAL a little behind it. :func:`freshness` asks the replica how far behind
(``now() - pg_last_xact_replay_timestamp()``, and ``pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn()`` for "it has
replayed all it received", when the replay timestamp is only the last commit's and may be old on a quiet primary) and
answers with a :class:`Freshness` when the replica may serve reads — it answers and lags at most
``DIANTI_REPLICA_MAX_LAG_SECONDS`` — or None, logging why, when reads must fall back to the primary. The answer is
kept ``DIANTI_REPLICA_LAG_CACHE_SECONDS`` in the process, so pages cost one measurement per few seconds, not one each.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings

log = logging.getLogger("dianti.replica")

REPLICA = "replica"

_QUERY = ("SELECT now(), pg_last_xact_replay_timestamp(), pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn(), "
          "pg_is_in_recovery()")


@dataclass(frozen=True)
class Freshness:
    """How far the replica is behind the primary (seconds), and the moment its data is as of (shown to readers)."""

    lag: float
    as_of: dt.datetime


def configured() -> bool:
    """Return whether a replica is configured (``DIANTI_REPLICA_URL``)."""
    return REPLICA in settings.DATABASES


def lag_of(now: dt.datetime, replayed: dt.datetime | None, caught_up: bool | None,
           in_recovery: bool) -> Freshness | None:
    """Return the freshness of a replica from what it reports; None when it has not replayed a commit yet.

    Caught up (it has replayed everything it received) means lag 0 and data as of its ``now()``: on a quiet primary the
    last replayed commit may be hours old without the replica being behind. A server not in recovery is no replica
    (or was promoted): it is as fresh as it gets."""
    if not in_recovery or caught_up:
        return Freshness(0.0, now)
    if replayed is None:
        return None
    return Freshness(max(0.0, (now - replayed).total_seconds()), replayed)


def measure() -> Freshness | None:
    """Ask the replica how fresh it is (raises when it does not answer)."""
    from django.db import connections

    with connections[REPLICA].cursor() as cursor:
        cursor.execute(_QUERY)
        now, replayed, caught_up, in_recovery = cursor.fetchone()
    return lag_of(now, replayed, caught_up, in_recovery)


_kept: tuple[float, Freshness | None] = (-math.inf, None)
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
        answer = _usable(measure)  # looked up now, so a test can stand a stub in its place
        _kept = (time.monotonic(), answer)
        return answer


def forget() -> None:
    """Drop the kept answer (tests; a process that knows the replica changed)."""
    global _kept
    with _lock:
        _kept = (-math.inf, None)


def _usable(measure: Callable[[], Freshness | None]) -> Freshness | None:
    limit = settings.DIANTI_REPLICA_MAX_LAG_SECONDS
    try:
        found = measure()
    except Exception as exc:  # any failure to answer means: read the primary
        log.warning("replica unavailable (%s: %s); reading the primary", type(exc).__name__, exc)
        return None
    if found is None:
        log.warning("replica has replayed no commit yet; reading the primary")
        return None
    if found.lag > limit:
        log.warning("replica lags %.1f s (limit %s s); reading the primary", found.lag, limit)
        return None
    return found
