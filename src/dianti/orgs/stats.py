"""Counts and figures the organizations app contributes: grassroots organizations and contact points (as of now,
by child subtree), people and Party members (subtree stats)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dianti.core import paths
from dianti.core.figures import Figure, Grouping, Row

from .models import ContactPoint, Organization, Person


def _people(path: str):  # type: ignore[no-untyped-def]
    return Person.objects.filter(org_path__gte=path, org_path__lt=paths.successor(path))


def grassroots_organizations(g: Grouping) -> list[Row]:
    """Grassroots Party organizations (村、社区、企业、学校… branches and committees below town level), active."""
    return g.rows(Organization.objects.grassroots().filter(is_active=True), "path")


def points(g: Grouping) -> list[Row]:
    """民情直报点 and 组织工作观察点 of the subtree's organizations."""
    return g.rows(ContactPoint.objects.all(), "org_path")


def people(path: str) -> int:
    return _people(path).count()


def party_members(path: str) -> int:
    return _people(path).filter(is_party_member=True).count()


FIGURES = (
    Figure("organizations", _("基层党组织"), _("个"), grassroots_organizations, yearly=False),
    Figure("points", _("民情直报点和组织工作观察点"), _("个"), points, yearly=False),
)
