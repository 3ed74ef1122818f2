"""Score a province's meetings in worker processes, for :func:`.recompute.results_recompute` on PostgreSQL.

Scoring is most of a recompute's work and each closed meeting is scored on its own, so the meetings are dealt out
to worker processes (spawned, one per core by default), each reading its meetings' ballots through its own
connection and sending back each subject's proposals and result row ready to copy (:class:`.meeting_scoring.Scores`).
The recompute's own process reads the scope first and writes every row in its one transaction, as it does alone:
a failed worker fails the recompute and nothing is written. The workers read in the recompute's snapshot
(``pg_export_snapshot``), so they see exactly the ballots and sheets it saw.

Spawning a worker costs about a second and a half (Django, numpy and the engine imported again), so a small
recompute scores in its own process (:func:`workers_for`).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from django.db import connection

if TYPE_CHECKING:  # imported where used: a spawned worker imports this module before Django is set up
    from .meeting_scoring import Scores, Work

# From this many subjects a recompute deals its meetings out to worker processes.
PARALLEL_FROM = 20_000
# Tasks per worker: enough that a worker with big meetings does not finish long after the others.
TASKS_PER_WORKER = 8


def available() -> bool:
    return connection.vendor == "postgresql"


def workers_for(subjects: int) -> int:
    """Return how many worker processes score ``subjects`` subjects: one per core from :data:`PARALLEL_FROM` on."""
    return (os.cpu_count() or 1) if subjects >= PARALLEL_FROM else 1


def _tasks(works: Sequence[Work], n: int) -> list[list[Work]]:
    """Deal ``works`` into ``n`` lists of about equal agenda size, biggest meetings first."""
    tasks: list[list[Work]] = [[] for _ in range(max(1, n))]
    sizes = [0] * len(tasks)
    for work in sorted(works, key=lambda w: -len(w.subject_of)):
        i = sizes.index(min(sizes))
        tasks[i].append(work)
        sizes[i] += len(work.subject_of)
    return [t for t in tasks if t]


def scored_in_workers(works: Sequence[Work], workers: int, chunk_size: int, now: Any) -> Iterator[Scores]:
    """Yield the :class:`.meeting_scoring.Scores` of ``works``, scored by ``workers`` processes, as they come."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
    database = dict(connection.settings_dict)
    context = multiprocessing.get_context("spawn")
    tasks = _tasks(works, workers * TASKS_PER_WORKER)
    with context.Pool(workers, initializer=_start, initargs=(database,)) as pool:
        for done in pool.imap_unordered(_score, [(snapshot, task, chunk_size, now) for task in tasks]):
            yield from done


def _start(database: dict[str, Any]) -> None:
    """Set a worker up: Django, connected to the recompute's database (a test database included)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dianti.settings")
    from django.conf import settings

    settings.DATABASES["default"] = database
    import django

    django.setup()


def _score(task: tuple[str, list[Work], int, Any]) -> list[Scores]:
    """Score one task's meetings in the recompute's snapshot."""
    from django.db import transaction

    from .meeting_scoring import batch_mode, scored_here

    snapshot, works, chunk_size, now = task
    with transaction.atomic(), batch_mode():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            cursor.execute("SET TRANSACTION SNAPSHOT %s", [snapshot])
        return list(scored_here(works, chunk_size, now))
