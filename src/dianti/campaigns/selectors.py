"""Scoped reads for campaigns: lists, candidates with suggestions, the chain roll-up, a secretary's own subjects
and the public (公示) views."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from dianti.core import paths, scope
from dianti.orgs.models import Organization

from .models import Campaign, Category, Phase, Project, Subject
from .permissions import ensure_can_view_campaign

SUGGEST_LOW_SCORE = 80.0
SUGGEST_GAP_YEARS = 3


def visible_campaigns(user: Any, year: int | None = None, org: str = "") -> QuerySet[Campaign]:
    """Return the campaigns in the user's scope, of ``year``, convened within the subtree of the organization
    whose code is ``org`` (when given)."""
    qs = scope.restrict(Campaign.objects.all(), user, "org_path").select_related("convener", "parent")
    if year:
        qs = qs.filter(year=year)
    if org:
        found = Organization.objects.filter(code=org).only("path").first()
        qs = qs.filter(org_path__gte=found.path, org_path__lt=paths.successor(found.path)) if found else qs.none()
    return qs.annotate(n_subjects=Count("subjects")).order_by("-year", "org_path")


def behind_schedule(user: Any, today: dt.date | None = None) -> list[Campaign]:
    """Return the campaigns convened *below* the user's organizations (a county admin's towns) still in a phase
    whose deadline has passed, the longest overdue first: what the level above should chase. Archived campaigns
    and those without a deadline for their phase are never behind. One query (the phases' deadlines are a JSON
    field, read and compared here; a county has tens of open campaigns, a province a few thousand)."""
    sc = scope.scope_for(user)
    today = today or timezone.localdate()
    qs = scope.restrict(Campaign.objects.exclude(phase=Phase.ARCHIVED).exclude(deadlines={}), user, "org_path")
    if not sc.everything:
        qs = qs.exclude(org_path__in=sc.view_roots)
    rows = qs.select_related("convener").only("title", "year", "phase", "deadlines", "org_path",
                                              "convener__name", "convener__short_name")
    late = [(due, c) for c in rows if (due := c.due()) is not None and due < today]
    return [c for _due, c in sorted(late, key=lambda pair: (pair[0], pair[1].org_path))]


@dataclass(frozen=True)
class CampaignFilters:
    """A campaign list's filters (the API's; the page filters by year only)."""

    year: int | None = None
    phase: str = ""
    list_status: str = ""
    within: str = ""  # a materialized path: campaigns convened in this subtree
    q: str = ""


def campaign_rows(user: Any, f: CampaignFilters) -> QuerySet[Campaign]:
    """Return :func:`visible_campaigns` narrowed by ``f``."""
    qs = visible_campaigns(user, f.year)
    if f.phase:
        qs = qs.filter(phase=f.phase)
    if f.list_status:
        qs = qs.filter(list_status=f.list_status)
    if f.within:
        qs = qs.filter(org_path__gte=f.within, org_path__lt=paths.successor(f.within))
    if f.q:
        qs = qs.filter(Q(title__icontains=f.q) | Q(convener__name__icontains=f.q))
    return qs


def campaign_get(user: Any, pk: int) -> Campaign:
    campaign = Campaign.objects.select_related("convener", "parent", "list_approved_by", "list_submitted_by").filter(pk=pk).first()
    return ensure_can_view_campaign(user, campaign)


def subjects_of(campaign: Campaign) -> QuerySet[Subject]:
    return campaign.subjects.select_related("organization", "secretary").order_by("order", "id")


def subjects_filtered(campaign: Campaign, status: str = "", category: str = "", q: str = "") -> QuerySet[Subject]:
    """Return :func:`subjects_of` narrowed by status, category and a word of the organization or secretary."""
    qs = subjects_of(campaign)
    if status:
        qs = qs.filter(status=status)
    if category:
        qs = qs.filter(category=category)
    if q:
        qs = qs.filter(Q(organization__name__icontains=q) | Q(organization__code=q) | Q(secretary_name__icontains=q))
    return qs


def subject_get(user: Any, campaign: Campaign, pk: int) -> Subject:
    subject = subjects_of(campaign).filter(pk=pk).first()
    if subject is None:
        raise Http404("找不到该述职对象")
    return subject


def my_subjects(user: Any) -> QuerySet[Subject]:
    """Return the subjects where the user is the (frozen) secretary — their own 点题述职 page."""
    return (Subject.objects.filter(secretary__user=user)
            .select_related("campaign", "campaign__convener", "organization").order_by("-campaign__year", "id"))


@dataclass
class Candidate:
    org: Organization
    chosen: bool = False
    suggestions: list[str] = field(default_factory=list)
    suggested_category: str = ""


def candidates(campaign: Campaign, q: str = "", field: str = "", suggested_only: bool = False) -> list[Candidate]:
    """Return the organizations this campaign may choose from, each with the reasons the system suggests it.

    Suggested: organizations running a 书记项目 or innovation/hard-problem project this year or last; those with a
    low score or unfinished rectification last year; those not chosen for several years.
    """
    qs = Organization.objects.subtree(campaign.org_path).filter(level=campaign.candidate_level, is_active=True)
    qs = qs.exclude(pk=campaign.convener_id)
    if campaign.direct_only:
        qs = qs.filter(parent_id=campaign.convener_id)
    if campaign.candidate_fields:
        qs = qs.filter(field__in=campaign.candidate_fields)
    if field:
        qs = qs.filter(field=field)
    if q.strip():
        qs = qs.filter(Q(name__icontains=q.strip()) | Q(short_name__icontains=q.strip()))
    orgs = list(qs.select_related("secretary").order_by("path"))
    ids = [o.pk for o in orgs]
    chosen = set(campaign.subjects.values_list("organization_id", flat=True))
    projects: dict[int, list[Project]] = defaultdict(list)
    for p in Project.objects.filter(organization_id__in=ids, year__in=[campaign.year, campaign.year - 1]):
        projects[p.organization_id].append(p)
    history: dict[int, list[Subject]] = defaultdict(list)
    past = Subject.objects.filter(organization_id__in=ids, campaign__year__lt=campaign.year,
                                  campaign__year__gte=campaign.year - SUGGEST_GAP_YEARS).select_related("campaign")
    for s in past:
        history[s.organization_id].append(s)
    result = []
    for org in orgs:
        c = Candidate(org=org, chosen=org.pk in chosen)
        for p in projects[org.pk]:
            c.suggestions.append(_("%(kind)s：%(title)s") % {"kind": p.get_kind_display(), "title": p.title})
            c.suggested_category = c.suggested_category or Category.PROJECT
        last = [s for s in history[org.pk] if s.campaign.year == campaign.year - 1]
        for s in last:
            if s.score is not None and s.score < SUGGEST_LOW_SCORE:
                c.suggestions.append(_("%(year)d年评议得分较低（%(score).1f 分）") % {"year": s.campaign.year,
                                                                                 "score": s.score})
                c.suggested_category = c.suggested_category or Category.DEVELOPMENT
            if s.rectification in (Subject.Rectification.OPEN, Subject.Rectification.CARRIED_OVER):
                c.suggestions.append(_("%(year)d年整改尚未完成") % {"year": s.campaign.year})
                c.suggested_category = c.suggested_category or Category.DEVELOPMENT
        if not history[org.pk]:
            c.suggestions.append(ngettext("近 %(n)d 年未述职", "近 %(n)d 年未述职", SUGGEST_GAP_YEARS)
                                  % {"n": SUGGEST_GAP_YEARS})
        result.append(c)
    if suggested_only:
        result = [c for c in result if c.suggested_category or c.chosen]
    result.sort(key=lambda c: (c.chosen, not c.suggested_category, -len(c.suggestions), c.org.path))
    return result


@dataclass(frozen=True)
class RollupRow:
    campaign: Campaign
    subjects: int
    topics_set: int
    reported: int
    appraised: int
    rectification_open: int
    rectification_closed: int


def _counts() -> dict[str, Any]:
    S, R = Subject.Status, Subject.Rectification
    return dict(
        subjects=Count("id"),
        topics_set=Count("id", filter=Q(status__in=[S.TOPIC_SET, S.REPORTED, S.APPRAISED])),
        reported=Count("id", filter=Q(status__in=[S.REPORTED, S.APPRAISED])),
        appraised=Count("id", filter=Q(status=S.APPRAISED)),
        rectification_open=Count("id", filter=Q(rectification=R.OPEN)),
        rectification_closed=Count("id", filter=Q(rectification__in=[R.CLOSED, R.CARRIED_OVER])),
    )


def rollup(campaign: Campaign) -> tuple[list[RollupRow], dict[str, int]]:
    """Return one row per child campaign counting subjects all the way down its chain, and the totals.

    Subjects are grouped by the prefix of their campaign's convener path, one query per depth of child conveners
    (usually one), so a province rolls up its cities as cheaply as a county its towns.
    """
    children = list(campaign.children.select_related("convener").order_by("org_path"))
    by_len: dict[int, list[Campaign]] = defaultdict(list)
    for child in children:
        by_len[len(child.org_path)].append(child)
    counts: dict[str, dict[str, int]] = {}
    for width, group in by_len.items():
        rows = (Subject.objects.filter(campaign__year=campaign.year, campaign__org_path__gt=campaign.org_path,
                                       campaign__org_path__lt=paths.successor(campaign.org_path))
                .annotate(branch=Substr("campaign__org_path", 1, width))
                .filter(branch__in=[c.org_path for c in group])
                .values("branch").annotate(**_counts()))
        for row in rows:
            counts[row.pop("branch")] = row
    empty = {k: 0 for k in _counts()}
    table = [RollupRow(campaign=c, **counts.get(c.org_path, empty)) for c in children]
    totals = {k: sum(getattr(r, k) for r in table) for k in empty}
    return table, totals


def own_counts(campaign: Campaign) -> dict[str, int]:
    return Subject.objects.filter(campaign=campaign).aggregate(**_counts())


def public_campaigns() -> QuerySet[Campaign]:
    return (Campaign.objects.filter(list_status=Campaign.ListStatus.PUBLISHED).select_related("convener")
            .annotate(n_subjects=Count("subjects")).order_by("-year", "org_path"))


def responsibilities(org: Organization, year: int | None = None) -> QuerySet[Any]:
    qs = org.responsibilities.all()
    return qs.filter(year=year) if year else qs.order_by("-year", "id")
