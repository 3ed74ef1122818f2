"""Counts the campaigns app contributes to the stats endpoint: campaigns convened and subjects chosen."""

from __future__ import annotations

from dianti.core import paths

from .models import Campaign, Subject


def campaigns(path: str) -> int:
    return Campaign.objects.filter(org_path__gte=path, org_path__lt=paths.successor(path)).count()


def subjects(path: str) -> int:
    """Subjects chosen by campaigns convened within the subtree (a county counts its towns' choices too)."""
    return Subject.objects.filter(campaign__org_path__gte=path, campaign__org_path__lt=paths.successor(path)).count()
