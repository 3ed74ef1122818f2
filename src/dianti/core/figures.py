"""The year's figures of a subtree: declared once by the step that owns each, counted by child subtree and year.

A step declares each figure it owns as a :class:`Figure` in its component (``figures``): its key, what users call
it, its unit, and how it is counted for a :class:`Grouping` — the subtree's root, how wide a group is (the root's
own path: one group; one segment more: one group per child) and whether to split by year. A figure is counted
either by ``count(grouping)``, a query of its own, or as an aggregate over a :class:`Source` it shares with the
other figures of the same rows (opinions collected, sorted, person-times met), counted together in one query.
Another step adds to a figure it does not own with ``figures_add`` (meeting attendance adds to the person-times met
at visits and symposiums). :func:`compute` runs each query once, so a dashboard makes at most one query per figure
however many towns or organizations the subtree holds (the materialized path, :mod:`.paths`, makes a child's group
a prefix of the path). The subtree counts of :mod:`.stats` — the home page, ``/api/v1/stats`` — are the same counts
totalled (:func:`totals`), never counted a second way.

A count returns rows ``(group, year, bucket, n)``: ``group`` is a child's path, or the root's own path for rows of
the root itself (a county's own campaign); ``year`` is 0 for a figure as of now (organizations, points) or when not
split by year; ``bucket`` is "" for a count and the class for a distribution (a grade, a star count, a category).
A count only counts: it never returns personal data.

**Caching.** A county's or a town's figures are counted on every visit (a bounded number of indexed range scans),
so they move as soon as anyone acts. A wide subtree's (a province's or a city's, :func:`.scope.is_wide`) take a
second or more to count, so they are counted ahead: every :data:`WIDE_SECONDS` a background task counts again each
wide subtree someone looked at in the last :data:`VIEWED_SECONDS` (:func:`keep`, from :mod:`.warm`) and the page
reads what it kept, saying when it was counted. The first look after a quiet hour, or where no task runs (``make
run``) or the cache lost the entry, counts and keeps it for the others (the cache is shared between web nodes). The
annual report always counts afresh.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import Count, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone

from . import components, paths, scope

Row = tuple[str, int, str, int]  # (group, year, bucket, n)
#: What a county reports upward each year (DOMAIN.md: organizations covered, meetings held, participant person-times,
#: opinions collected and sorted, points active): the dashboard's headline and the public site's yearly figures.
UPWARD = ("organizations_covered", "meetings", "participants", "opinions", "opinions_sorted", "points_active")
#: A wide subtree's figures are counted again this often (seconds); see the module's docstring.
WIDE_SECONDS = 60
#: What :func:`keep` counted stays this long, so a late or missed run leaves the pages the last count, not a wait.
KEPT_SECONDS = 3 * WIDE_SECONDS
#: A wide subtree is counted ahead while someone looked at it this recently (seconds).
VIEWED_SECONDS = 3600


@dataclass(frozen=True)
class Grouping:
    """What a count is asked for: the subtree at ``root``, grouped by the first ``width`` characters of the path
    (``len(root)``: one group), split by year or not."""

    root: str
    width: int
    years: bool = True

    def rows(self, qs: QuerySet[Any], path_field: str, *, year: Any = None, bucket: Any = None,
             n: Any = None) -> list[Row]:
        """Return the rows of ``qs`` inside the subtree (``path_field`` is their materialized path) counted by group,
        by ``year`` (an expression; None for a figure as of now) and by ``bucket`` (an expression, for a
        distribution); ``n`` is the aggregate (default ``COUNT(*)``)."""
        return self.counts(qs, path_field, {"n": Count("*") if n is None else n}, year=year, bucket=bucket)["n"]

    def counts(self, qs: QuerySet[Any], path_field: str, aggregates: Mapping[str, Any], *, year: Any = None,
               bucket: Any = None) -> dict[str, list[Row]]:
        """Return :meth:`rows` for each of several ``aggregates`` over the same rows, in one query."""
        qs = qs.filter(**{f"{path_field}__gte": self.root, f"{path_field}__lt": paths.successor(self.root)}).order_by()
        named = {f"fig_n_{i}": (key, n) for i, (key, n) in enumerate(aggregates.items())}
        keys: dict[str, Any] = {}
        if self.width > len(self.root):
            keys["fig_group"] = Substr(path_field, 1, self.width)
        if self.years and year is not None:
            keys["fig_year"] = year
        if bucket is not None:
            keys["fig_bucket"] = bucket
        if not keys:  # one total: the plain aggregate, which an index alone can answer
            found = qs.aggregate(**{alias: n for alias, (_key, n) in named.items()})
            return {key: [(self.root, 0, "", int(found[alias] or 0))] for alias, (key, _n) in named.items()}
        out: dict[str, list[Row]] = {key: [] for key in aggregates}
        for r in qs.values(**keys).annotate(**{alias: n for alias, (_key, n) in named.items()}):
            where = (r.get("fig_group", self.root), int(r.get("fig_year") or 0), _bucket(r.get("fig_bucket")))
            for alias, (key, _n) in named.items():
                out[key].append((*where, int(r[alias] or 0)))
        return out

    def each(self, qs: QuerySet[Any], path_field: str, *, year: Any = None,
             **values: Any) -> Iterable[tuple[str, int, dict[str, Any]]]:
        """Yield ``(group, year, values)`` for every row of ``qs`` inside the subtree, for a count that must add up
        what the database cannot (the ballot distribution a result stores as JSON)."""
        qs = qs.filter(**{f"{path_field}__gte": self.root, f"{path_field}__lt": paths.successor(self.root)}).order_by()
        keys = {"fig_group": Substr(path_field, 1, max(self.width, len(self.root))), **values}
        if self.years and year is not None:
            keys["fig_year"] = year
        for r in qs.values(**keys).iterator(chunk_size=2000):
            yield r.pop("fig_group"), int(r.pop("fig_year", 0) or 0), r


def _bucket(value: Any) -> str:
    return "" if value is None else str(value)


CountFn = Callable[[Grouping], Iterable[Row]]


@dataclass(frozen=True)
class Drill:
    """Where a figure's records are listed: a page (its URL name, in the read table) and its filters for an
    organization's code, a year and a bucket."""

    url_name: str
    query: Callable[[str, int, str], Mapping[str, str]]


@dataclass(frozen=True)
class Source:
    """Rows that several figures count, each with its own aggregate (opinions collected, sorted, person-times met):
    the figures of one source are counted together, in one query. ``rows()`` is the query set, ``path_field`` its
    materialized path, ``year`` the year expression (None: as of now)."""

    name: str
    rows: Callable[[], QuerySet[Any]]
    path_field: str
    year: Any = None


@dataclass(frozen=True)
class Figure:
    """A figure a step owns: counted by ``count(grouping)``, or as ``n()`` (an aggregate, ``COUNT(*)`` by default)
    over a shared ``source``. ``yearly=False``: counted as of now (year 0). ``distinct``: a count of distinct things
    (organizations covered), so years do not add up and it is no subtree stat. ``buckets``: a distribution, its
    classes in display order (more may appear; they follow)."""

    key: str
    label: Any
    unit: Any
    count: CountFn | None = None
    source: Source | None = None
    n: Callable[[], Any] | None = None  # a function, so an aggregate's filter is built when counted (today's date)
    yearly: bool = True
    distinct: bool = False
    buckets: tuple[Any, ...] | None = None
    bucket_labels: Mapping[str, Any] = field(default_factory=dict)
    drill: Drill | None = None

    @property
    def is_count(self) -> bool:
        """Whether it is a plain count that adds up over years and groups: a subtree stat."""
        return self.buckets is None and not self.distinct


def declared() -> dict[str, Figure]:
    """Return every declared figure by key, in cycle order."""
    return {f.key: f for c in components.components() for f in c.figures}


def _addends() -> dict[str, list[CountFn]]:
    added: dict[str, list[CountFn]] = defaultdict(list)
    for c in components.components():
        for key, fn in c.figures_add.items():
            added[key].append(fn)
    return added


def queries(keys: Iterable[str] | None = None) -> int:
    """Return how many queries :func:`compute` makes for ``keys`` (all by default): one per source, one per figure
    counted on its own, one per addend."""
    figures = declared()
    wanted = [k for k in (figures if keys is None else keys) if k in figures]
    added = _addends()
    sources = {figures[k].source.name for k in wanted if figures[k].source is not None}
    return len(sources) + sum(figures[k].source is None for k in wanted) + sum(len(added.get(k, [])) for k in wanted)


def _count(grouping: Grouping, figures: list[Figure]) -> dict[str, list[Row]]:
    """Count ``figures`` for ``grouping``: those sharing a source in one query, the others one query each."""
    out: dict[str, list[Row]] = {}
    shared: dict[str, list[Figure]] = defaultdict(list)
    for f in figures:
        if f.source is not None:
            shared[f.source.name].append(f)
        elif f.count is not None:
            out[f.key] = list(f.count(grouping))
    for group in shared.values():
        source = group[0].source
        assert source is not None
        out.update(grouping.counts(source.rows(), source.path_field,
                                   {f.key: f.n() if f.n else Count("*") for f in group}, year=source.year))
    return out


@dataclass
class Table:
    """Every figure of a subtree by group and year: ``cells[key][year][group][bucket] = n``."""

    root: str
    width: int
    cells: dict[str, dict[int, dict[str, dict[str, int]]]]
    counted_at: dt.datetime

    def get(self, key: str, year: int = 0, group: str | None = None) -> int:
        """Return a count (a distribution's total) for ``year`` (0: as of now), one group or the whole subtree."""
        by_group = self.cells.get(key, {}).get(year, {})
        chosen = [by_group.get(group, {})] if group is not None else list(by_group.values())
        return sum(n for buckets in chosen for n in buckets.values())

    def distribution(self, key: str, year: int, group: str | None = None) -> dict[str, int]:
        """Return ``{bucket: n}`` of a distribution for ``year``, one group or the whole subtree."""
        out: dict[str, int] = defaultdict(int)
        by_group = self.cells.get(key, {}).get(year, {})
        for g, buckets in by_group.items():
            if group is None or g == group:
                for b, n in buckets.items():
                    out[b] += n
        return dict(out)

    def years(self) -> list[int]:
        """Return the years any yearly figure has rows for, newest first."""
        return sorted({y for by_year in self.cells.values() for y in by_year if y}, reverse=True)

    def groups(self, year: int | None = None) -> set[str]:
        """Return the groups with any row (in ``year``, or in any year and as of now)."""
        return {g for by_year in self.cells.values() for y, by_group in by_year.items()
                if year is None or y in (year, 0) for g in by_group}


def compute(root: str, *, width: int | None = None, keys: Iterable[str] | None = None, years: bool = True) -> Table:
    """Count every figure (or ``keys``) of the subtree at ``root`` by group — by child unless ``width`` says
    otherwise — and by year."""
    grouping = Grouping(root, len(root) + paths.SEGMENT if width is None else width, years)
    figures = declared()
    wanted = list(figures) if keys is None else [k for k in keys if k in figures]
    added = _addends()
    counted = _count(grouping, [figures[k] for k in wanted])
    cells: dict[str, dict[int, dict[str, dict[str, int]]]] = {}
    for key in wanted:
        table = cells.setdefault(key, {})
        for rows in [counted.get(key, []), *(fn(grouping) for fn in added.get(key, []))]:
            for group, year, bucket, n in rows:
                slot = table.setdefault(year, {}).setdefault(group, {})
                slot[bucket] = slot.get(bucket, 0) + n
    return Table(root, grouping.width, cells, timezone.now())


def _kept(root: str) -> str:
    return f"dianti:figures:{root}"


def _viewed(root: str) -> str:
    return f"dianti:figures-viewed:{root}"


def table(root: str) -> Table:
    """Return :func:`compute` of the subtree at ``root`` by child: counted now for a county or below; for a wide
    subtree, what :func:`keep` last counted, or counted now and kept for :data:`WIDE_SECONDS`."""
    if not scope.is_wide(root):
        return compute(root)
    looked_at(root)
    return cache.get_or_set(_kept(root), lambda: compute(root), WIDE_SECONDS)  # type: ignore[no-any-return]


def looked_at(root: str) -> None:
    """Note that a page showed the wide subtree at ``root``: :mod:`.warm` counts it ahead for the next hour.

    Write the note only when it is missing or past half its life: a busy province's pages then read the shared
    cache on every visit but write to it about twice an hour."""
    now = time.time()
    noted = cache.get(_viewed(root))
    if not isinstance(noted, (int, float)) or now - noted > VIEWED_SECONDS / 2:
        cache.set(_viewed(root), now, VIEWED_SECONDS)


def viewed(roots: Iterable[str]) -> list[str]:
    """Return those of ``roots`` whose table someone asked for in the last :data:`VIEWED_SECONDS`, in order."""
    roots = list(roots)
    seen = cache.get_many([_viewed(r) for r in roots])
    return [r for r in roots if _viewed(r) in seen]


def keep(root: str) -> Table:
    """Count the subtree at ``root`` now and keep the table for the pages for :data:`KEPT_SECONDS`."""
    counted = compute(root)
    cache.set(_kept(root), counted, KEPT_SECONDS)
    return counted


def totals(root: str) -> dict[str, int]:
    """Return every plain count (:attr:`Figure.is_count`) of the subtree at ``root``, all years together: the
    subtree stats."""
    keys = [k for k, f in declared().items() if f.is_count]
    t = compute(root, width=len(root), keys=keys, years=False)
    return {k: t.get(k) for k in keys}
