"""The figures block of the public site: the yearly figures a county reports upward, one small face, so a richer
one can take its place.

It shows, for the last :data:`YEARS` years with figures, each of :data:`dianti.core.figures.UPWARD` — organizations
covered, meetings held, participant person-times, opinions collected and sorted, points active — from the same
table the dashboards read (:func:`dianti.core.figures.table`: never a second formula for the same number), taken at
most :data:`SECONDS` ago. They are counts, never a person. The block's template is ``portal/_figures.html``; both
this function and the template are all that a swap has to replace.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache

from dianti.core import figures as counted
from dianti.orgs.models import Organization

#: How old the public figures may be: a subtree is counted once per interval, whoever asks.
SECONDS = 600
#: How many years the block shows, newest first.
YEARS = 3


@dataclass(frozen=True)
class Figure:
    key: str
    label: Any
    unit: Any
    values: list[int]  # one a year, in the order of :attr:`Yearly.years`


@dataclass(frozen=True)
class Yearly:
    years: list[int]
    rows: list[Figure]
    counted_at: dt.datetime


def figures(org: Organization) -> Yearly | None:
    """Return the yearly figures of ``org``'s subtree for the public site, or None before its first year."""
    table: counted.Table = cache.get_or_set(f"dianti:public-figures:{org.path}", lambda: counted.table(org.path),
                                            SECONDS)
    years = table.years()[:YEARS]
    if not years:
        return None
    declared = counted.declared()
    rows = [Figure(key, declared[key].label, declared[key].unit, [table.get(key, y) for y in years])
            for key in counted.UPWARD if key in declared]
    return Yearly(years, rows, table.counted_at)
