"""年度综合考核 pages: the year's list (and its Excel), the import of part scores, the recompute, one organization's
history."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dianti.campaigns.models import Campaign
from dianti.core.excel import workbook, xlsx_response
from dianti.core.http import flash_errors
from dianti.core.imports import import_page
from dianti.core.pagination import paginate
from dianti.core.scope import scope_for
from dianti.orgs.models import Organization

from . import annual, importers, permissions, selectors, views_review


def _year(request: HttpRequest, years: list[int]) -> int:
    text = request.GET.get("year", "")
    if text.isdigit():
        return int(text)
    return years[0] if years else timezone.localdate().year


@login_required
def annual_list(request: HttpRequest) -> HttpResponse:
    permissions.ensure_appraisal_staff(request.user)
    years = selectors.annual_years(request.user)
    year = _year(request, years)
    code = request.GET.get("org", "")
    within = selectors.org_for(request.user, code) if code else None
    rows = selectors.annual_list(request.user, year, within)
    if request.GET.get("format") == "xlsx":
        return _annual_export(rows, year)
    sc = scope_for(request.user)
    counties = Organization.objects.filter(level=Organization.Level.COUNTY)
    counties = counties if sc.everything else counties.filter(path__in=list(sc.manage_roots))
    return render(request, "appraisal/annual_list.html", {
        "rounds": views_review.rounds_for(request.user, year),
        "rows": (page := paginate(request, rows)), "page": page, "year": year, "years": years, "within": within, "counties": counties,
        "towns": Organization.objects.filter(level=Organization.Level.TOWN, pk__in=rows.values(
            "organization__parent")).order_by("path"),
    })


def _annual_export(rows: Any, year: int) -> HttpResponse:
    rows = list(rows)
    labels: list[str] = []
    for a in rows:
        labels += [p["label"] for p in a.parts if p["label"] not in labels]
    headers = ["县内排名", "组织编码", "组织", "上级", "同级排名", *labels, "总分", "考核等次", "星级", "创新项目", "提示"]
    body = []
    for a in rows:
        parts = {p["label"]: p["score"] for p in a.parts}
        body.append([a.rank, a.organization.code, a.organization.name,
                     a.organization.parent.display_name if a.organization.parent else "",
                     f"{a.peer_rank}/{a.peer_count}" if a.peer_rank else "",
                     *[None if parts.get(x) is None else round(parts[x], 2) for x in labels],
                     None if a.total is None else round(a.total, 2),
                     a.band or ("暂定（缺少：" + "、".join(a.missing) + "）" if a.provisional else ""), a.stars or None,
                     a.innovation,
                     "；".join(f["message"] for f in a.flags)])
    return xlsx_response(workbook(headers, body, f"{year}年度综合考核"), f"{year}年度综合考核.xlsx")


@login_required
def annual_import(request: HttpRequest) -> HttpResponse:
    permissions.ensure_appraisal_staff(request.user)
    year = int(request.GET["year"]) if request.GET.get("year", "").isdigit() else timezone.localdate().year

    def template() -> HttpResponse:
        header, example = importers.template_for(request.user, year)
        return xlsx_response(workbook(header, example, "导入"), f"{year}年度考核得分导入模板.xlsx")

    return import_page(
        request, submit=lambda upload: importers.annual_import_submit(actor=request.user, upload=upload),
        template=template, page={
            "title": _("导入年度考核得分"), "file_label": _("Excel（.xlsx）或 CSV 文件"),
            "back": (f"{reverse('appraisal_annual')}?year={year}", _("年度综合考核")),
            "templates": [(f"?template=1&year={year}", _("下载导入模板"))],
            "help": [_("每行一个组织、一个年度：组织编码、年度，以及考核方案中除“述职评议”以外各组成部分的得分（0–100），"
                       "可选“创新项目”（是/否）。“述职评议”得分取公布的评议结果，不必导入。"),
                     _("先检查全部行：只要有一处问题，就一条也不导入，并逐行列出问题所在的行号和列名。导入成功后自动重新计算总分、"
                       "等次、星级和排名。")]})


@login_required
@require_POST
def annual_compute(request: HttpRequest) -> HttpResponse:
    permissions.ensure_appraisal_staff(request.user)
    county = selectors.org_for(request.user, request.POST.get("county", ""))
    year = int(request.POST.get("year", "0") or 0)
    try:
        n = annual.annual_compute(actor=request.user, county=county, year=year)
    except (ValidationError, PermissionDenied) as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("已重新计算 %(n)d 个组织的年度综合考核") % {"n": n})
    return redirect(f"{reverse('appraisal_annual')}?year={year}&org={county.code}")


@login_required
def annual_org(request: HttpRequest, code: str) -> HttpResponse:
    org = selectors.org_for(request.user, code)
    history = selectors.annual_history(org)
    appraisals = selectors.appraisal_history(org)
    chart = [{"year": a.year, "total": None if a.total is None else round(a.total, 2), "stars": a.stars,
              "appraisal": None if a.appraisal is None else round(a.appraisal, 2), "rank": a.rank,
              "peer_rank": a.peer_rank} for a in history]
    return render(request, "appraisal/annual_org.html", {
        "org": org, "history": history, "appraisals": appraisals, "chart": chart,
        "campaigns": Campaign.objects.filter(subjects__organization=org).distinct().order_by("year"),
    })
