"""Counts the appraisal step contributes to the stats endpoint: subjects whose results are published (公示)."""

from __future__ import annotations

from dianti.core import paths

from .models import SubjectResult


def appraised(path: str) -> int:
    """Published results of campaigns convened within the subtree (counted like ``subjects``)."""
    return SubjectResult.objects.filter(status=SubjectResult.Status.PUBLISHED, subject__campaign__org_path__gte=path,
                                        subject__campaign__org_path__lt=paths.successor(path)).count()
