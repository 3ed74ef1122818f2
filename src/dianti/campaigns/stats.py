"""Figures the campaigns app owns: campaigns convened and subjects chosen, by year.

A subject belongs to the subtree of its organization (a town secretary reporting to the county counts in the town's
subtree, like the town's own villages), in the year of its campaign; a campaign to the subtree of its convener.
"""

from __future__ import annotations

from django.db.models import F
from django.utils.translation import gettext_lazy as _

from dianti.core.figures import Drill, Figure, Grouping, Row

from .models import Campaign, Subject

SUBJECT_YEAR = F("campaign__year")


def campaigns(g: Grouping) -> list[Row]:
    return g.rows(Campaign.objects.all(), "org_path", year=F("year"))


def subjects(g: Grouping) -> list[Row]:
    """Secretaries chosen to report (点名), lists not yet approved included."""
    return g.rows(Subject.objects.all(), "org_path", year=SUBJECT_YEAR)


def _by_year(code: str, year: int, bucket: str) -> dict[str, str]:
    return {"org": code, "year": str(year)}


FIGURES = (
    Figure("campaigns", _("述职活动"), _("项"), campaigns, drill=Drill("campaign_list", _by_year)),
    Figure("subjects", _("点名书记"), _("人"), subjects, drill=Drill("campaign_list", _by_year)),
)
