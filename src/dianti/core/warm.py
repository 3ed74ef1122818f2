"""Count the wide subtrees ahead of their visitors.

A province's or a city's figures and counts (:func:`.scope.is_wide`) take a second or more to count at 100
counties, too long for a page. In production Celery beat runs :func:`wide_counts` every
:data:`.figures.WIDE_SECONDS` (:mod:`dianti.celery`): it counts the yearly figures (the dashboards,
:func:`.figures.keep`) and the totals (the home page, :func:`.stats.keep`) of every wide subtree someone looked at
in the last hour (:func:`.figures.viewed`: the province's 11 cities are counted while their staff use them, not
every minute of the night) and keeps them in the shared cache, where the pages read them. So a wide figure is at
most a minute (and a run) old and says when it was counted; a county's or a town's are counted on every visit and
never kept.
"""

from __future__ import annotations

import time
from typing import Any

from . import figures, stats
from .directory import directory


def wide_counts(*, everyone: bool = False) -> dict[str, Any]:
    """Count and keep the figures and totals of the wide subtrees looked at lately (``everyone``: of all of them);
    return how many subtrees and how long it took."""
    started = time.perf_counter()
    roots = directory().wide_paths()
    roots = roots if everyone else figures.viewed(roots)
    for root in roots:
        figures.keep(root)
        stats.keep(root, figures.KEPT_SECONDS)
    return {"subtrees": len(roots), "seconds": round(time.perf_counter() - started, 3)}
