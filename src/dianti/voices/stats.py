"""Figures the voices app owns: opinions collected and sorted, person-times met, topics set, points that relayed
opinions, and the categories opinions fall into.

An opinion belongs to the subtree of the organization it is about, in the year of the campaign it was collected
for (the year it came in when it was for none); a subject's topic where its subject counts (campaigns.stats).
"""

from __future__ import annotations

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce, ExtractYear
from django.utils.translation import gettext_lazy as _

from dianti.campaigns.models import Subject
from dianti.campaigns.stats import CONVENER, SUBJECT_YEAR
from dianti.core.figures import Drill, Figure, Grouping, Row

from .mining.classify import DEFAULT_CATEGORIES
from .models import OFFLINE_CHANNELS, Opinion

OPINION_YEAR = Coalesce(F("campaign__year"), ExtractYear("created_at"))
#: Sorted (分类梳理): placed in a topic or given a policy category.
SORTED = Q(topic__isnull=False) | ~Q(category="")


def opinions(g: Grouping) -> list[Row]:
    """Opinions collected (hidden ones included: they were collected; the audit log says why they are hidden)."""
    return g.rows(Opinion.objects.all(), "org_path", year=OPINION_YEAR)


def opinions_sorted(g: Grouping) -> list[Row]:
    return g.rows(Opinion.objects.filter(SORTED), "org_path", year=OPINION_YEAR)


def topics_assigned(g: Grouping) -> list[Row]:
    return g.rows(Subject.objects.exclude(topic=""), CONVENER, year=SUBJECT_YEAR)


def participants(g: Grouping) -> list[Row]:
    """Person-times met at visits and symposiums (meeting attendance is added by the meetings step)."""
    return g.rows(Opinion.objects.filter(channel__in=OFFLINE_CHANNELS), "org_path", year=OPINION_YEAR,
                  n=Sum("people_met"))


def points_active(g: Grouping) -> list[Row]:
    """Contact points that relayed at least one opinion that year, in the subtree of the point's organization."""
    return g.rows(Opinion.objects.filter(point__isnull=False), "point__org_path", year=OPINION_YEAR,
                  n=Count("point", distinct=True))


def categories(g: Grouping) -> list[Row]:
    """Opinions by policy category (those with none are not yet sorted into one)."""
    return g.rows(Opinion.objects.exclude(category=""), "org_path", year=OPINION_YEAR, bucket=F("category"))


def _opinions_of(code: str, year: int, bucket: str) -> dict[str, str]:
    return {"org": code, "year": str(year), **({"category": bucket} if bucket else {})}


_OPINIONS = Drill("voices_queue", _opinions_of)
FIGURES = (
    Figure("opinions", _("征集意见建议"), _("条"), opinions, drill=_OPINIONS),
    Figure("opinions_sorted", _("分类梳理意见"), _("条"), opinions_sorted, drill=_OPINIONS),
    Figure("topics_assigned", _("已点题"), _("人"), topics_assigned),
    Figure("participants", _("走访座谈和参会"), _("人次"), participants),
    Figure("points_active", _("转来意见的点位"), _("个"), points_active, distinct=True),
    Figure("categories", _("意见类别"), _("条"), categories, buckets=tuple(c.name for c in DEFAULT_CATEGORIES),
           drill=_OPINIONS),
)
