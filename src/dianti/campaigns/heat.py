"""The knobs of the voices' heat formula: set once by a county (:class:`.models.HeatScheme`), inherited by every
campaign under it, overridden knob by knob by a campaign (``Campaign.heat_weights``).

:func:`heat_weights_in_force` is the one place that says which knobs a campaign's topics are ranked with; the
voices step (:func:`dianti.voices.figures.heat_config`), the campaign edit page and the county's page all read it.
Order, later wins knob by knob: the formula's defaults, the schemes of the convener's ancestors from the top
down (a province's, then a county's), the convener's own scheme, then the campaign's overrides.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dianti.core import audit, events, paths, rules
from dianti.orgs.models import Organization

from .models import Campaign, HeatScheme, Phase

SOURCE_DEFAULT, SOURCE_CAMPAIGN = "default", "campaign"


@dataclass(frozen=True)
class Knob:
    """A knob in force: its value and where it comes from (``default``, ``campaign`` or the setting body's name)."""

    value: float | None
    source: str


def _schemes_above(org_path: str) -> list[HeatScheme]:
    """Return the schemes set on ``org_path`` and its ancestors, the top first (one query)."""
    chain = [*paths.ancestors(org_path), org_path]
    found = HeatScheme.objects.filter(org_path__in=chain).select_related("organization")
    return sorted(found, key=lambda s: len(s.org_path))


def knobs_in_force(campaign: Campaign | None, *, org_path: str | None = None,
                   with_campaign: bool = True) -> dict[str, Knob]:
    """Return {knob: :class:`Knob`} for every knob set along the way (a knob at its default is absent).

    ``org_path`` stands for the campaign's convener when there is no campaign; ``with_campaign=False`` leaves the
    campaign's own overrides out (what it would inherit)."""
    path = campaign.org_path if campaign is not None else org_path
    found: dict[str, Knob] = {}
    for scheme in _schemes_above(path) if path else []:
        for knob, value in scheme.weights.items():
            found[knob] = Knob(float(value), scheme.organization.display_name)
    if campaign is not None and with_campaign:
        for knob, value in (campaign.heat_weights or {}).items():
            found[knob] = Knob(float(value), SOURCE_CAMPAIGN)
    return found


def heat_weights_in_force(campaign: Campaign | None, *, org_path: str | None = None) -> dict[str, float]:
    """Return the knobs the campaign's topics are ranked with ({knob: number}; absent knobs take the defaults)."""
    return {k: v.value for k, v in knobs_in_force(campaign, org_path=org_path).items() if v.value is not None}


def county_of(org_path: str) -> Organization | None:
    """Return the county whose scheme a campaign convened at ``org_path`` inherits (None above county level)."""
    return Organization.objects.filter(path__in=[*paths.ancestors(org_path), org_path],
                                       level=Organization.Level.COUNTY).first()


def scheme_of(org: Organization) -> dict[str, float]:
    """Return the knobs ``org`` itself set (empty when it set none)."""
    scheme = HeatScheme.objects.filter(organization=org).first()
    return dict(scheme.weights) if scheme else {}


@transaction.atomic
def heat_scheme_set(*, actor: Any, organization: Organization, weights: dict[str, Any]) -> HeatScheme:
    """Set the county's knobs (blank ones take the defaults again) for every campaign under it, audited; once
    committed, every campaign under it still collecting or deciding (not archived) recomputes its topics' heat
    (``heat_weights_changed``). Who may: :data:`dianti.core.rules.RULES` ``campaign.heat_scheme_set``."""
    from .services import _validate_heat_weights

    rules.ensure(actor, "campaign.heat_scheme_set", rules.Context(body_path=organization.path))
    if organization.level != Organization.Level.COUNTY:
        raise ValidationError(_("呼声热度权重由县级党委统一设定"))
    clean = _validate_heat_weights(weights)
    scheme, _created = HeatScheme.objects.get_or_create(organization=organization,
                                                        defaults={"org_path": organization.path})
    before = dict(scheme.weights)
    scheme.weights, scheme.org_path = clean, organization.path
    scheme.updated_by = actor if getattr(actor, "is_authenticated", False) else None
    scheme.save()
    if before != clean:
        audit.record(actor=actor, action="heat_scheme.set", target=organization, org_path=organization.path,
                     changes={"heat_weights": [before, clean]})
        for campaign in Campaign.objects.filter(org_path__startswith=organization.path).exclude(
                phase=Phase.ARCHIVED).only("pk", "org_path"):
            events.publish("heat_weights_changed", actor=actor, campaign_id=campaign.pk, org_path=campaign.org_path)
    return scheme
