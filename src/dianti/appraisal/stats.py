"""Figures the appraisal step owns: results published (公示), how satisfied the panels were, how the ballots were
graded, and the annual assessment's grades and star grades.

A result belongs where its subject counts (the subtree of the campaign's convener, campaigns.stats), in the
campaign's year; an assessment to its organization, in its year. Only published results count: a figure never runs ahead of 公示.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Case, F, Value, When
from django.utils.translation import gettext_lazy as _

from dianti.core.figures import Drill, Figure, Grouping, Row

from .engine.policy import AssessmentConfig
from .engine.scale import central_scale, local_scale
from .models import AnnualAssessment, SubjectResult

YEAR = F("subject__campaign__year")
CONVENER = "subject__campaign__org_path"
#: Satisfaction classes by lower bound (percent): the 60 % line is the common 约谈 trigger (DOMAIN.md).
SATISFACTION = (("0", _("60%以下")), ("60", _("60%–70%")), ("70", _("70%–80%")), ("80", _("80%–90%")),
                ("90", _("90%及以上")))
STARS = ("5", "4", "3", "2", "1", "0")


def _published() -> Any:
    return SubjectResult.objects.filter(status=SubjectResult.Status.PUBLISHED)


def appraised(g: Grouping) -> list[Row]:
    """Secretaries whose appraisal results are published."""
    return g.rows(_published(), CONVENER, year=YEAR)


def satisfaction(g: Grouping) -> list[Row]:
    """Published results by satisfaction rate (满意率 = (好 + 较好) / valid ballots), in classes of ten points."""
    cls = Case(*(When(satisfaction__gte=int(low) / 100, then=Value(low)) for low, _label in reversed(SATISFACTION)),
               default=Value("0"))
    return g.rows(_published().filter(satisfaction__isnull=False), CONVENER, year=YEAR, bucket=cls)


def grades(g: Grouping) -> list[Row]:
    """Valid ballots of the published results by grade (好 / 较好 / 一般 / 差): the distribution each result
    stores, added up (the ballots themselves are never read here)."""
    out: dict[tuple[str, int, str], int] = defaultdict(int)
    for group, year, values in g.each(_published(), CONVENER, year=YEAR, dist=F("detail__distribution")):
        for grade, n in (values["dist"] or {}).items():
            out[(group, year, str(grade))] += int(n or 0)
    return [(group, year, grade, n) for (group, year, grade), n in out.items()]


def _assessed() -> Any:
    """Assessments with a grade: a provisional total (a component missing) has neither grade nor stars."""
    return AnnualAssessment.objects.exclude(band="")


def bands(g: Grouping) -> list[Row]:
    return g.rows(_assessed(), "org_path", year=F("year"), bucket=F("band"))


def stars(g: Grouping) -> list[Row]:
    return g.rows(_assessed(), "org_path", year=F("year"), bucket=F("stars"))


def _assessment_of(code: str, year: int, bucket: str) -> dict[str, str]:
    return {"org": code, "year": str(year)}


_ASSESSMENT = Drill("appraisal_annual", _assessment_of)
FIGURES = (
    Figure("appraised", _("已公布评议结果"), _("人"), appraised),
    Figure("satisfaction", _("满意率"), _("人"), satisfaction, buckets=tuple(k for k, _l in SATISFACTION),
           bucket_labels=dict(SATISFACTION)),
    Figure("grades", _("测评票等次"), _("张"), grades,
           buckets=tuple(dict.fromkeys([*central_scale().labels, *local_scale().labels]))),
    Figure("bands", _("年度考核等次"), _("个"), bands,
           buckets=tuple(b.label for b in AssessmentConfig().grade_bands), drill=_ASSESSMENT),
    Figure("stars", _("星级"), _("个"), stars, buckets=STARS,
           bucket_labels={s: (f"{s}★" if s != "0" else _("未达星级")) for s in STARS}, drill=_ASSESSMENT),
)
