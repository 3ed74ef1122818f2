"""The demo is built step by step by each step of the cycle (``demo`` in its component), in the order of the
cycle; each step may report something for the command to print (the organizations step: logins, counties).

The steps write through the same services the public pages call (opinions, +1s, questions, observations), so the
load runs with the public rate limits suspended: loading data is not a visitor submitting a form, and a second
load — or one on a fresh database sharing a Redis — must not find the first one's counters used up.

Haiyan is built that way, one record at a time, which is right for one county and far too slow for a hundred. The
synthetic counties of ``--counties N`` (the organizations step builds their trees) are then filled by each step's
``demo_bulk`` loader, in cycle order, with bulk inserts (:mod:`.bulk`) of the rows its services would have left:
the same states, and the scores of record computed by the appraisal step's own set-based recompute. They write no
audit records (synthetic bulk data, one ``demo.load`` record per county marks it) and send no notifications.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from . import components, jobs, ratelimit

# From this many scale counties on, the loaders drop the plain indexes and foreign keys of the tables they fill most
# and make them again at the end (:func:`.bulk.deferred_indexes`): ten counties already outnumber Haiyan tenfold.
DEFER_INDEXES_FROM = 10


@dataclass(frozen=True)
class Scale:
    """What the bulk loaders fill: the synthetic counties (materialized paths) and the shape of their cycle."""

    counties: tuple[str, ...]
    everyone: bool = False  # every grassroots organization reports (the province benchmark), not villages only
    evaluators: int = 0  # per meeting; 0: the demo's panel (60 in four groups)
    seed: int = 13
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def defer_indexes(self) -> bool:
        """Whether the loaders index their big tables once at the end (:func:`.bulk.deferred_indexes`)."""
        return len(self.counties) >= DEFER_INDEXES_FROM


def load_all(counties: int = 1, everyone: bool = False, evaluators: int = 0) -> dict[str, Any]:
    """Run every step's demo loader in cycle order, then every step's bulk loader over the scale counties just
    created; return what the steps report, merged, with the seconds each bulk loader took."""
    report: dict[str, Any] = {}
    # The demo's own jobs (the recompute its county heat knobs queue) run in this process as it loads: a job process
    # would wait on the loader's writes and fail ("database is locked" on SQLite), shown as failed to the county.
    with ratelimit.suspended(), jobs.run_here():
        for component in components.components():
            if component.demo is not None:
                report.update(component.demo(counties=counties) or {})
        scale = Scale(tuple(report.get("scale_counties", ())), everyone=everyone, evaluators=evaluators)
        if scale.counties:
            fill(scale)
            report["bulk_seconds"] = scale.timings
    return report


def fill(scale: Scale) -> None:
    """Run every step's bulk loader over ``scale``, in cycle order, timing each."""
    for component in components.components():
        if component.demo_bulk is not None:
            started = time.perf_counter()
            component.demo_bulk(scale)
            scale.timings[component.label] = round(time.perf_counter() - started, 2)
