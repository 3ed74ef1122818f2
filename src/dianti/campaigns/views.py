"""Campaign pages: parse → authorize (selectors, services) → call one service → render."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from dianti.core import rules
from dianti.core.dbrouter import replica_reads
from dianti.core.excel import workbook, xlsx_response
from dianti.core.http import error_messages, flash_errors
from dianti.core.imports import import_page
from dianti.core.pagination import paginate
from dianti.core.scope import scope_for
from dianti.orgs import selectors as org_selectors
from dianti.orgs.models import Organization
from dianti.orgs.permissions import can_manage_org

from . import heat, importers, permissions, phases, roster, selectors, services
from .forms import CATEGORY_CHOICES, CampaignEditForm, CampaignForm, ResponsibilityForm, TopicForm
from .models import Campaign, Phase


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    year, org = request.GET.get("year", ""), request.GET.get("org", "").strip()
    listed = selectors.visible_campaigns(request.user, int(year) if year.isdigit() else None, org)
    behind = bool(request.GET.get("behind"))
    if behind:  # the 待办 item "另有 N 项下级述职活动进度滞后" leads here
        listed = listed.filter(pk__in=[c.pk for c in selectors.behind_schedule(request.user)])
    campaigns = paginate(request, listed)
    return render(request, "campaigns/campaign_list.html", {"campaigns": campaigns, "page": campaigns, "year": year,
                                                            "org": org, "behind": behind,
                                                            "can_create": permissions.can_create_campaign(request.user)})


@login_required
def campaign_create(request: HttpRequest) -> HttpResponse:
    permissions.ensure_can_create_campaign(request.user)
    form = CampaignForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_create(actor=request.user, **form.service_kwargs())
        except ValidationError as exc:
            for m in error_messages(exc):
                form.add_error(None, m)
        else:
            messages.success(request, _("已创建“%(title)s”，下一步：点名述职对象") % {"title": campaign.title})
            return redirect("subjects_choose", pk=campaign.pk)
    return render(request, "campaigns/campaign_form.html", {"form": form})


@login_required
def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = selectors.campaign_get(request.user, pk)
    form = CampaignEditForm(request.POST or None, campaign=campaign)
    if request.method == "POST" and form.is_valid():
        try:
            services.campaign_update(actor=request.user, campaign=campaign, **form.service_kwargs())
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, "；".join(error_messages(exc)) if isinstance(exc, ValidationError) else str(exc))
        else:
            reheat = any(f.startswith("heat_") for f in form.changed_data)
            messages.success(request, _("已保存。话题热度正在后台按新权重重算") if reheat else _("已保存"))
            return redirect("campaign_detail", pk=campaign.pk)
    county = heat.county_of(campaign.org_path)
    return render(request, "campaigns/campaign_edit.html", {
        "form": form, "campaign": campaign, "county": county,
        # A town admin reads the county's knobs in each field's help text; the county's page is outside their scope.
        "county_visible": county is not None and scope_for(request.user).can_view_path(county.path)})


@login_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = selectors.campaign_get(request.user, pk)
    rows, totals = selectors.rollup(campaign)
    return render(request, "campaigns/campaign_detail.html", {
        "campaign": campaign,
        "subjects": paginate(request, selectors.subjects_of(campaign)),
        "counts": selectors.own_counts(campaign),
        "rollup": rows, "totals": totals,
        "moves": phases.available(request.user, campaign),
        "can_manage": permissions.can_manage_campaign(request.user, campaign),
        "list_rule": _list_rule(request.user, campaign),
        "phases": _phase_rows(campaign),
        "meetings": campaign.meetings.order_by("starts_at"),
    })


def _list_rule(user: Any, campaign: Campaign) -> dict[str, Any]:
    """Who may approve or return the list (core/rules.py), and whether this user may, for the page to say."""
    ctx = roster.list_context(campaign)
    return {"approver": rules.who("campaign.list_approve", ctx),
            "may_approve": rules.allows(user, "campaign.list_approve", ctx),
            "may_return": rules.allows(user, "campaign.list_return", ctx),
            "refusal": rules.refusal(user, "campaign.list_approve", ctx)}


def _phase_rows(campaign: object) -> list[tuple[str, dt.date | None, str]]:
    """Return (phase, deadline, state) per phase; deadlines as dates so the page shows them in the user's locale."""
    current = Phase.values.index(campaign.phase)  # type: ignore[attr-defined]
    deadlines = campaign.deadlines  # type: ignore[attr-defined]
    return [(str(p.label), _as_date(deadlines.get(p.value)),
             "done" if i < current else "current" if i == current else "")
            for i, p in enumerate(Phase)]


def _as_date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@login_required
def subjects_choose(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = selectors.campaign_get(request.user, pk)
    permissions.ensure_can_manage_campaign(request.user, campaign, "只有召集组织的管理员可以点名")
    errors: list[str] = []
    posted = request.POST if request.method == "POST" else None
    if posted is not None:
        try:
            made = services.subjects_choose(actor=request.user, campaign=campaign,
                                            choices=_choices_from_post(request, campaign))
        except ValidationError as exc:
            errors = error_messages(exc)
        else:
            messages.success(request, ngettext("已点名 %(n)d 个述职对象", "已点名 %(n)d 个述职对象", len(made))
                             % {"n": len(made)})
            return redirect("campaign_detail", pk=campaign.pk)
    return render(request, "campaigns/choose.html", {
        "campaign": campaign, "errors": errors, "categories": CATEGORY_CHOICES, "posted": posted,
        "candidates": selectors.candidates(campaign, request.GET.get("q", ""), request.GET.get("field", ""),
                                           bool(request.GET.get("suggested"))),
        "fields": [(v, label) for v, label in Organization.Field.choices
                   if not campaign.candidate_fields or v in campaign.candidate_fields],
    }, status=400 if errors else 200)


def _choices_from_post(request: HttpRequest, campaign: object) -> list[services.Choice]:
    ids = [int(i) for i in request.POST.getlist("org") if i.isdigit()]
    bulk_category = request.POST.get("bulk_category", "")
    bulk_reason = request.POST.get("bulk_reason", "").strip()
    orgs = {o.pk: o for o in Organization.objects.filter(pk__in=ids).select_related("secretary")}
    choices = []
    for oid in ids:
        if oid not in orgs:
            continue
        category = request.POST.get(f"category_{oid}") or bulk_category
        reason = request.POST.get(f"reason_{oid}", "").strip() or bulk_reason
        choices.append(services.Choice(orgs[oid], category, reason))
    return choices


@login_required
@require_POST
def subject_edit(request: HttpRequest, pk: int, sid: int) -> HttpResponse:
    campaign = selectors.campaign_get(request.user, pk)
    subject = selectors.subject_get(request.user, campaign, sid)
    try:
        if request.POST.get("remove"):
            services.subject_remove(actor=request.user, subject=subject)
            messages.success(request, _("已移出名单：%(org)s") % {"org": subject.organization.display_name})
        else:
            services.subject_update(actor=request.user, subject=subject, category=request.POST.get("category", ""),
                                    reason=request.POST.get("reason", ""))
            messages.success(request, _("已保存"))
    except ValidationError as exc:
        flash_errors(request, exc)
    return redirect("campaign_detail", pk=campaign.pk)


@login_required
@require_GET
def subject_topic(request: HttpRequest, pk: int, sid: int) -> HttpResponse:
    """The campaign page's topic form. It posts to the topic workbench's decision (``voices_assign``), the one door
    that records where the topic came from and tells the secretary and the villagers behind it."""
    campaign = selectors.campaign_get(request.user, pk)
    subject = selectors.subject_get(request.user, campaign, sid)
    permissions.ensure_can_manage_campaign(request.user, campaign, "只有召集组织的管理员可以为述职对象点题")
    form = TopicForm(initial={"text": subject.topic})
    responsibilities = subject.organization.responsibilities.filter(year=campaign.year)
    return render(request, "campaigns/topic_form.html", {"campaign": campaign, "subject": subject, "form": form,
                                                         "responsibilities": responsibilities})


LIST_ACTIONS = {"submit": roster.list_submit, "approve": roster.list_approve, "return": roster.list_return}


@login_required
@require_POST
def list_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    campaign = selectors.campaign_get(request.user, pk)
    service = LIST_ACTIONS.get(action)
    if service is None:
        return HttpResponse(status=404)
    try:
        if action == "return":
            roster.list_return(actor=request.user, campaign=campaign, note=request.POST.get("note", ""))
        else:
            service(actor=request.user, campaign=campaign)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, {"submit": _("名单已提交审批"), "approve": _("名单已审批并公示，已通知被点名的书记"),
                                   "return": _("名单已退回修改")}[action])
    return redirect("campaign_detail", pk=campaign.pk)


@login_required
@require_POST
def phase_move(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = selectors.campaign_get(request.user, pk)
    try:
        services.phase_move(actor=request.user, campaign=campaign, to=request.POST.get("to", ""),
                            note=request.POST.get("note", ""))
    except (ValidationError, PermissionDenied) as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("已进入“%(phase)s”阶段") % {"phase": campaign.get_phase_display()})
    return redirect("campaign_detail", pk=campaign.pk)


@login_required
def my_campaigns(request: HttpRequest) -> HttpResponse:
    return render(request, "campaigns/mine.html", {"subjects": selectors.my_subjects(request.user)})


@replica_reads
@login_required
def campaigns_export(request: HttpRequest) -> HttpResponse:
    rows = ((c.year, c.title, c.convener.name, c.get_phase_display(), c.get_list_status_display(), c.n_subjects)
            for c in selectors.visible_campaigns(request.user))
    return xlsx_response(workbook(("年度", "活动名称", "召集组织", "阶段", "名单状态", "述职对象数"), rows, "述职活动"),
                         "述职活动.xlsx")


@replica_reads
@login_required
def subjects_export(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = selectors.campaign_get(request.user, pk)
    rows = ((i, s.organization.code, s.organization.name, s.secretary_name, s.get_category_display(), s.reason,
             s.topic, s.get_status_display(), s.score, s.get_rectification_display())
            for i, s in enumerate(selectors.subjects_of(campaign), start=1))
    headers = ("序号", "组织编码", "组织", "书记", "点名类别", "点名理由", "述职题目", "状态", "评议得分", "整改")
    return xlsx_response(workbook(headers, rows, "述职对象"), f"{campaign.title}-述职对象.xlsx")


@login_required
def responsibility_list(request: HttpRequest, code: str) -> HttpResponse:
    org = org_selectors.org_get(request.user, code)
    form = ResponsibilityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.responsibility_add(actor=request.user, organization=org, **form.cleaned_data)
        messages.success(request, _("已添加责任事项"))
        return redirect("responsibility_list", code=org.code)
    return render(request, "campaigns/responsibilities.html", {
        "org": org, "items": (page := paginate(request, selectors.responsibilities(org))), "page": page, "form": form,
        "can_manage": can_manage_org(request.user, org)})


@login_required
def responsibility_import(request: HttpRequest) -> HttpResponse:
    return import_page(
        request, submit=lambda upload: importers.responsibility_import_submit(actor=request.user, upload=upload),
        template=lambda: xlsx_response(workbook(importers.COLUMNS, importers.EXAMPLE, "导入"), "党建责任清单导入模板.xlsx"),
        page={"title": _("导入党建责任清单"), "templates": [("?template=1", _("下载模板"))],
              "help": [_("按模板填写组织编码、年度、责任事项和具体内容。导入要么全部成功，要么一条也不写入。")]})


