"""The figures block of the public site: one small face, so a richer one can take its place.

Today it shows the counts every step contributes (:mod:`dianti.core.stats`, the same numbers as the staff home page
and ``/api/v1/stats``), counted at most :data:`SECONDS` ago — never a second formula for the same number. The block's
template is ``portal/_figures.html``; both this function and the template are all that a swap has to replace.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dianti.core import components, stats
from dianti.orgs.models import Organization

#: How old the public figures may be: a count of a province is taken once per interval, whoever asks.
SECONDS = 600


@dataclass(frozen=True)
class Figure:
    key: str
    label: Any
    value: int


def figures(org: Organization) -> list[Figure]:
    """Return the figures the home page shows for ``org``'s subtree, in cycle order."""
    counts = stats.recent(org.path, SECONDS)
    return [Figure(key, label, counts[key]) for key, label in components.stat_labels() if key in counts]
