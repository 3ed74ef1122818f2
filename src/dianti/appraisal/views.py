"""评议考核 pages of results and proposals: parse → authorize (selectors, services) → call one service → render.
The schemes' pages are :mod:`.views_schemes`, the annual assessment's :mod:`.views_annual`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from dianti.campaigns import selectors as campaign_selectors
from dianti.core import rules
from dianti.core.dbrouter import replica_reads
from dianti.core.excel import workbook, xlsx_response
from dianti.core.http import flash_errors
from dianti.core.pagination import paginate
from dianti.core.redirects import safe_next
from dianti.meetings import selectors as meeting_selectors
from dianti.orgs.permissions import can_manage_org

from . import (
    explanations,
    permissions,
    publication,
    scheme_reads,
    selectors,
    services,
    views_review,
)
from .forms import (
    PROPOSAL_ACTIONS,
    PROPOSAL_STATUSES,
    ComputeForm,
    DecisionForm,
    SchemeChoiceForm,
)
from .models import ActionProposal


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
    return [(s.key, f"{s.name}（{s.key}，第 {s.version} 版）") for s in scheme_reads.latest_schemes()]


@login_required
def campaign_results(request: HttpRequest, pk: int) -> HttpResponse:
    _staff(request)
    campaign = campaign_selectors.campaign_get(request.user, pk)
    subjects = selectors.campaign_subjects(campaign)
    page = paginate(request, subjects)
    current = scheme_reads.scheme_for_campaign(campaign)
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
