"""One way for steps of the cycle to tell each other what happened: domain events.

A step declares each event it publishes (an :class:`Event` in its component's ``publishes``) with its payload and
*when* subscribers run, and another step subscribes by name (``subscribes`` in its component). The choice of when
is written on the event, once, and says what a subscriber's failure does:

- ``IN_TRANSACTION`` — in the publisher's transaction; a subscriber that raises undoes the whole act, and the
  person acting sees the error on the page. For effects that *are* the act: a confirmed 整改 proposal opens its
  case, or neither happens.
- ``IN_SAVEPOINT`` — in the publisher's transaction, each subscriber in a savepoint of its own; a subscriber that
  raises is rolled back alone and recorded (in the same transaction, so the record exists exactly when the act
  does). For effects that belong with the act but must not undo it: a meeting's voting closes even if computing
  its score of record fails; the failure is kept for staff to run again.
- ``ON_COMMIT`` — after the publisher's transaction commits, each subscriber in its own transaction; a failure is
  rolled back alone and recorded. For consequences told to others: the villagers behind a topic hear that its
  case moved only once the move is final.

A recorded failure is an :class:`~dianti.core.models.EventFailure`: logged, shown to the admins of its
organization on their home page, and retried from there (:func:`failure_retry`) — never only logged. The
publisher is never half-done: either the act and every ``IN_TRANSACTION`` effect stand, or none.

Events run forward along the cycle, where imports cannot: an earlier step tells later ones what happened without
knowing them. A later step that needs an earlier one to act calls that step's service directly (imports point back
along the cycle: the close of a meeting marks its subjects 已述职 through ``campaigns.services``), so an event is
never a disguised command.

Payloads are plain values (ids, strings, booleans) so a failed delivery can be stored and retried; subscribers load
what they need. ``actor`` (who acted; on a retry, who retried) is passed beside the payload.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from . import audit, components
from .scope import OutOfScope, scope_for

log = logging.getLogger(__name__)

IN_TRANSACTION = "in_transaction"
IN_SAVEPOINT = "in_savepoint"
ON_COMMIT = "on_commit"
WHEN = (IN_TRANSACTION, IN_SAVEPOINT, ON_COMMIT)


@dataclass(frozen=True)
class Event:
    name: str
    when: str  # one of WHEN
    payload: tuple[str, ...]  # the keys every publication carries (recorded failures are placed by ``org_path``)
    label: str  # what happened, in words staff read on a failure
    why: str = ""  # why this choice of ``when``


def declared() -> dict[str, Event]:
    """Return every event some component publishes, by name."""
    return {e.name: e for c in components.components() for e in c.publishes}


def subscribers(name: str) -> list[tuple[str, Callable[..., Any]]]:
    """Return ``(component label, function)`` for each subscriber of ``name``, in cycle order."""
    return [(c.label, c.subscribes[name]) for c in components.components() if name in c.subscribes]


def publish(name: str, *, actor: Any = None, **payload: Any) -> None:
    """Tell the subscribers of ``name`` (see the module's docstring for when and what happens on failure)."""
    event = declared().get(name)
    if event is None:
        raise LookupError(f"event {name!r} is not declared by any component")
    if set(payload) != set(event.payload):
        raise TypeError(f"event {name!r} carries {sorted(event.payload)}, got {sorted(payload)}")
    if event.when != ON_COMMIT and not connection.in_atomic_block:
        raise RuntimeError(f"event {name!r} runs in the publisher's transaction: publish inside atomic()")
    for label, fn in subscribers(name):
        if event.when == IN_TRANSACTION:
            fn(actor=actor, **payload)
        elif event.when == IN_SAVEPOINT:
            deliver(event, label, fn, actor, payload)
        else:
            transaction.on_commit(_deliverer(event, label, fn, actor, payload))


def _deliverer(event: Event, label: str, fn: Callable[..., Any], actor: Any,
               payload: dict[str, Any]) -> Callable[[], None]:
    return lambda: deliver(event, label, fn, actor, payload)


def deliver(event: Event, label: str, fn: Callable[..., Any], actor: Any, payload: dict[str, Any]) -> bool:
    """Run one subscriber in its own transaction (a savepoint inside the publisher's, or after it committed); on
    failure roll it back alone and record it. Return whether it went through."""
    try:
        with transaction.atomic():
            fn(actor=actor, **payload)
    except Exception as exc:  # noqa: BLE001 — any failure of a subscriber is recorded for staff, never lost
        log.exception("event %s: subscriber %s failed", event.name, label)
        from .models import EventFailure

        EventFailure.objects.create(
            event=event.name, subscriber=label, payload=payload, error=_describe(exc)[:1000],
            org_path=str(payload.get("org_path", "")),
            actor=actor if getattr(actor, "is_authenticated", False) else None)
        return False
    return True


def _describe(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "；".join(exc.messages)
    return f"{type(exc).__name__}: {exc}"


def failures_for(user: Any) -> Any:
    """Return the unresolved failed deliveries in the organizations ``user`` manages, newest first."""
    from .models import EventFailure
    from .scope import restrict

    return restrict(EventFailure.objects.filter(resolved_at__isnull=True), user, "org_path", manage=True) \
        .order_by("-created_at", "-id")


def failure_rows(failures: Iterable[Any]) -> list[tuple[Any, str, str]]:
    """Return ``(failure, what happened, which step failed to follow up)`` of each failure (a page of
    :func:`failures_for`), in words."""
    declared_events, names = declared(), {c.label: str(c.name) for c in components.components()}
    return [(f, declared_events[f.event].label if f.event in declared_events else f.event,
             names.get(f.subscriber, f.subscriber)) for f in failures]


def failure_retry(*, actor: Any, failure: Any) -> bool:
    """Run a failed delivery again as ``actor``; return whether it went through this time."""
    if not scope_for(actor).can_manage_path(failure.org_path):
        raise OutOfScope(_("只能重试本级及下级组织的后续处理"))
    if failure.resolved_at is not None:
        raise ValidationError(_("这项后续处理已经完成"))
    event = declared().get(failure.event)
    fn = dict(subscribers(failure.event)).get(failure.subscriber)
    if event is None or fn is None:
        raise ValidationError(_("这项后续处理已不再需要（订阅已取消）"))
    from .models import EventFailure

    with transaction.atomic():
        # Claim the row as read: of two retries at once (a double click), the second finds it taken and runs
        # nothing, rather than running the follow-up twice (a second SMS to every villager behind a topic).
        claimed = EventFailure.objects.filter(pk=failure.pk, resolved_at__isnull=True,
                                              attempts=failure.attempts).update(attempts=F("attempts") + 1)
        if not claimed:
            raise ValidationError(_("这项后续处理已经完成"))
        failure.attempts += 1
        try:
            with transaction.atomic():
                fn(actor=actor, **failure.payload)
        except Exception as exc:  # noqa: BLE001 — a failed retry is recorded on the same row
            failure.error = _describe(exc)[:1000]
            failure.save(update_fields=["error"])
            return False
        failure.resolved_at, failure.resolved_by = timezone.now(), actor
        failure.save(update_fields=["resolved_at", "resolved_by"])
        audit.record(actor=actor, action="event.retry", target=failure, org_path=failure.org_path,
                     changes={"event": [None, failure.event], "subscriber": [None, failure.subscriber]})
    return True
