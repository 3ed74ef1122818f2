"""Celery queues, most urgent first (no Django import: ``dianti.celery`` reads them before settings are loaded).

A job goes to the queue its kind's step declares (``job_queues`` in its component, default :data:`DEFAULT`); the
daily sweeps — reminders, overdue marking, escalation — go to :data:`URGENT`. Production runs one worker on
``urgent,default`` and one on ``heavy`` (``scripts/prod.sh``), so a long mining or report run only ever waits behind
another heavy job and never delays the morning's reminders.
"""

URGENT = "urgent"
DEFAULT = "default"
HEAVY = "heavy"
QUEUES = (URGENT, DEFAULT, HEAVY)

#: The Celery workers production runs (``scripts/prod.sh`` starts one ``worker-<name>`` per entry), each with the
#: queues it consumes: every queue is consumed by exactly one of them.
WORKERS: dict[str, tuple[str, ...]] = {"main": (URGENT, DEFAULT), "heavy": (HEAVY,)}
