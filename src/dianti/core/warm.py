"""Count the wide subtrees ahead of their visitors.

A province's or a city's figures and counts (:func:`.scope.is_wide`) take a second or more to count at 100
counties, too long for a page. In production Celery beat runs :func:`wide_counts` every
:data:`.figures.WIDE_SECONDS` (:mod:`dianti.celery`): it counts every wide subtree's yearly figures (the dashboards,
:func:`.figures.keep`) and its totals (the home page, :func:`.stats.keep`) and keeps them in the shared cache, where
the pages read them. So a wide figure is at most a minute (and a run) old and says when it was counted; a county's
or a town's are counted on every visit and never kept.
"""

from __future__ import annotations

import time
from typing import Any

from . import figures, stats
from .directory import directory


def wide_counts() -> dict[str, Any]:
    """Count and keep every wide subtree's figures and totals; return how many subtrees and how long it took."""
    started = time.perf_counter()
    roots = directory().wide_paths()
    for root in roots:
        figures.keep(root)
        stats.keep(root, figures.KEPT_SECONDS)
    return {"subtrees": len(roots), "seconds": round(time.perf_counter() - started, 3)}
