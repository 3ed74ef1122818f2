"""The dashboards (a county's, a town's, an organization's year in figures) and the annual report's start."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dianti.core import jobs
from dianti.core.dbrouter import replica_reads

from . import selectors
from .report import place

FORMATS = {"pdf": "PDF", "docx": "Word"}


def _year(request: HttpRequest) -> int | None:
    text = request.GET.get("year", "")
    return int(text) if text.isdigit() else None


@replica_reads
@login_required
def dashboard(request: HttpRequest, code: str | None = None) -> HttpResponse:
    org = selectors.root_for(request.user, code)
    d = selectors.dashboard(request.user, org, _year(request))
    return render(request, "dashboard/dashboard.html", {"d": d, "charts": d.chart_data(), "formats": FORMATS})


@login_required
@require_POST
def report(request: HttpRequest, code: str) -> HttpResponse:
    """Start the annual report of the organization for the year asked: a background job on the heavy queue whose
    page shows its progress and, when done, the file."""
    org = selectors.root_for(request.user, code)
    fmt = request.POST.get("format", "pdf")
    fmt = fmt if fmt in FORMATS else "pdf"
    year = int(request.POST["year"]) if request.POST.get("year", "").isdigit() else None
    back = selectors.page_url(org.code, year)
    job = jobs.submit(kind="dashboard.report", actor=request.user,
                      title=_("%(where)s%(year)s年度点题述职工作情况报告（%(fmt)s）") % {
                          "where": place(org), "year": year or "", "fmt": FORMATS[fmt]},
                      params={"org": org.code, "year": year, "format": fmt, "back": back})
    return redirect("job_detail", job.pk)
