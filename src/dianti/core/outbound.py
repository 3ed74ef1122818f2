"""Delivery of outbound messages: queued in the act's transaction, sent by a background task, retried with
exponential backoff, rate-limited per provider, and every answer kept on the row.

A row (:class:`~dianti.core.models.OutboundMessage`) moves ``queued → sending → sent → delivered``, or ends
``failed`` with the provider's code and reason. :func:`deliver` makes one attempt; it first *claims* the row (a
conditional update), so two workers, or a worker and the sweep, never send it twice. A transport error or a
provider's "busy" answer puts it back to ``queued`` with ``next_attempt_at`` = now + base × 2^(attempts − 1) (capped),
until ``NOTIFY_MAX_ATTEMPTS``; a refusal (a wrong number, a per-number daily limit) fails it at once.

Who runs :func:`deliver`, by ``JOBS_BACKEND`` (like background jobs, :mod:`.jobs`):

* ``"celery"`` (production): one ``dianti.deliver_outbound`` task per row on the urgent queue, a retry as the same
  task with a countdown; beat runs :func:`deliver_due` every minute for rows whose task was lost (broker away).
* ``"process"`` / ``"thread"`` (``make run``): one worker thread in each web process (started by ``dianti/wsgi.py``)
  takes the rows of each commit and, when idle, sweeps what is due — the page that told someone has already
  answered; rows queued by a command wait for that sweep.
* ``"sync"`` (tests): at once, after commit; retries wait for :func:`deliver_due`.

Logs name the channel, the row and the provider's code, never an address or a message body.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import close_old_connections, transaction
from django.db.models import F, Q
from django.utils import timezone

from . import ratelimit
from .channels.base import Outgoing, ProviderError, channel_named
from .models import OutboundMessage
from .queues import URGENT

log = logging.getLogger(__name__)

S = OutboundMessage.Status
SENDING_STALE = timedelta(minutes=10)  # a row "sending" this long lost its worker: the sweep queues it again
LOST_AFTER = timedelta(minutes=1)  # a queued row never attempted this long lost its dispatch
SWEEP_SECONDS = 15.0
SWEEP_BATCH = 500


def backoff(attempts: int) -> float:
    """Return the seconds to wait before attempt ``attempts + 1``: ``NOTIFY_RETRY_BASE_SECONDS`` × 2^(attempts − 1),
    at most ``NOTIFY_RETRY_MAX_SECONDS``."""
    base, cap = settings.NOTIFY_RETRY_BASE_SECONDS, settings.NOTIFY_RETRY_MAX_SECONDS
    return float(min(cap, base * 2 ** max(0, attempts - 1)))


def rate_limit(channel: str) -> tuple[int, int] | None:
    """Return ``(messages, per seconds)`` allowed on ``channel`` across all workers, or None (unlimited)."""
    return settings.NOTIFY_RATE_LIMITS.get(channel)


def enqueue(rows: list[OutboundMessage]) -> None:
    """Record ``rows`` as queued now and have them sent once the current transaction commits."""
    created = OutboundMessage.objects.bulk_create(rows)
    ids = [r.pk for r in created if r.pk is not None]
    transaction.on_commit(lambda: dispatch(ids))


def dispatch(ids: Iterable[int], *, delay: float = 0) -> None:
    """Hand rows to whoever sends them (see the module docstring); never raise — a row left queued is swept."""
    ids = list(ids)
    backend = settings.JOBS_BACKEND
    try:
        if backend == "celery":
            from dianti.celery import app

            for pk in ids:
                app.send_task("dianti.deliver_outbound", args=(pk,), queue=URGENT, countdown=delay or None)
        elif backend in ("process", "thread"):
            # The web server's worker thread sends them; a retry, or a row queued by a command (``dianti demo``,
            # ``dianti daily``), waits for that worker's sweep.
            if _worker is not None and not delay:
                _worker.put_all(ids)
        elif not delay:
            for pk in ids:
                deliver(pk)
    except Exception:  # a broker away: the rows stay queued and the sweep sends them later
        log.exception("outbound: dispatch of %d message(s) failed; they stay queued", len(ids))


def deliver(pk: int, now: datetime | None = None) -> str:
    """Make one attempt at row ``pk`` if it is due and nobody else holds it; return its status afterwards (or
    ``"skipped"``)."""
    now = now or timezone.now()
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    claimed = OutboundMessage.objects.filter(due, pk=pk, status=S.QUEUED).update(
        status=S.SENDING, attempts=F("attempts") + 1, next_attempt_at=now + SENDING_STALE)
    if not claimed:
        return "skipped"
    row = OutboundMessage.objects.get(pk=pk)
    channel = channel_named(row.channel)
    if channel is None:
        return _fail(row, "NO_CHANNEL", "渠道未启用（NOTIFY_CHANNELS 中没有它）", now)
    limit = rate_limit(row.channel)
    if limit and not ratelimit.allow(f"outbound:{row.channel}", "all", *limit):
        # Over the provider's rate: wait for the next window without spending an attempt.
        _update(row, status=S.QUEUED, attempts=row.attempts - 1, next_attempt_at=now + timedelta(seconds=limit[1]),
                provider_code="RATE_LIMITED", error="超出发送频率限制，稍后自动发送")
        dispatch([row.pk], delay=limit[1])
        return S.QUEUED
    try:
        sent = channel.send(_outgoing(row))
    except ProviderError as exc:
        if exc.retry:
            return _retry(row, exc.code, exc.reason, now)
        return _fail(row, exc.code, exc.reason, now)
    except Exception as exc:  # noqa: BLE001 — a timeout, a refused connection, a garbled answer: try again later
        return _retry(row, "TRANSPORT", f"{type(exc).__name__}: {exc}"[:300], now)
    status = S.DELIVERED if sent.delivered else S.SENT
    _update(row, status=status, sent_at=now, finished_at=now if sent.delivered else None, next_attempt_at=None,
            provider_code=sent.code[:64], provider_id=sent.provider_id[:128], error="")
    # The log channel records every message of a single machine: its deliveries are not news at INFO.
    log.log(logging.DEBUG if row.channel == "log" else logging.INFO, "outbound %s #%s %s (%s)", row.channel, row.pk,
            status, sent.code)
    return status


def deliver_due(now: datetime | None = None, limit: int = 0) -> int:
    """Attempt every row that is due (a retry whose time has come, a dispatch that was lost, a worker that died
    mid-send); return how many were attempted."""
    now = now or timezone.now()
    OutboundMessage.objects.filter(status=S.SENDING, next_attempt_at__lt=now).update(status=S.QUEUED)
    due = OutboundMessage.objects.filter(status=S.QUEUED).filter(
        Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True, created_at__lte=now - LOST_AFTER))
    ids = list(due.order_by("next_attempt_at", "id").values_list("pk", flat=True)[:limit or SWEEP_BATCH])
    for pk in ids:
        deliver(pk, now)
    return len(ids)


def mark_receipt(*, channel: str, provider_id: str, delivered: bool, code: str, reason: str = "") -> int:
    """Record a provider's delivery receipt for the message it numbered ``provider_id``; return rows updated."""
    status = S.DELIVERED if delivered else S.FAILED
    return OutboundMessage.objects.filter(channel=channel, provider_id=provider_id, status=S.SENT).update(
        status=status, provider_code=code[:64], error="" if delivered else reason[:500], finished_at=timezone.now())


def _outgoing(row: OutboundMessage) -> Outgoing:
    return Outgoing(kind=row.kind, title=row.title, body=row.body, url=row.url, to_name=row.to_name,
                    to_address=row.to_address, params=row.params or {})


def _retry(row: OutboundMessage, code: str, reason: str, now: datetime) -> str:
    if row.attempts >= settings.NOTIFY_MAX_ATTEMPTS:
        return _fail(row, code, f"重试 {row.attempts} 次后仍失败：{reason}", now)
    wait = backoff(row.attempts)
    _update(row, status=S.QUEUED, next_attempt_at=now + timedelta(seconds=wait), provider_code=code[:64],
            error=reason[:500])
    log.warning("outbound %s #%s attempt %d failed (%s); next in %ds", row.channel, row.pk, row.attempts, code, wait)
    dispatch([row.pk], delay=wait)
    return S.QUEUED


def _fail(row: OutboundMessage, code: str, reason: str, now: datetime) -> str:
    _update(row, status=S.FAILED, finished_at=now, next_attempt_at=None, provider_code=code[:64], error=reason[:500])
    log.warning("outbound %s #%s failed (%s)", row.channel, row.pk, code)
    return S.FAILED


def _update(row: OutboundMessage, **fields: object) -> None:
    OutboundMessage.objects.filter(pk=row.pk).update(**fields)


class _Worker:
    """The single-machine sender: one daemon thread per process taking rows as their acts commit, sweeping what is
    due whenever it has been idle for :data:`SWEEP_SECONDS`."""

    def __init__(self) -> None:
        self.queue: queue.Queue[int] = queue.Queue()
        threading.Thread(target=self._loop, daemon=True, name="dianti-outbound").start()

    def put_all(self, ids: Iterable[int]) -> None:
        for pk in ids:
            self.queue.put(pk)

    def _loop(self) -> None:
        while True:
            try:
                try:
                    deliver(self.queue.get(timeout=SWEEP_SECONDS))
                except queue.Empty:
                    while deliver_due() >= SWEEP_BATCH:  # a backlog (a restart, a demo load): on at once
                        pass
            except Exception:  # the database away for a moment: the row stays queued, the next sweep sends it
                log.exception("outbound worker: an attempt failed")
            finally:
                close_old_connections()


_worker: _Worker | None = None
_worker_lock = threading.Lock()


def _local_worker() -> _Worker:
    global _worker
    with _worker_lock:
        if _worker is None:
            _worker = _Worker()
        return _worker


def start_worker() -> bool:
    """Start this process's sender thread when it is the single-machine setup (so rows left queued by a restart
    go out); return whether it runs."""
    if settings.JOBS_BACKEND not in ("process", "thread"):
        return False
    _local_worker()
    return True
