"""The demo is built step by step by each step of the cycle (``demo`` in its component), in the order of the
cycle; each step may report something for the command to print (the organizations step: logins, counties).

The steps write through the same services the public pages call (opinions, +1s, questions, observations), so the
load runs with the public rate limits suspended: loading data is not a visitor submitting a form, and a second
load — or one on a fresh database sharing a Redis — must not find the first one's counters used up."""

from __future__ import annotations

from typing import Any

from . import components, ratelimit


def load_all(counties: int = 1) -> dict[str, Any]:
    """Run every step's demo loader in cycle order; return what the steps report, merged."""
    report: dict[str, Any] = {}
    with ratelimit.suspended():
        for component in components.components():
            if component.demo is not None:
                report.update(component.demo(counties=counties) or {})
    return report
