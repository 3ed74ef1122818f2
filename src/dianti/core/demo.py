"""The demo is built step by step by each app of the cycle, in the order of the cycle."""

from __future__ import annotations

import importlib
from typing import Any

STEPS = ("dianti.orgs.demo", "dianti.campaigns.demo", "dianti.voices.demo", "dianti.meetings.demo",
         "dianti.appraisal.demo", "dianti.rectification.demo")


def load_all(counties: int = 1) -> dict[str, Any]:
    """Run every app's ``load`` in cycle order; return what the organizations step reports (logins, counties)."""
    report: dict[str, Any] = {}
    modules = [importlib.import_module(m) for m in STEPS]  # import all first: later steps hook into earlier ones
    for module, step in zip(STEPS, modules, strict=True):
        result = step.load(counties=counties)
        if module == "dianti.orgs.demo":
            report = result
    return report
