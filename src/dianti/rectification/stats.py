"""Counts 整改 contributes to the stats endpoint: cases open, overdue and closed within a subtree."""

from __future__ import annotations

from django.db.models import Q

from dianti.core import paths

from .models import ACTIVE, Case, State
from .selectors import overdue_q


def _in(path: str) -> Q:
    return Q(org_path__gte=path, org_path__lt=paths.successor(path))


def rectifications_open(path: str) -> int:
    """Cases issued and not yet closed or carried over (drafts are not yet rectifications)."""
    return Case.objects.filter(_in(path), state__in=[s for s in ACTIVE if s != State.DRAFT]).count()


def rectifications_overdue(path: str) -> int:
    return Case.objects.filter(_in(path)).filter(overdue_q()).count()


def rectifications_closed(path: str) -> int:
    return Case.objects.filter(_in(path), state=State.CLOSED).count()
