"""Reads of the scoring schemes (评分方案): a scheme by key and version, a campaign's, the latest of each, a
scheme's versions — the engine's default read as an unsaved row until a writer stores it. Schemes are rules,
visible to every admin."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from dianti.campaigns.models import Campaign

from .engine import Scheme, default_scheme
from .models import ScoringScheme

DEFAULT_KEY = "default"


def _unstored_default() -> ScoringScheme:
    """Return the engine's default scheme as an unsaved row: what the default reads as until a writer stores it
    (:func:`dianti.appraisal.services.scheme_ensure`). Reads never store it."""
    scheme = default_scheme()
    row = ScoringScheme(key=DEFAULT_KEY, version=scheme.version, name=scheme.name, data=scheme.to_dict())
    row.n_results = 0  # type: ignore[attr-defined]  (as annotated by scheme_versions)
    return row


def scheme_get(key: str, version: int | None = None) -> ScoringScheme:
    """Return version ``version`` (default: the latest) of scheme ``key``; raise ValidationError if there is none.

    The latest default is there even before it is stored (unsaved, ``pk`` None): writers store it first.
    """
    qs = ScoringScheme.objects.filter(key=key)
    row = (qs.filter(version=version) if version is not None else qs.order_by("-version")).first()
    if row is None and key == DEFAULT_KEY and version is None:
        return _unstored_default()
    if row is None:
        if version is not None:
            raise ValidationError(_("评分方案“%(key)s”没有第 %(version)d 版") % {"key": key, "version": version})
        raise ValidationError(_("找不到评分方案“%(key)s”") % {"key": key})
    return row


def scheme_for_campaign(campaign: Campaign, version: int | None = None) -> ScoringScheme:
    """Return the campaign's scheme (``Campaign.scheme_key``, the default when blank), latest version unless given."""
    return scheme_get(campaign.scheme_key or DEFAULT_KEY, version)


def engine_scheme(row: ScoringScheme) -> Scheme:
    """Return the engine's scheme stored in ``row``."""
    return Scheme.from_dict(row.data)


def latest_scheme_rows() -> QuerySet[ScoringScheme]:
    """Return the latest stored version of every scheme key, by key, in one query (what the schemes page pages)."""
    newer = ScoringScheme.objects.filter(key=OuterRef("key"), version__gt=OuterRef("version"))
    return ScoringScheme.objects.filter(~Exists(newer)).select_related("organization").order_by("key")


def with_unstored_default(rows: list[ScoringScheme]) -> list[ScoringScheme]:
    """Return ``rows`` (latest versions by key) with the default among them, in its place by key, while no
    version of it is stored."""
    if any(r.key == DEFAULT_KEY for r in rows) or ScoringScheme.objects.filter(key=DEFAULT_KEY).exists():
        return rows
    return sorted([*rows, _unstored_default()], key=lambda r: r.key)


def latest_schemes() -> list[ScoringScheme]:
    """Return the latest version of every scheme key (schemes are rules, visible to every admin), the default
    among them even before it is stored."""
    return with_unstored_default(list(latest_scheme_rows()))


def scheme_versions(key: str) -> list[ScoringScheme]:
    """Return every version of scheme ``key``, newest first, each with ``n_results``; 404 for an unknown key."""
    rows = list(ScoringScheme.objects.filter(key=key).select_related("organization", "created_by")
                .annotate(n_results=Count("results")).order_by("-version"))
    if not rows and key == DEFAULT_KEY:
        return [_unstored_default()]
    if not rows:
        raise Http404("找不到该评分方案")
    return rows
