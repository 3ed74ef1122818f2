"""The county's and a town's year in figures, read from the steps' declared figures (:mod:`dianti.core.figures`):
what goes upward, the funnel per child organization, trends across years, distributions and hot categories —
every number with the page that lists what it counts, when the reader may open it.

Nothing here counts: it arranges one :class:`~dianti.core.figures.Table` (one query per figure, however many towns)
and, for a grassroots organization, its own records (two queries).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dianti.appraisal.models import SubjectResult
from dianti.campaigns.models import Subject
from dianti.core import figures, paths, scope
from dianti.core.reads import may_read
from dianti.orgs.models import Organization
from dianti.orgs.permissions import ensure_can_view_org
from dianti.orgs.selectors import top_orgs
from dianti.rectification.models import Case

UPWARD = figures.UPWARD
#: The year's funnel, stage by stage, then what became of the rectifications.
FUNNEL = ("subjects", "topics_assigned", "reported", "appraised")
RECTIFICATION = ("rectifications_open", "rectifications_overdue", "rectifications_closed")
DISTRIBUTIONS = ("grades", "satisfaction", "bands", "stars")
HOT = "categories"
#: Levels whose year is shown subject by subject (the town's organizations; an organization's own years) rather than
#: child by child: their children convene no campaigns, so a funnel by child would be a row of zeros each.
LISTED = (Organization.Level.TOWN, Organization.Level.GRASSROOTS)
#: Upward figures of the campaigns an organization convenes: none for a grassroots organization, which reports.
CONVENED = ("organizations_covered", "meetings")
#: The denominators: an upward figure shown "of" a figure as of now.
OF = {"organizations_covered": "organizations", "points_active": "points"}


@dataclass(frozen=True)
class Cell:
    value: int
    url: str = ""


@dataclass(frozen=True)
class Headline:
    key: str
    label: str
    unit: str
    value: int
    url: str
    previous: int | None = None
    of: int | None = None

    @property
    def change(self) -> int | None:
        return None if self.previous is None else self.value - self.previous

    @property
    def signed_change(self) -> str:
        """The change from the year before with its sign ("+25", "-3", "±0")."""
        change = self.change or 0
        return f"{change:+,}" if change else "±0"


@dataclass(frozen=True)
class Row:
    """One child organization's year (or, with ``own``, what the organization did at its own level)."""

    code: str
    name: str
    url: str
    cells: dict[str, Cell]
    own: bool = False

    def value(self, key: str) -> int:
        cell = self.cells.get(key)
        return cell.value if cell else 0


@dataclass(frozen=True)
class Bar:
    label: str
    n: int
    url: str
    share: float | None  # percent of the distribution's total


@dataclass(frozen=True)
class Distribution:
    key: str
    label: str
    unit: str
    rows: list[Bar]

    @property
    def total(self) -> int:
        return sum(b.n for b in self.rows)


@dataclass
class Dashboard:
    org: Organization
    year: int
    years: list[int]
    counted_at: dt.datetime
    wide: bool
    headlines: list[Headline]
    stages: list[tuple[str, str]]
    rows: list[Row]
    total: Row
    trend: list[tuple[str, str, str, list[tuple[int, int]]]]  # (key, label, unit, [(year, n)] oldest first)
    distributions: list[Distribution]
    hot: Distribution | None
    crumbs: list[tuple[str, str]] = field(default_factory=list)  # (name, url) from the viewer's root down
    records: list[Any] = field(default_factory=list)

    def chart_data(self) -> dict[str, Any]:
        """Return what the page's charts draw (the tables beside them carry the same numbers)."""
        stages = [k for k, _l in self.stages]
        return {
            "stages": [label for _k, label in self.stages],
            "funnel": [{"name": r.name, "values": [r.value(k) for k in stages]} for r in self.rows if not r.own],
            "total": [self.total.value(k) for k in stages],
            "trend": [{"label": label, "unit": unit, "years": [str(y) for y, _n in points],
                       "values": [n for _y, n in points]} for _k, label, unit, points in self.trend],
            "distributions": {d.key: {"label": d.label, "rows": [[b.label, b.n] for b in d.rows]}
                              for d in [*self.distributions, *([self.hot] if self.hot else [])]},
        }


def root_for(user: Any, code: str | None) -> Organization:
    """Return the organization whose dashboard ``user`` asks for: ``code``, or the highest they hold a role on;
    out of their subtree answers as if it did not exist."""
    if code:
        org = Organization.objects.filter(code=code).select_related("parent").first()
        return ensure_can_view_org(user, org)
    roots = top_orgs(user)
    return ensure_can_view_org(user, roots[0] if roots else None)


def _label(key: str, declared: dict[str, figures.Figure] | None = None) -> tuple[str, str]:
    f = (declared if declared is not None else figures.declared()).get(key)
    return (str(f.label), str(f.unit)) if f else (key, "")


def _drill(user: Any, key: str, code: str, year: int, bucket: str = "",
           declared: dict[str, figures.Figure] | None = None) -> str:
    f = (declared if declared is not None else figures.declared()).get(key)
    if f is None or f.drill is None or not may_read(user, f.drill.url_name):
        return ""
    return f"{reverse(f.drill.url_name)}?{urlencode(dict(f.drill.query(code, year, bucket)))}"


def page_url(code: str, year: int | None = None) -> str:
    return reverse("dashboard_org", args=[code]) + (f"?year={year}" if year else "")


def _children(org: Organization, groups: set[str]) -> list[Organization]:
    """The child organizations with any figure, and every child above grassroots level (a town with nothing yet
    is a row of zeros, not a missing row)."""
    wanted = Q(path__in=[g for g in groups if g != org.path])
    wanted |= Q(parent=org) & ~Q(level=Organization.Level.GRASSROOTS)
    return list(Organization.objects.filter(wanted, depth=org.depth + 1).order_by("path")
                .only("code", "name", "short_name", "path", "level"))


def _row(user: Any, table: figures.Table, keys: list[str], code: str, name: str, group: str | None, year: int,
         url: str, own: bool = False) -> Row:
    declared = figures.declared()
    cells = {k: Cell(table.get(k, year, group), "" if own else _drill(user, k, code, year, declared=declared))
             for k in keys}
    return Row(code, name, url, cells, own)


def _distribution(user: Any, table: figures.Table, key: str, code: str, year: int) -> Distribution | None:
    f = figures.declared().get(key)
    if f is None:
        return None
    counts = table.distribution(key, year)
    order = [b for b in (f.buckets or ()) if counts.get(b)] + sorted(b for b in counts if b not in (f.buckets or ()))
    if key == HOT:
        order = sorted(counts, key=lambda b: (-counts[b], b))[:10]
    total = sum(counts.values())
    rows = [Bar(str(f.bucket_labels.get(b, b)), counts[b], _drill(user, key, code, year, b),
                round(counts[b] * 100 / total, 1) if total else None) for b in order]
    return Distribution(key, str(f.label), str(f.unit), rows)


def _crumbs(user: Any, org: Organization) -> list[tuple[str, str]]:
    """The way down from the viewer's root to ``org``: the levels the viewer may see (one query)."""
    sc = scope.scope_for(user)
    wanted = [p for p in [*paths.ancestors(org.path), org.path] if sc.can_view_path(p)]
    found = {o.path: o for o in Organization.objects.filter(path__in=wanted).only("code", "name", "short_name", "path")}
    return [(found[p].display_name, page_url(found[p].code)) for p in wanted if p in found]


def dashboard(user: Any, org: Organization, year: int | None = None, *, fresh: bool = False) -> Dashboard:
    """Return the dashboard of ``org`` for ``year`` (the latest year with figures by default); ``fresh``: counted
    now even for a wide subtree (the annual report)."""
    table = figures.compute(org.path) if fresh else figures.table(org.path)
    years = table.years()
    year = year if year in years else (years[0] if years else timezone.localdate().year)
    declared = figures.declared()
    previous = year - 1 if year - 1 in years else None

    def headline(key: str) -> Headline:
        label, unit = _label(key, declared)
        of = table.get(OF[key]) if key in OF and OF[key] in declared else None
        return Headline(key, label, unit, table.get(key, year), _drill(user, key, org.code, year, declared=declared),
                        table.get(key, previous) if previous else None, of)

    stage_keys = [k for k in (*FUNNEL, *RECTIFICATION) if k in declared]
    rows: list[Row] = []
    if org.level not in LISTED:  # a town's or an organization's year is its list of subjects (records) instead
        rows = [_row(user, table, stage_keys, c.code, c.display_name, c.path, year, page_url(c.code, year))
                for c in _children(org, table.groups(year))]
        if table.get("subjects", year, org.path) or table.get("meetings", year, org.path):
            rows.append(_row(user, table, stage_keys, org.code, _("本级"), org.path, year, "", own=True))
    trend_years = sorted(years)
    return Dashboard(
        org=org, year=year, years=years, counted_at=table.counted_at, wide=scope.is_wide(org.path),
        headlines=[headline(k) for k in UPWARD if k in declared
                   and not (org.level == Organization.Level.GRASSROOTS and k in CONVENED)],
        stages=[(k, _label(k, declared)[0]) for k in FUNNEL if k in declared],
        rows=rows, total=_row(user, table, stage_keys, org.code, _("合计"), None, year, ""),
        trend=[(k, *_label(k, declared), [(y, table.get(k, y)) for y in trend_years])
               for k in (*UPWARD, "subjects", "appraised") if k in declared],
        distributions=[d for k in DISTRIBUTIONS if (d := _distribution(user, table, k, org.code, year)) and d.total],
        hot=_distribution(user, table, HOT, org.code, year),
        crumbs=_crumbs(user, org),
        records=records(user, org, None if org.level == Organization.Level.GRASSROOTS else year)
        if org.level in LISTED else [],
    )


@dataclass(frozen=True)
class Record:
    """A subject — an organization chosen in some year — and where its topic, result and rectification are kept."""

    year: int
    org: str
    org_url: str
    campaign: str
    campaign_url: str
    secretary: str
    topic: str
    status: str
    score: float | None
    satisfaction: float | None
    result_url: str
    cases: list[tuple[str, str, str]]  # (number or state, state label, url)


#: At most this many records on a page (a town's year; an organization's years).
RECORDS = 500


def records(user: Any, org: Organization, year: int | None = None) -> list[Record]:
    """Return the subjects of campaigns convened within ``org``'s subtree in ``year`` (a town's organizations), or
    with ``year`` None the subjects that are ``org`` or below it over the years (an organization's record), newest
    first, each with links to its records: three queries."""
    within = {"gte": org.path, "lt": paths.successor(org.path)}
    if year is None:
        qs = Subject.objects.filter(org_path__gte=within["gte"], org_path__lt=within["lt"])
    else:
        qs = Subject.objects.filter(campaign__org_path__gte=within["gte"], campaign__org_path__lt=within["lt"],
                                    campaign__year=year)
    subjects = list(qs.select_related("campaign", "organization").order_by("-campaign__year", "org_path", "id")
                    [:RECORDS])
    published = {r.subject_id: r for r in SubjectResult.objects.filter(
        subject__in=subjects, status=SubjectResult.Status.PUBLISHED).only("subject_id", "score", "satisfaction")}
    cases: dict[int, list[tuple[str, str, str]]] = {}
    readable_case = may_read(user, "rectification_case")
    for c in Case.objects.filter(subject__in=subjects).only("pk", "subject_id", "number", "state").order_by("pk"):
        url = reverse("rectification_case", args=[c.pk]) if readable_case else ""
        cases.setdefault(c.subject_id, []).append((c.number or c.get_state_display(), c.get_state_display(), url))
    campaign_link, result_link = may_read(user, "campaign_detail"), may_read(user, "appraisal_subject")
    out = []
    for s in subjects:
        r = published.get(s.pk)
        out.append(Record(
            s.campaign.year, s.organization.display_name, page_url(s.organization.code), s.campaign.title,
            reverse("campaign_detail", args=[s.campaign_id]) if campaign_link else "",
            s.secretary_name, s.topic, s.get_status_display(), r.score if r else None,
            r.satisfaction if r else None, reverse("appraisal_subject", args=[s.pk]) if result_link else "",
            cases.get(s.pk, [])))
    return out
