"""Counts the voices app contributes to the stats endpoint."""

from __future__ import annotations

from django.db.models import Q, Sum

from dianti.campaigns.models import Subject
from dianti.core import paths

from .models import OFFLINE_CHANNELS, Opinion


def _opinions(path: str):  # type: ignore[no-untyped-def]
    return Opinion.objects.filter(org_path__gte=path, org_path__lt=paths.successor(path))


def opinions(path: str) -> int:
    """Opinions collected (hidden ones included: they were collected; the audit log says why they are hidden)."""
    return _opinions(path).count()


def opinions_sorted(path: str) -> int:
    """Opinions classified into a topic or a policy category."""
    return _opinions(path).filter(Q(topic__isnull=False) | ~Q(category="")).count()


def topics_assigned(path: str) -> int:
    return Subject.objects.filter(org_path__gte=path, org_path__lt=paths.successor(path)).exclude(topic="").count()


def participants(path: str) -> int:
    """Person-times met at visits and symposiums (meeting attendance is added by the meetings step)."""
    return _opinions(path).filter(channel__in=OFFLINE_CHANNELS).aggregate(n=Sum("people_met"))["n"] or 0
