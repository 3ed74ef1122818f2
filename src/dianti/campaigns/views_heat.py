"""The county's page for the voices' heat knobs, inherited by every campaign under it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from dianti.core import rules
from dianti.core.http import error_messages
from dianti.orgs import selectors as org_selectors
from dianti.orgs.models import Organization

from . import heat
from .forms import HEAT_KNOBS, HeatSchemeForm
from .models import Campaign


@login_required
def heat_scheme_edit(request: HttpRequest, code: str) -> HttpResponse:
    org = org_selectors.org_get(request.user, code)
    if org.level != Organization.Level.COUNTY:
        # Only a county sets the knobs: a town's or village's address showed an empty form (the defaults, not the
        # county's values in force) whose save was refused. Its county's page answers instead (404 out of scope).
        county = heat.county_of(org.path)
        if county is None:
            raise Http404(_("呼声热度权重由县级党委统一设定"))
        return redirect("heat_scheme_edit", code=county.code)
    form = HeatSchemeForm(request.POST or None, weights=heat.scheme_of(org))
    if request.method == "POST" and form.is_valid():
        try:
            queued = heat.heat_scheme_set(actor=request.user, organization=org, weights=form.weights())
        except ValidationError as exc:
            form.add_error(None, "；".join(error_messages(exc)))
        else:
            messages.success(request, _("已保存。本县各述职活动的话题热度正在后台按新权重重算，见下方进度") if queued
                             else _("权重没有改动，话题热度不用重算"))
            return redirect("heat_scheme_edit", code=org.code)
    return render(request, "campaigns/heat_scheme.html", {
        "org": org, "form": form, "job": heat.reheat_latest(request.user, org),
        "refusal": rules.refusal(request.user, "campaign.heat_scheme_set", rules.Context(body_path=org.path)),
        "overriding": [(c, [(HEAT_KNOBS.get(k, k), v) for k, v in c.heat_weights.items()]) for c in
                       Campaign.objects.filter(org_path__startswith=org.path).exclude(heat_weights={})
                       .order_by("-year", "org_path")[:20]]})
