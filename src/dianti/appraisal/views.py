"""评议考核 pages: parse → authorize (selectors, services) → call one service → render."""

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
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from dianti.campaigns import selectors as campaign_selectors
from dianti.campaigns.models import Campaign
from dianti.core import rules
from dianti.core.dbrouter import replica_reads
from dianti.core.excel import workbook, xlsx_response
from dianti.core.http import error_messages, flash_errors
from dianti.core.imports import import_page
from dianti.core.pagination import paginate
from dianti.core.redirects import safe_next
from dianti.core.scope import scope_for
from dianti.meetings import selectors as meeting_selectors
from dianti.orgs.models import Organization
from dianti.orgs.permissions import can_manage_org

from . import annual, explanations, importers, permissions, publication, selectors, services, views_review
from .forms import (
    PROPOSAL_ACTIONS,
    PROPOSAL_STATUSES,
    ComputeForm,
    DecisionForm,
    SchemeChoiceForm,
    SchemeForm,
)
from .models import ActionProposal, ScoringScheme


def _staff(request: HttpRequest) -> None:
    permissions.ensure_appraisal_staff(request.user)


# ---------------------------------------------------------------------------------------------------------------
# Results


@login_required
def index(request: HttpRequest) -> HttpResponse:
    _staff(request)
    return render(request, "appraisal/index.html", {
        "campaigns": (page := paginate(request, selectors.visible_campaigns(request.user))), "page": page,
        "pending": selectors.proposals(request.user, status=ActionProposal.Status.PENDING).count(),
    })


def _scheme_keys() -> list[tuple[str, str]]:
    return [(s.key, f"{s.name}（{s.key}，第 {s.version} 版）") for s in selectors.latest_schemes()]


@login_required
def campaign_results(request: HttpRequest, pk: int) -> HttpResponse:
    _staff(request)
    campaign = campaign_selectors.campaign_get(request.user, pk)
    subjects = selectors.campaign_subjects(campaign)
    page = paginate(request, subjects)
    current = selectors.scheme_for_campaign(campaign)
    counts = selectors.result_counts(subjects, current)
    return render(request, "appraisal/campaign_results.html", {
        "campaign": campaign, "page": page, "rows": selectors.result_rows(page), "scheme": current,
        "statuses": counts.by_status, "computed": counts.computed, "total": counts.subjects,
        "can_manage": can_manage_org(request.user, campaign.convener),
        "may": _may(request.user, publication.results_context(campaign)),
        "chart": selectors.chart_rows(subjects), "thresholds": selectors.satisfaction_thresholds(current),
        "outdated": counts.outdated,
        "scheme_form": SchemeChoiceForm(keys=_scheme_keys(), initial={"scheme": current.key}),
        "compute_form": ComputeForm(initial={"version": current.version}),
        "meetings": campaign.meetings.order_by("starts_at"),
    })


def _may(user: Any, ctx: rules.Context) -> dict[str, Any]:
    """What this user may do with the campaign's results (core/rules.py), and whom publishing waits for."""
    return {"submit": rules.allows(user, "appraisal.results_submit", ctx),
            "publish": rules.allows(user, "appraisal.results_publish", ctx),
            "return": rules.allows(user, "appraisal.results_return", ctx),
            "withdraw": rules.allows(user, "appraisal.results_withdraw", ctx),
            "publisher": rules.who("appraisal.results_publish", ctx)}


CAMPAIGN_ACTIONS = {
    "submit": (publication.results_submit, gettext_lazy("已提交审核：%(n)d 个评议结果")),
    "publish": (publication.results_publish, gettext_lazy("已审核并公示 %(n)d 个评议结果，已通知相关书记")),
    "return": (publication.results_return, gettext_lazy("已退回 %(n)d 个评议结果")),
}


@login_required
@require_POST
def campaign_action(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    _staff(request)
    campaign = campaign_selectors.campaign_get(request.user, pk)
    try:
        if name == "compute":
            form = ComputeForm(request.POST)
            version = form.cleaned_data.get("version") if form.is_valid() else None
            report = services.results_compute(actor=request.user, campaign=campaign, version=version)
            msg = _("已按“%(scheme)s”第 %(version)d 版计算 %(n)d 个评议结果") % {
                "scheme": report.scheme.name, "version": report.scheme.version, "n": report.computed}
            if report.skipped_published:
                msg += _("（%(n)d 个已公布的结果未改动）") % {"n": report.skipped_published}
            messages.success(request, msg)
        elif name == "scheme":
            services.campaign_scheme_set(actor=request.user, campaign=campaign, key=request.POST.get("scheme", ""))
            messages.success(request, _("已更换评分方案；已计算的结果保留原版本，重新计算后才按新方案"))
        elif name in CAMPAIGN_ACTIONS:
            service, text = CAMPAIGN_ACTIONS[name]
            kwargs: dict[str, Any] = {"note": request.POST.get("note", "")} if name == "return" else {}
            n = service(actor=request.user, campaign=campaign, **kwargs)
            messages.success(request, str(text) % {"n": n})
        else:
            return HttpResponse(status=404)
    except (ValidationError, PermissionDenied) as exc:
        flash_errors(request, exc)
    return redirect("appraisal_campaign", pk=campaign.pk)


def _export_rows(rows: list[selectors.ResultRow]) -> tuple[list[str], list[list[Any]]]:
    groups: list[str] = []
    grades: list[str] = []
    for r in rows:
        if r.result is not None:
            view = selectors.result_view(r.result)
            groups += [g["label"] for g in view["groups"] if g["label"] not in groups]
            grades += [d["grade"] for d in view["distribution"] if d["grade"] not in grades]
    headers = ["序号", "组织编码", "组织", "书记", "得分", "有效票", "无效票", "满意率%", "满意率下限%", "满意率上限%",
               "不满意率%", "评议一致性α", *[f"{g}得分" for g in groups], *[f"{g}票数" for g in grades],
               "结果不确定", "处置建议", "状态", "评分方案"]
    out = []
    for i, r in enumerate(rows, start=1):
        s, res = r.subject, r.result
        if res is None:
            out.append([i, s.organization.code, s.organization.name, s.secretary_name, *[None] * (len(headers) - 6),
                        "未计算", None])
            continue
        view = selectors.result_view(res)
        by_group = {g["label"]: g["score"] for g in view["groups"]}
        dist = {d["grade"]: d["n"] for d in view["distribution"]}
        pct = [None if x is None else round(x * 100, 1) for x in
               (res.satisfaction, res.satisfaction_low, res.satisfaction_high, res.dissatisfaction)]
        out.append([i, s.organization.code, s.organization.name, s.secretary_name,
                    None if res.score is None else round(res.score, 2), res.ballots, res.invalid, *pct,
                    None if res.alpha is None else round(res.alpha, 3),
                    *[None if by_group.get(g) is None else round(by_group[g], 2) for g in groups],
                    *[dist.get(g, 0) for g in grades], r.uncertain,
                    "；".join(f"{p.get_action_display()}（{p.get_status_display()}）" for p in r.proposals),
                    res.get_status_display(), f"{res.scheme.key} v{res.scheme.version}"])
    return headers, out


@replica_reads
@login_required
def campaign_export(request: HttpRequest, pk: int) -> HttpResponse:
    _staff(request)
    campaign = campaign_selectors.campaign_get(request.user, pk)
    headers, rows = _export_rows(selectors.campaign_rows(campaign))
    return xlsx_response(workbook(headers, rows, "评议结果"), f"{campaign.title}-评议结果.xlsx")


@login_required
def meeting_results(request: HttpRequest, pk: int) -> HttpResponse:
    _staff(request)
    meeting = meeting_selectors.meeting_get(request.user, pk)
    subjects = selectors.meeting_subjects(meeting)
    page = paginate(request, subjects)
    first = selectors.meeting_result(meeting)
    view = selectors.result_view(first) if first is not None else None
    return render(request, "appraisal/meeting_results.html", {
        "meeting": meeting, "page": page, "rows": selectors.result_rows(page), "chart": selectors.chart_rows(subjects),
        "thresholds": selectors.satisfaction_thresholds(first.scheme if first else None),
        "alpha": view["alpha"] if view else None, "rater_flags": first.detail.get("meeting", {}).get(
            "rater_flags", []) if first else [],
        "can_manage": can_manage_org(request.user, meeting.campaign.convener),
    })


@replica_reads
@login_required
def meeting_export(request: HttpRequest, pk: int) -> HttpResponse:
    _staff(request)
    meeting = meeting_selectors.meeting_get(request.user, pk)
    headers, rows = _export_rows(selectors.meeting_rows(meeting))
    return xlsx_response(workbook(headers, rows, "评议结果"), f"{meeting.title}-评议结果.xlsx")


@login_required
def subject_result(request: HttpRequest, pk: int) -> HttpResponse:
    subject, result, full = selectors.subject_get(request.user, pk)
    view = selectors.result_view(result) if result is not None else None
    rates = [{"name": _("满意率"), **view["satisfaction"]}, {"name": _("不满意率"), **view["dissatisfaction"]}] \
        if view is not None else []
    return render(request, "appraisal/subject_result.html", {
        "subject": subject, "campaign": subject.campaign, "result": result, "view": view, "full": full, "rates": rates,
        "proposals": subject.proposals.order_by("action") if full else [],
        "thresholds": selectors.satisfaction_thresholds(result.scheme if result else None),
        "publication": views_review.withdraw_panel(request.user, subject, result) if full else None,
        "explanation": explanations.result_explanation(result) if full and result is not None else "",
    })


# ---------------------------------------------------------------------------------------------------------------
# Proposals


@login_required
def proposal_list(request: HttpRequest) -> HttpResponse:
    _staff(request)
    status = request.GET.get("status", ActionProposal.Status.PENDING)
    action = request.GET.get("action", "")
    campaign = request.GET.get("campaign", "")
    items = selectors.proposals(request.user, status=status, action=action,
                                campaign=int(campaign) if campaign.isdigit() else None)
    items = paginate(request, items)
    return render(request, "appraisal/proposals.html", {
        "proposals": items, "page": items, "status": status, "action": action, "campaign": campaign,
        "statuses": PROPOSAL_STATUSES, "actions": PROPOSAL_ACTIONS, "form": DecisionForm(),
    })


@login_required
@require_POST
def proposal_decide(request: HttpRequest, pk: int) -> HttpResponse:
    _staff(request)
    proposal = selectors.proposal_get(request.user, pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        note = form.cleaned_data["note"]
        try:
            if form.cleaned_data["decision"] == "confirm":
                services.proposal_confirm(actor=request.user, proposal=proposal, note=note)
                messages.success(request, _("已确认：%(org)s · %(action)s") % {
                    "org": proposal.subject.organization.display_name, "action": proposal.get_action_display()})
            else:
                services.proposal_dismiss(actor=request.user, proposal=proposal, note=note)
                messages.success(request, _("已不采纳：%(org)s · %(action)s") % {
                    "org": proposal.subject.organization.display_name, "action": proposal.get_action_display()})
        except (ValidationError, PermissionDenied) as exc:
            flash_errors(request, exc)
    return redirect(safe_next(request, "appraisal_proposals"))


# ---------------------------------------------------------------------------------------------------------------
# Schemes


@login_required
def scheme_list(request: HttpRequest) -> HttpResponse:
    _staff(request)
    page = paginate(request, selectors.latest_scheme_rows())
    # Before any result is computed the default is not stored yet; it is still a scheme to see and copy.
    schemes = selectors.with_unstored_default(list(page.object_list)) if page.number == 1 else page.object_list
    return render(request, "appraisal/schemes.html", {"page": page, "schemes": [
        (s, permissions.can_edit_scheme(request.user, s.organization)) for s in schemes]})


@login_required
def scheme_detail(request: HttpRequest, key: str) -> HttpResponse:
    _staff(request)
    versions = selectors.scheme_versions(key)
    shown = versions[0]
    if request.GET.get("v", "").isdigit():
        shown = next((v for v in versions if v.version == int(request.GET["v"])), shown)
    return render(request, "appraisal/scheme_detail.html", {
        "versions": versions, "scheme": shown, "data": shown.data,
        "can_edit": permissions.can_edit_scheme(request.user, shown.organization)})


def _scheme_form_page(request: HttpRequest, base: ScoringScheme, new: bool) -> HttpResponse:
    form = SchemeForm(request.POST or None, data_in=base.data, user=request.user, new=new)
    if request.method == "POST" and form.is_valid():
        key = form.cleaned_data["key"].strip() if new else base.key
        if new and ScoringScheme.objects.filter(key=key).exists():
            form.add_error("key", _("方案编号“%(key)s”已被使用") % {"key": key})
        else:
            try:
                row = services.scheme_save(actor=request.user, key=key, data=form.scheme_data(),
                                           organization=form.cleaned_data.get("organization") if new else None)
            except ValidationError as exc:
                for m in error_messages(exc):
                    form.add_error(None, m)
            else:
                messages.success(request, _("已保存为第 %(v)d 版。已计算的结果仍按原版本，重新计算后才按新版本")
                                 % {"v": row.version})
                return redirect("appraisal_scheme", key=row.key)
    return render(request, "appraisal/scheme_form.html", {"form": form, "base": base, "new": new},
                  status=400 if request.method == "POST" else 200)


@login_required
def scheme_edit(request: HttpRequest, key: str) -> HttpResponse:
    _staff(request)
    base = selectors.scheme_versions(key)[0]
    if not permissions.can_edit_scheme(request.user, base.organization):
        raise PermissionDenied(_("您无权修改该评分方案；可以“以此为基础新建”自己的方案"))
    return _scheme_form_page(request, base, new=False)


@login_required
def scheme_new(request: HttpRequest) -> HttpResponse:
    _staff(request)
    base = selectors.scheme_versions(request.GET.get("from") or selectors.DEFAULT_KEY)[0]
    return _scheme_form_page(request, base, new=True)


# ---------------------------------------------------------------------------------------------------------------
# Annual assessment


def _year(request: HttpRequest, years: list[int]) -> int:
    text = request.GET.get("year", "")
    if text.isdigit():
        return int(text)
    return years[0] if years else timezone.localdate().year


@login_required
def annual_list(request: HttpRequest) -> HttpResponse:
    _staff(request)
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
    _staff(request)
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
    _staff(request)
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
