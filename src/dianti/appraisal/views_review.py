"""Pages for what the level above decides about results: withdrawing a published result (撤回) and confirming a
county's grades and star grades. Who may is core/rules.py's; these views only parse, call the service and say."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dianti.core import rules
from dianti.core.http import flash_errors
from dianti.core.scope import scope_for
from dianti.orgs.models import Organization

from . import annual, publication, selectors
from .models import AssessmentRound, ResultPublication, SubjectResult
from .permissions import ensure_can_view_county


@login_required
@require_POST
def result_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    subject, result, full = selectors.subject_get(request.user, pk)
    if not full:
        raise Http404(_("找不到该评议结果，或您无权查看"))
    try:
        publication.results_withdraw(actor=request.user, subject=subject, reason=request.POST.get("reason", ""))
    except (ValidationError, PermissionDenied) as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("已撤回该评议结果，并通知了书记和召集党委"))
    return redirect("appraisal_subject", pk=subject.pk)


def withdraw_panel(user: Any, subject: Any, result: SubjectResult | None) -> dict[str, Any]:
    """What the subject's result page shows about publication: the history and whether this user may withdraw."""
    ctx = rules.Context(body_path=subject.campaign.org_path)
    history = list(ResultPublication.objects.filter(result=result).select_related(
        "published_by", "withdrawn_by")) if result is not None else []
    return {"history": history, "may_withdraw": result is not None
            and result.status == SubjectResult.Status.PUBLISHED
            and rules.allows(user, "appraisal.results_withdraw", ctx),
            "withdrawer": rules.who("appraisal.results_withdraw", ctx)}


def rounds_for(user: Any, year: int) -> list[dict[str, Any]]:
    """The counties this user sees, each with its round of the year and whether the user may confirm it."""
    sc = scope_for(user)
    counties = Organization.objects.filter(level=Organization.Level.COUNTY)
    if not sc.everything:
        counties = counties.filter(path__in=[*sc.manage_roots, *sc.approve_roots, *sc.view_roots])
    rounds = {r.county_id: r for r in AssessmentRound.objects.filter(county__in=counties, year=year).select_related(
        "computed_by", "confirmed_by")}
    out = []
    for county in counties:
        r = rounds.get(county.pk)
        ctx = annual.round_context(county, year)
        out.append({"county": county, "round": r, "who": rules.who("appraisal.stars_confirm", ctx),
                    "may_confirm": r is not None and not r.is_confirmed
                    and rules.allows(user, "appraisal.stars_confirm", ctx)})
    return out


@login_required
@require_POST
def annual_confirm(request: HttpRequest) -> HttpResponse:
    county = ensure_can_view_county(request.user, Organization.objects.filter(
        code=request.POST.get("county", ""), level=Organization.Level.COUNTY).first())
    year = request.POST.get("year", "")
    if not year.isdigit():
        raise Http404(_("找不到该县的年度考核"))
    try:
        annual.assessment_confirm(actor=request.user, county=county, year=int(year),
                                  note=request.POST.get("note", ""))
    except (ValidationError, PermissionDenied) as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("已确认%(year)s年度考核等次和星级") % {"year": year})
    return redirect(reverse("appraisal_annual") + f"?year={year}")
