"""Counts the organizations app contributes to the stats endpoint."""

from __future__ import annotations

from dianti.core import paths

from .models import Organization, Person


def _people(path: str):  # type: ignore[no-untyped-def]
    return Person.objects.filter(org_path__gte=path, org_path__lt=paths.successor(path))


def grassroots_organizations(path: str) -> int:
    """Grassroots Party organizations (村、社区、企业、学校… branches and committees below town level)."""
    return Organization.objects.subtree(path).grassroots().filter(is_active=True).count()


def people(path: str) -> int:
    return _people(path).count()


def party_members(path: str) -> int:
    return _people(path).filter(is_party_member=True).count()
