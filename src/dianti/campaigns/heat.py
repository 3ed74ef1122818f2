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
from django.db.models import Max
from django.urls import reverse
from django.utils.translation import gettext as _

from dianti.core import audit, events, jobs, paths, rules
from dianti.core.models import EventFailure, Job
from dianti.orgs.models import Organization

from .models import Campaign, HeatScheme, Phase

SOURCE_DEFAULT, SOURCE_CAMPAIGN = "default", "campaign"
REHEAT_JOB = "campaigns.reheat"


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


def validate_heat_weights(weights: dict[str, Any]) -> dict[str, float]:
    """Return the knobs as numbers (blank ones left out, to take what is inherited); refuse an unknown knob or a
    number outside 0–1000 (a half-life must be above 0)."""
    # The formula's knobs are the voices core's; imported late, as the core's package loads numpy.
    from dianti.voices.mining.heat import KNOBS

    clean = {}
    for knob, value in (weights or {}).items():
        if knob not in KNOBS:
            raise ValidationError({"heat_weights": _("未知的热度权重“%(knob)s”") % {"knob": knob}})
        if value is None or value == "":
            continue
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ValidationError({"heat_weights": _("“%(value)s”不是数字") % {"value": value}}) from None
        if not 0 <= number <= 1000 or (knob == "half_life_days" and number == 0):
            raise ValidationError({"heat_weights": _("“%(knob)s”应为 0 至 1000 之间的数（半衰期须大于 0）")
                                  % {"knob": knob}})
        clean[knob] = number
    return clean


@transaction.atomic
def heat_scheme_set(*, actor: Any, organization: Organization, weights: dict[str, Any]) -> Job | None:
    """Set the county's knobs (blank ones take the defaults again) for every campaign under it, audited; once
    committed, a background job (:func:`reheat_job`) has every campaign under it still collecting or deciding (not
    archived) recompute its topics' heat (queued again by saving the same knobs when the last one failed). Return
    that job, or None when the knobs did not change and nothing was queued. Who may:
    :data:`dianti.core.rules.RULES` ``campaign.heat_scheme_set``."""
    rules.ensure(actor, "campaign.heat_scheme_set", rules.Context(body_path=organization.path))
    if organization.level != Organization.Level.COUNTY:
        raise ValidationError(_("呼声热度权重由县级党委统一设定"))
    clean = validate_heat_weights(weights)
    scheme, _created = HeatScheme.objects.get_or_create(organization=organization,
                                                        defaults={"org_path": organization.path})
    before = dict(scheme.weights)
    scheme.weights, scheme.org_path = clean, organization.path
    scheme.updated_by = actor if getattr(actor, "is_authenticated", False) else None
    scheme.save()
    if before != clean:
        audit.record(actor=actor, action="heat_scheme.set", target=organization, org_path=organization.path,
                     changes={"heat_weights": [before, clean]})
    if before == clean and not reheat_failed(organization=organization.pk):
        return None
    return jobs.submit(kind=REHEAT_JOB, actor=actor,
                       title=_("按新权重重算%(org)s各述职活动的话题热度") % {"org": organization.display_name},
                       params={"organization": organization.pk, "org_path": organization.path,
                               "back": reverse("heat_scheme_edit", args=[organization.code])})


def reheat_failed(**params: int) -> bool:
    """Return whether the latest recompute for ``organization=`` (a county's knobs) or ``campaign=`` (a campaign's)
    failed: saving the same knobs again is then how staff run it again (a worker that died, a bug since fixed)."""
    (key, value), = params.items()
    last = Job.objects.filter(kind=REHEAT_JOB, **{f"params__{key}": value}).order_by("-created_at", "-pk")
    return last.values_list("status", flat=True).first() == Job.Status.FAILED


def reheat_campaign(*, actor: Any, campaign: Campaign) -> Job:
    """Queue the recompute of one campaign's topics' heat (its own knobs changed): the same job as a county's."""
    return jobs.submit(kind=REHEAT_JOB, actor=actor,
                       title=_("按新权重重算“%(title)s”的话题热度") % {"title": campaign.title},
                       params={"campaign": campaign.pk, "back": reverse("campaign_detail", args=[campaign.pk])})


def reheat_job(job: Job, progress: jobs.Progress) -> dict[str, Any]:
    """Job ``campaigns.reheat``: tell the voices step, campaign by campaign (``heat_weights_changed``), that the
    knobs in force changed — for the one ``campaign`` of the params, else every campaign under the scheme's county
    (``org_path``) — leaving archived ones; return how many."""
    found = (Campaign.objects.filter(pk=job.params["campaign"]) if "campaign" in job.params
             else Campaign.objects.filter(org_path__startswith=job.params["org_path"]))
    campaigns = list(found.exclude(phase=Phase.ARCHIVED).only("pk", "org_path").order_by("pk"))
    before = EventFailure.objects.filter(event="heat_weights_changed").aggregate(last=Max("pk"))["last"] or 0
    for done, campaign in enumerate(campaigns):
        progress(done, len(campaigns))
        events.publish("heat_weights_changed", actor=job.created_by, campaign_id=campaign.pk,
                       org_path=campaign.org_path)
    progress(len(campaigns), len(campaigns))
    # A campaign whose recompute failed is recorded for its admins (core/events.py); the job says so too, so the
    # page does not call the figures recomputed and saving the same knobs runs it again.
    failed = EventFailure.objects.filter(event="heat_weights_changed", pk__gt=before,
                                         payload__campaign_id__in=[c.pk for c in campaigns]).count()
    if failed:
        raise jobs.JobFailed(_("有 %(n)d 个述职活动的话题热度未能重算，请稍后再点“保存”重试") % {"n": failed},
                             {"campaigns": len(campaigns), "failed": failed})
    return {"campaigns": len(campaigns)}


def reheat_latest(user: Any, organization: Organization) -> Job | None:
    """Return the user's latest recompute job for the county's knobs (its progress is shown on the county's page)."""
    return (Job.objects.filter(kind=REHEAT_JOB, created_by_id=user.pk, params__organization=organization.pk)
            .order_by("-created_at", "-pk").first())
