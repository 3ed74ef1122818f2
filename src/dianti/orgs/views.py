"""Organization and people pages: parse → authorize (through selectors) → render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dianti.core import excel
from dianti.core import exports as core_exports
from dianti.core.dbrouter import replica_reads
from dianti.core.imports import import_page
from dianti.core.pagination import paginate

from . import channels, exports, importers, selectors
from .models import PersonChannel
from .permissions import can_manage_org, can_see_full_phone


@login_required
def tree(request: HttpRequest) -> HttpResponse:
    roots = selectors.top_orgs(request.user)
    nodes = [(root, selectors.tree_children(request.user, root)) for root in roots]
    return render(request, "orgs/tree.html", {"nodes": nodes})


@login_required
def tree_children(request: HttpRequest, code: str) -> HttpResponse:
    org = selectors.org_get(request.user, code)
    return render(request, "orgs/_children.html", {
        "org": org, "children": selectors.tree_children(request.user, org, request.GET.get("page"))})


@login_required
def search(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")
    results = paginate(request, selectors.org_search_rows(request.user, q))
    partial = bool(request.headers.get("HX-Request"))
    return render(request, "orgs/_search_results.html" if partial else "orgs/search.html", {
        "q": q, "results": results, "page": results, "hx_target": "#search-results" if partial else ""})


@login_required
def org_detail(request: HttpRequest, code: str) -> HttpResponse:
    org = selectors.org_get(request.user, code)
    members = paginate(request, selectors.org_members(org))
    return render(request, "orgs/org_detail.html", {
        "org": org,
        "breadcrumbs": selectors.org_breadcrumbs(request.user, org),
        "children": selectors.tree_children(request.user, org),
        "members": members,
        "roles": selectors.org_roles(org),
        "points": org.points.all(),
        "can_manage": can_manage_org(request.user, org),
        "full_phone": can_see_full_phone(request.user, org.secretary) if org.secretary else False,
    })


@login_required
def people_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")
    org = selectors.org_get(request.user, request.GET["org"]) if request.GET.get("org") else None
    people = selectors.people_search(request.user, q, org)
    if request.GET.get("format") == "xlsx":
        return exports.people_xlsx(request.user, people)
    page = paginate(request, people)
    return render(request, "orgs/people_list.html", {"page": page, "q": q, "org": org})


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_get(request.user, pk)
    return render(request, "orgs/person_detail.html", {
        "person": person,
        "memberships": selectors.person_memberships(request.user, person),
        "full_phone": can_see_full_phone(request.user, person),
        "channels": channels.channels_of(person), "media": PersonChannel.Medium.choices,
        "deliveries": channels.deliveries_of(person),
        "can_manage": can_manage_org(request.user, person.organization),
    })


@replica_reads
@login_required
def export_orgs(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")
    orgs = selectors.org_matches(request.user, q).order_by("depth", "path")
    return core_exports.deliver(request, rows=orgs.count(), make=lambda: exports.orgs_xlsx(orgs), kind="export.orgs",
                                title=_("导出组织名册"), params={"q": q})


@login_required
def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    spec = importers.SPECS.get(kind)
    if spec is None:
        return HttpResponse(status=404)
    return excel.xlsx_response(excel.template(spec.columns, spec.example), f"{spec.title}导入模板.xlsx")


@login_required
def import_upload(request: HttpRequest) -> HttpResponse:
    return import_page(
        request, submit=lambda upload: importers.import_submit(actor=request.user, kind=request.POST.get("kind", ""),
                                                               upload=upload),
        page={"title": _("导入"), "heading": _("导入组织与人员"),
              "kinds": [(key, spec.title) for key, spec in importers.SPECS.items()],
              "templates": [(reverse("org_import_template", args=[key]), _("下载%(t)s模板") % {"t": spec.title})
                            for key, spec in importers.SPECS.items()],
              "help": [_("先下载模板，按模板填写后上传。支持 .xlsx 与 .csv（UTF-8 或 GBK 编码）。导入要么全部成功，要么一条也不写入："
                         "有任何问题都会列出行号、列名和原因。")]})


@login_required
@require_POST
def person_channel(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff record, verify, or stop and resume a person's channel (one form per action on the person's page)."""
    person = selectors.person_get(request.user, pk)
    action, medium = request.POST.get("action", ""), request.POST.get("medium", "")
    try:
        if action == "set":
            channels.person_channel_set(actor=request.user, person=person, medium=medium,
                                        address=request.POST.get("address", ""),
                                        verified=request.POST.get("verified") == "1")
            messages.success(request, _("已保存通知渠道"))
        else:
            _channel_act(request, get_object_or_404(person.channels, medium=medium), action)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("person_detail", pk=person.pk)


@login_required
def my_channels(request: HttpRequest) -> HttpResponse:
    """One's own channels: confirm a contact staff recorded, stop or resume messages on it."""
    person = getattr(request.user, "person", None)
    if request.method == "POST" and person is not None:
        try:
            _channel_act(request, get_object_or_404(person.channels, medium=request.POST.get("medium", "")),
                         request.POST.get("action", ""))
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        return redirect("my_channels")
    return render(request, "orgs/my_channels.html", {
        "person": person, "channels": channels.channels_of(person) if person else [],
        "deliveries": channels.deliveries_of(person, 10) if person else []})


def _channel_act(request: HttpRequest, channel: PersonChannel, action: str) -> None:
    if action == "verify":
        channels.person_channel_verify(actor=request.user, channel=channel)
        messages.success(request, _("已核实"))
    elif action in ("opt_out", "opt_in"):
        channels.person_channel_opt(actor=request.user, channel=channel, opted_out=action == "opt_out")
        messages.success(request, _("已退订，不再通过该渠道发送") if action == "opt_out" else _("已恢复接收"))
    else:
        raise ValidationError(_("未知的操作"))
