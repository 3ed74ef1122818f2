"""Figures the campaigns app owns: campaigns convened and subjects chosen, by year.

A campaign and its subjects belong to the subtree of the committee that convened it, in the campaign's year: a
county's figures by town are then each town's own campaign, and what the county ran itself is the county's own row
(a town secretary reporting to the county counts at the county, not in the town).
"""

from __future__ import annotations

from django.db.models import F
from django.utils.translation import gettext_lazy as _

from dianti.core.figures import Drill, Figure, Grouping, Row, Source

from .models import Campaign, Subject

SUBJECT_YEAR = F("campaign__year")
#: Where a subject counts: the subtree of its campaign's convener (see the module's docstring).
CONVENER = "campaign__org_path"


def campaigns(g: Grouping) -> list[Row]:
    return g.rows(Campaign.objects.all(), "org_path", year=F("year"))


#: A campaign's subjects, where they count: the figures of the year's funnel (chosen, topic set, reported) share
#: them and are counted in one query.
SUBJECTS = Source("campaigns.subjects", Subject.objects.all, CONVENER, SUBJECT_YEAR)


def _by_year(code: str, year: int, bucket: str) -> dict[str, str]:
    return {"org": code, "year": str(year)}


FIGURES = (
    Figure("campaigns", _("述职活动"), _("项"), campaigns, drill=Drill("campaign_list", _by_year)),
    # Secretaries chosen to report (点名), lists not yet approved included.
    Figure("subjects", _("点名书记"), _("人"), source=SUBJECTS, drill=Drill("campaign_list", _by_year)),
)
