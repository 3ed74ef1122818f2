"""Staff and secretary pages of 整改: the list (by town / state / overdue, Excel), opening and issuing, the case page
with its timeline, the 三责联诺 form, progress reports, supervision visits and the notice downloads."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dianti.campaigns import selectors as campaign_selectors
from dianti.core.dbrouter import replica_reads
from dianti.core.http import error_messages, file_response, flash_errors
from dianti.core.pagination import paginate

from . import documents, exports, permissions, selectors, services, states
from .forms import BatchOpenForm, CommitmentForm, NoteForm, OpenForm, ProgressForm, SupervisionForm
from .models import Case, Evidence, Measure, State


def _form_errors(form: Any, exc: ValidationError) -> None:
    for field, msgs in getattr(exc, "message_dict", {"__all__": exc.messages}).items():
        for m in msgs:
            form.add_error(field if field in form.fields else None, m)


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    f = selectors.CaseFilters.from_query(request.GET)
    qs = selectors.case_list(request.user, f)
    if request.GET.get("format") == "xlsx":
        return exports.cases_xlsx(qs[:20000])
    visible = selectors.visible_cases(request.user)
    return render(request, "rectification/list.html", {
        "page": paginate(request, qs), "f": f, "states": State.choices,
        "towns": selectors.towns(request.user), "by_town": selectors.by_town(visible),
        "avg_days": selectors.average_days_to_close(qs), "query": request.GET.urlencode(),
        "campaigns": selectors.campaigns_in_rectification(request.user),
    })


@login_required
def campaign_cases(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """A campaign's subjects with their confirmed 整改通知 proposals and cases: open one from each, or by hand."""
    campaign = campaign_selectors.campaign_get(request.user, campaign_id)
    permissions.ensure_can_open_cases(request.user, campaign)
    if request.method == "POST":
        form = BatchOpenForm(request.POST)
        if form.is_valid():
            try:
                made = services.cases_open_from_proposals(actor=request.user, campaign=campaign,
                                                          deadline=form.cleaned_data["deadline"])
            except (ValidationError, PermissionDenied) as exc:
                flash_errors(request, exc)
            else:
                messages.success(request, _("已依据处置建议开立 %(n)d 项整改（拟定中），请逐项核对问题后下发") % {"n": len(made)})
        return redirect("rectification_campaign", campaign_id=campaign.pk)
    return render(request, "rectification/campaign.html", {
        "campaign": campaign, "rows": (page := paginate(request, selectors.subjects_for_opening(campaign))), "page": page,
        "pending": selectors.proposals_without_case(campaign).count(),
        "form": BatchOpenForm(),
    })


@login_required
def case_open(request: HttpRequest, subject_id: int) -> HttpResponse:
    from dianti.appraisal.models import ActionProposal
    from dianti.campaigns.models import Subject

    subject = Subject.objects.select_related("campaign", "campaign__convener", "organization").filter(
        pk=subject_id).first()
    if subject is None or not permissions.can_open_cases(request.user, subject.campaign):
        raise Http404(_("找不到该述职对象，或您无权为其开立整改"))
    proposal = ActionProposal.objects.filter(subject=subject, status=ActionProposal.Status.CONFIRMED,
                                             action=ActionProposal.Action.RECTIFICATION).first()
    initial = {"problems": proposal.reason if proposal else ""}
    form = OpenForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            case = services.case_open(actor=request.user, subject=subject, problems=d["problems"],
                                      requirements=d["requirements"], deadline=d["deadline"], proposal=proposal)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("整改已开立（拟定中）。核对无误后请下发整改通知单"))
            return redirect("rectification_case", pk=case.pk)
    return render(request, "rectification/open.html", {"form": form, "subject": subject, "proposal": proposal})


@login_required
def case_edit(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(request.user, pk)
    permissions.ensure_can_manage_case(request.user, case)
    initial = {"problems": "\n".join(case.problems.values_list("text", flat=True)),
               "requirements": case.requirements, "deadline": case.deadline}
    form = OpenForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.case_draft_update(actor=request.user, case=case, problems=d["problems"],
                                       requirements=d["requirements"], deadline=d["deadline"])
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            return redirect("rectification_case", pk=case.pk)
    return render(request, "rectification/open.html", {"form": form, "subject": case.subject, "case": case})


def _role(user: Any, case: Case) -> dict[str, bool]:
    return {"manager": permissions.can_manage_case(user, case), "secretary": permissions.is_case_secretary(user, case),
            "supervisor": permissions.can_supervise(user, case)}


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(request.user, pk)
    role = _role(request.user, case)
    moves = states.available(case, request.user, states.MANAGER) if role["manager"] else []
    return render(request, "rectification/detail.html", {
        "case": case, "role": role, "moves": [m for m in moves if m.name != "issue"],
        "waiting": selectors.moves_waiting(case, request.user) if role["manager"] else [],
        "secretary_moves": states.available(case, request.user, states.SECRETARY) if role["secretary"] else [],
        "problems": selectors.measures(case), "mechanisms": list(case.mechanisms.all()),
        "supervisions": list(case.supervisions.select_related("point")),
        "observations": list(case.observations.all()[:50]), "events": selectors.events(case),
        "percent": selectors.progress_percent(case), "form": NoteForm(),
        "today": timezone.localdate(),
    })


@login_required
def case_timeline(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(request.user, pk)
    return render(request, "rectification/timeline.html", {"case": case, "events": selectors.events(case)})




@login_required
@require_POST
def case_action(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    case = selectors.case_get(request.user, pk)
    form = NoteForm(request.POST)
    if name not in services.CASE_ACTIONS:
        raise Http404(_("没有这个操作"))
    if not form.is_valid():
        flash_errors(request, ValidationError(form.errors.as_data().get("deadline", [_("请检查填写的内容")])[0]))
        return redirect("rectification_case", pk=case.pk)
    d = form.cleaned_data
    try:
        services.case_act(actor=request.user, case=case, name=name, note=d["note"], deadline=d["deadline"])
    except (ValidationError, PermissionDenied) as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("已%(move)s") % {"move": states.MOVES[name].label})
    return redirect("rectification_case", pk=case.pk)


@login_required
def commitment(request: HttpRequest, pk: int) -> HttpResponse:
    """The secretary's 三责联诺, made for a phone: one card per problem, its measures below it."""
    case = selectors.case_get(request.user, pk)
    permissions.ensure_is_secretary(request.user, case)
    form = CommitmentForm(case, request.POST if request.method == "POST" else None)
    if request.method == "POST" and not form.adding:
        measures = form.measures()
        if not form.errors:
            try:
                services.commitment_submit(actor=request.user, case=case, measures=measures,
                                           mechanisms=form.mechanisms, pledge=form.pledge)
            except (ValidationError, PermissionDenied) as exc:
                form.errors.extend(error_messages(exc) if isinstance(exc, ValidationError) else [str(exc)])
            else:
                messages.success(request, _("整改承诺已提交，等待党委审核"))
                return redirect("rectification_case", pk=case.pk)
    return render(request, "rectification/commit.html", {"case": case, "form": form},
                  status=400 if form.errors else 200)


@login_required
def progress(request: HttpRequest, measure_id: int) -> HttpResponse:
    measure = Measure.objects.select_related("case", "problem").filter(pk=measure_id).first()
    if measure is None:
        raise Http404(_("找不到该整改措施"))
    case = selectors.case_get(request.user, measure.case_id)
    permissions.ensure_is_secretary(request.user, case)
    form = ProgressForm(request.POST or None, request.FILES or None, initial={"percent": measure.percent})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.progress_report(actor=request.user, measure=measure, percent=d["percent"], text=d["text"],
                                     files=d["files"])
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("进展已报告"))
            return redirect("rectification_case", pk=case.pk)
    return render(request, "rectification/progress.html", {"case": case, "measure": measure, "form": form},
                  status=400 if form.errors else 200)


@login_required
def supervise(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(request.user, pk)
    permissions.ensure_can_supervise(request.user, case)
    form = SupervisionForm(request.POST or None, case=case)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.supervision_add(actor=request.user, case=case, visited_on=d["visited_on"], seen=d["seen"],
                                     rating=d["rating"], point=d["point"])
        except (ValidationError, PermissionDenied) as exc:
            _form_errors(form, exc) if isinstance(exc, ValidationError) else flash_errors(request, exc)
        else:
            messages.success(request, _("督查记录已保存"))
            return redirect("rectification_case", pk=case.pk)
    return render(request, "rectification/supervise.html", {"case": case, "form": form})


@replica_reads
@login_required
def notice(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    case = selectors.case_get(request.user, pk)
    if fmt not in ("docx", "pdf"):
        raise Http404
    content, name = documents.notice_file(case, fmt)
    return file_response(content, name, "pdf" if fmt == "pdf" else "docx", inline=fmt == "pdf")


@login_required
def evidence_file(request: HttpRequest, pk: int) -> HttpResponse:
    item = Evidence.objects.select_related("report__measure").filter(pk=pk).first()
    if item is None:
        raise Http404(_("找不到该文件"))
    selectors.case_get(request.user, item.report.measure.case_id)  # 404 unless the user may see the case
    return FileResponse(item.file.open("rb"), filename=item.name, as_attachment=item.kind != Evidence.Kind.PHOTO)
