"""Where reads go when a streaming read replica is configured (``DIANTI_REPLICA_URL``): the database router.

Everything reads and writes the primary, as on a single machine, except what is declared replica-safe — the
dashboards, the public pages and the exports — with :func:`replica_reads` on the view (or on a background job's
handler): a GET or HEAD of such a page reads the replica, when the replica answers and lags no more than
``DIANTI_REPLICA_MAX_LAG_SECONDS`` (:mod:`dianti.core.replica`), and the page then says in a small line how fresh
its data is ("数据更新于 HH:MM:SS"). Reads stay on the primary:

- inside a transaction on the primary (a service reading what it is about to change);
- for the rest of a request once it has written anything;
- for ``DIANTI_REPLICA_PIN_SECONDS`` after a request that wrote, for the same browser (a signed, timestamped cookie),
  so that whoever acted sees what they just did on the next page;
- for the bookkeeping tables (sessions, the shared cache's counters, lockouts, second factors) always.

Writes always go to the primary; migrations run on it alone; objects read from either may be related. Without
``DIANTI_REPLICA_URL`` neither the router nor its middleware is installed, and nothing here runs.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, HttpResponse

from . import replica
from .replica import REPLICA

F = TypeVar("F", bound=Callable[..., Any])

PIN_COOKIE = "dianti_pin"
SAFE_METHODS = frozenset({"GET", "HEAD"})
# Read and written on the primary only, and writing them pins nothing: they keep the request going, they are not
# what the person did (a session's expiry slides on every request; a rate-limit counter counts every visit).
PRIMARY_ONLY_APPS = frozenset({"sessions", "django_cache", "axes", "otp_totp", "otp_static", "django_otp"})
# Written as a side effect of running a job (its progress), not by the person: no pin.
UNPINNED_MODELS = frozenset({"core.job"})


@dataclass
class Reads:
    """Where one request's (or job's) reads go, and why."""

    alias: str = DEFAULT_DB_ALIAS
    why: str = ""  # "" (not declared replica-safe), "pinned", "fallback" (replica down or lagging)
    as_of: dt.datetime | None = None  # the replica's data is as of this moment
    wrote: bool = False

    def header(self) -> str:
        """Return what the debugging header says: the alias that served the reads, and why not the replica."""
        served = "replica" if self.alias == REPLICA else "primary"
        why = "wrote" if self.wrote else self.why
        return f"{served}; {why}" if why else served


_reads: ContextVar[Reads | None] = ContextVar("dianti_reads", default=None)


def replica_reads(view: F) -> F:
    """Declare ``view`` (or a job handler) safe to read from the replica: it only reads, and data a few seconds old
    is fine for it. Put it outermost (above ``login_required``) or anywhere among decorators that use ``wraps``."""
    view.replica_reads = True  # type: ignore[attr-defined]
    return view


def replica_reads_api(operation: F) -> F:
    """Declare a django-ninja operation replica-safe. Ninja serves every method of a path through one view of its
    own, so the middleware cannot see the operation: it decides where the reads go when the operation starts, as
    :class:`ReplicaMiddleware` does for a page (put it under the ``@router.get`` line)."""

    @functools.wraps(operation)
    def declared(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        reads = _reads.get()
        if reads is not None and not reads.wrote:
            decided = decide(request, _DECLARED)
            reads.alias, reads.why, reads.as_of = decided.alias, decided.why, decided.as_of
        return operation(request, *args, **kwargs)

    return replica_reads(declared)  # type: ignore[return-value]


def current() -> Reads | None:
    """Return where the current request's or job's reads go (None outside of one)."""
    return _reads.get()


def _primary_only(model: Any) -> bool:
    return model._meta.app_label in PRIMARY_ONLY_APPS


class ReplicaRouter:
    """Send a declared request's reads to the replica, everything else to the primary (see the module)."""

    def db_for_read(self, model: Any, **hints: Any) -> str:
        reads = _reads.get()
        if (reads is None or reads.alias != REPLICA or reads.wrote or _primary_only(model)
                or connections[DEFAULT_DB_ALIAS].in_atomic_block):
            return DEFAULT_DB_ALIAS
        return REPLICA

    def db_for_write(self, model: Any, **hints: Any) -> str:
        reads = _reads.get()
        if reads is not None and not _primary_only(model) and model._meta.label_lower not in UNPINNED_MODELS:
            reads.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the replica is a copy of the primary: the same rows, the same keys

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS


def pinned(request: HttpRequest) -> bool:
    """Return whether this browser wrote within ``DIANTI_REPLICA_PIN_SECONDS`` (its signed cookie says when)."""
    return request.get_signed_cookie(PIN_COOKIE, default=None, salt=PIN_COOKIE,
                                     max_age=settings.DIANTI_REPLICA_PIN_SECONDS) is not None


def decide(request: HttpRequest, view: Any) -> Reads:
    """Return where the reads of ``request`` to ``view`` go."""
    if request.method not in SAFE_METHODS or not getattr(view, "replica_reads", False):
        return Reads()
    if pinned(request):
        return Reads(why="pinned")
    fresh = replica.freshness()
    if fresh is None:
        return Reads(why="fallback")
    return Reads(alias=REPLICA, as_of=fresh.as_of)


_DECLARED = replica_reads(lambda request: None)  # what :func:`replica_reads_api` asks :func:`decide` about


class ReplicaMiddleware:
    """Route each request's reads (:func:`decide`), pin a browser that wrote to the primary for a while, and say which
    database served the page in ``X-Dianti-Db`` when ``DIANTI_REPLICA_HEADER`` is on (the default with DEBUG).

    Last in ``MIDDLEWARE``: the session, the user and the read rules are loaded from the primary before the view is
    known, and what outer middleware writes after the view (the session, the download audit) pins nothing."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        reads = Reads()
        token = _reads.set(reads)
        try:
            response = self.get_response(request)
        finally:
            _reads.reset(token)
        if reads.wrote:
            response.set_signed_cookie(PIN_COOKIE, "1", salt=PIN_COOKIE, max_age=settings.DIANTI_REPLICA_PIN_SECONDS,
                                       httponly=True, samesite="Lax", secure=settings.DIANTI_COOKIE_SECURE)
        if settings.DIANTI_REPLICA_HEADER:
            response["X-Dianti-Db"] = reads.header()
        return response

    def process_view(self, request: HttpRequest, view: Any, args: Any, kwargs: Any) -> None:
        reads = _reads.get()
        if reads is not None:  # the object __call__ holds, changed in place (a view run in a thread sees it too)
            decided = decide(request, view)
            reads.alias, reads.why, reads.as_of = decided.alias, decided.why, decided.as_of


@contextmanager
def job_reads(handler: Any) -> Iterator[Reads | None]:
    """Run a background job's reads on the replica when its handler is declared so (:func:`replica_reads`) and the
    replica is fresh enough; otherwise leave them where they were."""
    if not replica.configured() or not getattr(handler, "replica_reads", False):
        yield None
        return
    fresh = replica.freshness()
    reads = Reads(alias=REPLICA, as_of=fresh.as_of) if fresh is not None else Reads(why="fallback")
    token = _reads.set(reads)
    try:
        yield reads
    finally:
        _reads.reset(token)


def freshness(request: HttpRequest) -> dict[str, Any]:
    """Template context: ``replica_as_of``, the moment a page read from the replica is as of (else nothing)."""
    reads = _reads.get()
    if reads is None or reads.alias != REPLICA or reads.wrote or reads.as_of is None:
        return {}
    return {"replica_as_of": reads.as_of}
