"""Figures the voices app owns: opinions collected and sorted, person-times met, topics set, points that relayed
opinions, and the categories opinions fall into.

An opinion belongs to the subtree of the organization it is about, in the year of the campaign it was collected
for (the year it came in when it was for none); a subject's topic where its subject counts (campaigns.stats).
"""

from __future__ import annotations

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce, ExtractYear
from django.utils.translation import gettext_lazy as _

from dianti.campaigns.stats import SUBJECTS
from dianti.core.figures import Drill, Figure, Grouping, Row, Source

from .mining.classify import DEFAULT_CATEGORIES
from .models import OFFLINE_CHANNELS, Opinion

OPINION_YEAR = Coalesce(F("campaign__year"), ExtractYear("created_at"))
#: Sorted (分类梳理): placed in a topic or given a policy category.
SORTED = Q(topic__isnull=False) | ~Q(category="")


#: Opinions, where and when they count: collected, sorted and person-times met share them (one query).
OPINIONS = Source("voices.opinions", Opinion.objects.all, "org_path", OPINION_YEAR)


def sorted_n() -> Count:
    return Count("pk", filter=SORTED)


def met_n() -> Sum:
    """Person-times met at visits and symposiums (meeting attendance is added by the meetings step)."""
    return Sum("people_met", filter=Q(channel__in=OFFLINE_CHANNELS))


def topics_n() -> Count:
    return Count("pk", filter=~Q(topic=""))


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
    # Collected (hidden ones included: they were collected; the audit log says why they are hidden), sorted.
    Figure("opinions", _("征集意见建议"), _("条"), source=OPINIONS, drill=_OPINIONS),
    Figure("opinions_sorted", _("分类梳理意见"), _("条"), source=OPINIONS, n=sorted_n, drill=_OPINIONS),
    Figure("topics_assigned", _("已点题"), _("人"), source=SUBJECTS, n=topics_n),
    Figure("participants", _("走访座谈和参会"), _("人次"), source=OPINIONS, n=met_n),
    Figure("points_active", _("转来意见的点位"), _("个"), count=points_active, distinct=True),
    Figure("categories", _("意见类别"), _("条"), categories, buckets=tuple(c.name for c in DEFAULT_CATEGORIES),
           drill=_OPINIONS),
)
