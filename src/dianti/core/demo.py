"""The demo is built step by step by each step of the cycle (``demo`` in its component), in the order of the
cycle; each step may report something for the command to print (the organizations step: logins, counties)."""

from __future__ import annotations

from typing import Any

from . import components


def load_all(counties: int = 1) -> dict[str, Any]:
    """Run every step's demo loader in cycle order; return what the steps report, merged."""
    report: dict[str, Any] = {}
    for component in components.components():
        if component.demo is not None:
            report.update(component.demo(counties=counties) or {})
    return report
