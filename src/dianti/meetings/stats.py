"""Counts and figures the meetings app contributes: meetings held, secretaries who reported and the organizations
they cover, attendance into the person-times met; ballots and questions as subtree stats.

A meeting, and a secretary who reported, belong to the subtree of the campaign's convener, in its year.
"""

from __future__ import annotations

from django.db.models import Count, F, Q, Sum
from django.utils.translation import gettext_lazy as _

from dianti.campaigns.models import Subject
from dianti.campaigns.stats import SUBJECTS
from dianti.core import paths
from dianti.core.figures import Drill, Figure, Grouping, Row

from .models import Attendance, Ballot, Meeting, Question

REPORTED = (Subject.Status.REPORTED, Subject.Status.APPRAISED)


def _range(path: str, field: str = "org_path") -> dict[str, str]:
    return {f"{field}__gte": path, f"{field}__lt": paths.successor(path)}


def meetings(g: Grouping) -> list[Row]:
    """Meetings held (closed)."""
    return g.rows(Meeting.objects.filter(status=Meeting.Status.CLOSED), "org_path", year=F("campaign__year"))


def reported_n() -> Count:
    """Secretaries who gave their report at a meeting."""
    return Count("pk", filter=Q(status__in=REPORTED))


def covered_n() -> Count:
    """Organizations whose secretary reported that year (覆盖): each counted once however many campaigns heard it."""
    return Count("organization", distinct=True, filter=Q(status__in=REPORTED))


def attendance(g: Grouping) -> list[Row]:
    """Meeting attendance counts as participant person-times, beside the visits and symposiums."""
    # A clerk's row may stand for several people who gave no name: count heads, as the minutes do.
    return g.rows(Attendance.objects.filter(meeting__rehearsal_of=None), "meeting__org_path", year=F("meeting__campaign__year"),
                  n=Sum("headcount"))


def ballots(path: str) -> int:
    return Ballot.objects.filter(**_range(path, "meeting__org_path"), meeting__rehearsal_of=None).count()


def questions(path: str) -> int:
    return Question.objects.filter(**_range(path, "meeting__org_path"), meeting__rehearsal_of=None).count()


def _meetings_of(code: str, year: int, bucket: str) -> dict[str, str]:
    return {"org": code, "year": str(year)}


FIGURES = (
    Figure("meetings", _("召开述职会"), _("场"), count=meetings, drill=Drill("meeting_list", _meetings_of)),
    Figure("reported", _("已述职"), _("人"), source=SUBJECTS, n=reported_n),
    Figure("organizations_covered", _("覆盖基层党组织"), _("个"), source=SUBJECTS, n=covered_n, distinct=True),
)
