"""Counts the meetings app contributes: meetings held, ballots, questions, and attendance into participants."""

from __future__ import annotations

from django.db.models import Sum

from dianti.core import paths

from .models import Attendance, Ballot, Meeting, Question


def _range(path: str, field: str = "org_path") -> dict[str, str]:
    return {f"{field}__gte": path, f"{field}__lt": paths.successor(path)}


def meetings(path: str) -> int:
    return Meeting.objects.filter(status=Meeting.Status.CLOSED, **_range(path)).count()


def ballots(path: str) -> int:
    return Ballot.objects.filter(**_range(path, "meeting__org_path")).count()


def questions(path: str) -> int:
    return Question.objects.filter(**_range(path, "meeting__org_path")).count()


def attendance(path: str) -> int:
    """Meeting attendance counts as participant person-times, beside the visits and symposiums."""
    # A clerk's row may stand for several people who gave no name: count heads, as the minutes do.
    return Attendance.objects.filter(**_range(path, "meeting__org_path")).aggregate(n=Sum("headcount"))["n"] or 0
