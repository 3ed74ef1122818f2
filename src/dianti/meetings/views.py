"""Staff pages of the meeting: schedule, console (codes, reports, paper ballots, questions, close), projector."""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from dianti.campaigns import selectors as campaign_selectors
from dianti.campaigns.permissions import ensure_can_manage_campaign
from dianti.core import rules
from dianti.core.dbrouter import replica_reads
from dianti.core.http import error_messages, file_response, flash_errors
from dianti.core.pagination import paginate
from dianti.voices.posters import qr_svg

from . import documents, paper, permissions, rehearsal, scan_reads, selectors, services
from .forms import ScheduleForm
from .models import AgendaItem, Meeting, PanelGroup, PaperEntry, Question


def _manageable(request: HttpRequest, pk: int) -> Meeting:
    meeting = selectors.meeting_get(request.user, pk)
    permissions.ensure_can_manage_meeting(request.user, meeting)
    return meeting


@login_required
def meeting_list(request: HttpRequest) -> HttpResponse:
    year = request.GET.get("year", "")
    meetings = paginate(request, selectors.visible_meetings(request.user, org=request.GET.get("org", "").strip(),
                                                           year=int(year) if year.isdigit() else None))
    return render(request, "meetings/list.html", {"meetings": meetings, "page": meetings,
                                                  "my_items": selectors.items_for_secretary(request.user)})


@login_required
def schedule(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = campaign_selectors.campaign_get(request.user, campaign_id)
    ensure_can_manage_campaign(request.user, campaign, "只有召集组织的管理员可以安排述职会")
    subjects = campaign_selectors.subjects_of(campaign)
    form = ScheduleForm(request.POST or None, subjects=subjects,
                        initial={"title": _meeting_title(campaign.title), "host": ""})
    chosen = [int(i) for i in request.POST.getlist("subject") if i.isdigit()]
    if request.method == "POST" and form.is_valid():
        by_id = {s.pk: s for s in subjects}
        d = form.cleaned_data
        try:
            meeting = services.meeting_schedule(
                actor=request.user, campaign=campaign, title=d["title"], starts_at=d["starts_at"], venue=d["venue"],
                host=d["host"], subjects=[by_id[i] for i in chosen if i in by_id], groups=form.groups(),
                grades=form.split(d["grades"]), items=form.split(d["items"]), allow_revise=d["allow_revise"],
                minutes_each=d["minutes_each"])
        except ValidationError as exc:
            for m in error_messages(exc):
                form.add_error(None, m)
        else:
            messages.success(request, _("述职会已安排，已通知各位书记。下一步：发放评议码"))
            return redirect("meeting_detail", pk=meeting.pk)
    return render(request, "meetings/schedule.html", {"form": form, "campaign": campaign, "subjects": subjects,
                                                      "chosen": set(chosen) if chosen else {s.pk for s in subjects}})


def _meeting_title(campaign_title: str) -> str:
    """Suggest the meeting's name: 通元镇2020年度…点题述职 becomes …点题述职评议会, not …述职述职评议会."""
    return campaign_title + ("评议会" if campaign_title.endswith("述职") else "述职评议会")


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_get(request.user, pk)
    closed = meeting.status == Meeting.Status.CLOSED
    pending = selectors.paper_pending(meeting)
    can_manage = permissions.can_manage_meeting(request.user, meeting)
    progress = selectors.progress(meeting)
    return render(request, "meetings/detail.html", {
        "meeting": meeting, "agenda": selectors.agenda(meeting), "progress": progress,
        "can_manage": can_manage, "paper_copies": min(max(sum(p.expected for p in progress), 1), paper.MAX_COPIES),
        "questions": selectors.questions_for_moderation(meeting), "results": selectors.results(meeting) if closed else None,
        "groups": list(meeting.groups.all()), "paper": selectors.paper_entries(meeting),
        "pending": pending, "disputes": pending.disputed, "attendance": selectors.attendance_count(meeting),
        "paper_images": scan_reads.scans_of_serial(meeting) if can_manage else {}, "scans_waiting": scan_reads.scans_waiting_count(meeting),
        "rehearsal": None if meeting.is_rehearsal else rehearsal.rehearsal_of(meeting),
        "can_rehearse": rules.allows(request.user, "meeting.rehearsal_start", rehearsal.rules_context(meeting)),
        "public_url": request.build_absolute_uri(reverse("meeting_public", args=[meeting.public_key])),
    })


@login_required
@require_POST
def action(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    meeting = _manageable(request, pk)
    try:
        if name == "open":
            services.meeting_open(actor=request.user, meeting=meeting)
            messages.success(request, _("会议开始，评议人可以投票了"))
        elif name == "close":
            services.meeting_close(actor=request.user, meeting=meeting,
                                   drop_single_entries=request.POST.get("drop_single_entries") == "1")
            messages.success(request, _("投票已截止，结果已生成"))
        elif name == "current":
            item_id = request.POST.get("item", "")
            item = AgendaItem.objects.get(pk=int(item_id) if item_id.isdecimal() else 0, meeting=meeting)
            services.meeting_set_current(actor=request.user, meeting=meeting, item=item)
        elif name == "attendance":
            unnamed = request.POST.get("unnamed", "").strip()
            n = services.attendance_add(actor=request.user, meeting=meeting,
                                        names=request.POST.get("names", "").replace("，", "\n").splitlines(),
                                        role=request.POST.get("role", ""),
                                        unnamed=int(unnamed) if unnamed.isascii() and unnamed.isdigit() else 0)
            messages.success(request, ngettext("已登记 %(n)d 人", "已登记 %(n)d 人", n) % {"n": n})
        else:
            return HttpResponse(status=404)
    except (ValidationError, PermissionDenied) as exc:
        flash_errors(request, exc)
    except AgendaItem.DoesNotExist:
        flash_errors(request, ValidationError(_("请选择议程中的述职对象")))
    return redirect("meeting_detail", pk=meeting.pk)


@login_required
@require_POST
def codes(request: HttpRequest, pk: int) -> HttpResponse:
    """Issue fresh codes and hand back the slips at once: the printout is the only copy of the codes."""
    meeting = _manageable(request, pk)
    try:
        issued = services.codes_issue(actor=request.user, meeting=meeting)
    except ValidationError as exc:
        flash_errors(request, exc)
        return redirect("meeting_detail", pk=meeting.pk)
    # The code rides in the URL fragment, which browsers never send: it stays out of server and proxy logs.
    entry = request.build_absolute_uri(reverse("evaluator_enter_form"))
    pdf = documents.slips_pdf(meeting=meeting, codes=issued, url_for=lambda code: f"{entry}#{code}")
    return file_response(pdf, f"evaluator-slips-{meeting.pk}.pdf", "pdf")


@login_required
def paper_ballots(request: HttpRequest, pk: int) -> HttpResponse:
    """Print ``copies`` paper ballots with serials drawn for them now (recorded: a later printing never repeats one)."""
    meeting = _manageable(request, pk)
    copies_text = request.GET.get("copies", "").strip()
    try:
        serials = services.paper_serials_issue(actor=request.user, meeting=meeting,
                                               copies=int(copies_text) if copies_text.isdecimal() else
                                               0 if copies_text else 20)  # not a count: refused, saying why
    except ValidationError as exc:
        flash_errors(request, exc)
        return redirect("meeting_detail", pk=meeting.pk)
    return file_response(documents.paper_ballots_pdf(meeting=meeting, serials=serials),
                         f"paper-ballots-{meeting.pk}.pdf", "pdf")


@login_required
@require_POST
def paper_entry(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _manageable(request, pk)
    try:
        group = PanelGroup.objects.get(pk=int(request.POST.get("group", "0")), meeting=meeting)
        serial = int(request.POST.get("serial", "0"))
        grades = {item.pk: request.POST.get(f"grade_{item.pk}", "") for item in meeting.agenda.all()}
        outcome = services.paper_enter(actor=request.user, meeting=meeting, group=group, serial=serial, grades=grades)
    except (ValidationError, ValueError, PanelGroup.DoesNotExist) as exc:
        flash_errors(request, exc if isinstance(exc, ValidationError) else ValidationError("请填写选票编号并选择评议人类别"))
    else:
        text = {"waiting": f"编号 {serial} 已录入，等待第二位录入员核对",
                "accepted": f"编号 {serial} 两次录入一致，已计入",
                "mismatch": f"编号 {serial} 两次录入不一致，请对照纸质选票核对"}[outcome]
        (messages.success if outcome != "mismatch" else messages.warning)(request, text)
    return redirect(reverse("meeting_detail", args=[meeting.pk]) + "#paper")


@login_required
@require_POST
def paper_resolve(request: HttpRequest, pk: int, serial: int) -> HttpResponse:
    meeting = _manageable(request, pk)
    entry = PaperEntry.objects.filter(pk=request.POST.get("entry") or 0, meeting=meeting, serial=serial).first()
    if entry is None:
        messages.error(request, _("请选择与纸质选票一致的那次录入"))
    else:
        try:
            services.paper_resolve(actor=request.user, meeting=meeting, serial=serial, entry=entry)
        except ValidationError as exc:
            flash_errors(request, exc)
        else:
            messages.success(request, _("编号 %(serial)s 已按核对结果计入") % {"serial": serial})
    return redirect(reverse("meeting_detail", args=[meeting.pk]) + "#paper")


@login_required
@require_POST
def question_moderate(request: HttpRequest, pk: int, qid: int) -> HttpResponse:
    meeting = _manageable(request, pk)
    question = Question.objects.filter(pk=qid, meeting=meeting).first()
    if question is None:
        return HttpResponse(status=404)
    try:
        services.question_moderate(actor=request.user, question=question, action=request.POST.get("action", ""),
                                   answer=request.POST.get("answer", ""))
    except ValidationError as exc:
        flash_errors(request, exc)
    return redirect(reverse("meeting_detail", args=[meeting.pk]) + "#questions")


@replica_reads
@login_required
def minutes(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_get(request.user, pk)
    if meeting.status != Meeting.Status.CLOSED:
        messages.error(request, _("会议结束后才能生成会议纪要"))
        return redirect("meeting_detail", pk=meeting.pk)
    content = documents.minutes_docx(meeting=meeting, results=selectors.results(meeting))
    return file_response(content, f"minutes-{meeting.pk}.docx", "docx")


@login_required
def screen(request: HttpRequest, pk: int) -> HttpResponse:
    """The projector page: the current secretary, their topic and its voices, questions, and ballot progress."""
    meeting = selectors.meeting_get(request.user, pk)
    context = _screen_context(meeting)
    if request.headers.get("HX-Request"):
        return render(request, "meetings/_screen_live.html", context)
    # The hall's QR code never changes during the meeting: drawn once with the page, not on every poll.
    public_url = request.build_absolute_uri(reverse("meeting_public", args=[meeting.public_key]))
    return render(request, "meetings/screen.html", {**context, "public_url": public_url,
                                                    "qr": _scalable(qr_svg(public_url))})


def _scalable(svg: str) -> str:
    """Give segno's fixed-size SVG a viewBox, so CSS can size the QR code to the screen instead of cropping it."""
    size = re.search(r'width="(\d+)" height="(\d+)"', svg)
    return svg.replace("<svg ", f'<svg viewBox="0 0 {size[1]} {size[2]}" ', 1) if size else svg


def _screen_context(meeting: Meeting) -> dict[str, object]:
    item = meeting.current_item
    voices = []
    if item is not None:
        source = getattr(item.subject, "topic_source", None)
        if source is not None and source.topic_id:
            voices = list(source.topic.opinions.filter(status="visible").order_by("-supports")[:4])
    agenda = meeting.agenda.select_related("subject", "subject__organization").order_by("order")
    return {"meeting": meeting, "item": item, "voices": voices,
            "progress": selectors.progress(meeting),
            "questions": selectors.questions_for_screen(meeting), "total": agenda.count(),
            "next_item": agenda.filter(order__gt=item.order).first() if item else None}


@login_required
def report_upload(request: HttpRequest, item_id: int) -> HttpResponse:
    item = AgendaItem.objects.select_related("meeting", "subject", "subject__secretary").filter(pk=item_id).first()
    if item is None:
        raise Http404("找不到该述职会，或您无权查看")
    if not permissions.is_item_secretary(request.user, item):
        # Before anything else, so an item out of scope answers exactly like a missing one, for a POST too.
        selectors.meeting_get(request.user, item.meeting_id)
    if request.method == "POST":
        try:
            services.report_upload(actor=request.user, item=item, upload=request.FILES.get("report"))
        except (ValidationError, PermissionDenied) as exc:
            flash_errors(request, exc)
        except AttributeError:
            messages.error(request, _("请选择要上传的报告文件"))
        else:
            messages.success(request, _("述职报告已上传"))
            return redirect("meeting_report", item_id=item.pk)
    return render(request, "meetings/report.html", {"item": item})
