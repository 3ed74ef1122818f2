"""Staff pages for paper ballots read by the machine: upload scans or photos, look at each sheet beside its image,
decide what the reader flagged, confirm (one entry of the double entry), and open any kept image."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from dianti.core.http import flash_errors

from . import rehearsal, scan_reads, scans, selectors
from .models import PanelGroup, PaperScan
from .views import _manageable

OUTCOMES = {
    "waiting": gettext_lazy("编号 %(serial)s 已确认为第一次录入，等待第二位录入员录入或确认另一次扫描"),
    "accepted": gettext_lazy("编号 %(serial)s 两次录入一致，已计入"),
    "mismatch": gettext_lazy("编号 %(serial)s 两次录入不一致，请在纸质选票区对照选票核对"),
    "counted": gettext_lazy("编号 %(serial)s 已经计入，这是重复扫描，不会再计"),
    "again": gettext_lazy("编号 %(serial)s 您已录入过，第二次录入须由另一位录入员完成"),
}


@login_required
def scans_page(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _manageable(request, pk)
    jobs = scan_reads.read_jobs(request.user, meeting)
    return render(request, "meetings/scans.html", {
        "meeting": meeting, "sheets": scan_reads.sheets_waiting(meeting), "groups": list(meeting.groups.all()),
        "waiting": scan_reads.scans_waiting_count(meeting), "done": scan_reads.scans_done(meeting, 50),
        "job": jobs[0] if jobs else None, "max_mb": settings.DIANTI_MAX_REQUEST_BYTES // (1024 * 1024),
    })


@login_required
@require_POST
def scans_upload(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _manageable(request, pk)
    try:
        scans.scans_submit(actor=request.user, meeting=meeting, files=request.FILES.getlist("scans"))
    except (ValidationError, PermissionDenied) as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("已上传，正在识别；识别完成后请逐张核对确认"))
    return redirect("meeting_scans", pk=meeting.pk)


def _grades(request: HttpRequest, items: list[int]) -> dict[int, str | None]:
    """Read the form's grade per item: a grade, "-" for 未选 (decided: no mark), or nothing (undecided)."""
    out: dict[int, str | None] = {}
    for item in items:
        value = request.POST.get(f"grade_{item}", "")
        out[item] = "" if value == "-" else (value or scans.UNDECIDED)
    return out


@login_required
@require_POST
def scan_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _manageable(request, pk)
    ids = [int(v) for v in request.POST.get("scans", "").split("-") if v.isdecimal()]
    group_id, serial_text = request.POST.get("group", ""), request.POST.get("serial", "").strip()
    group = PanelGroup.objects.filter(pk=int(group_id), meeting=meeting).first() if group_id.isdecimal() else None
    serial = int(serial_text) if serial_text.isascii() and serial_text.isdecimal() else None
    try:
        outcome = scans.scan_confirm(
            actor=request.user, meeting=meeting, scans=list(PaperScan.objects.filter(pk__in=ids, meeting=meeting)),
            group=group, serial=serial, grades=_grades(request, list(meeting.agenda.values_list("pk", flat=True))))
    except (ValidationError, PermissionDenied) as exc:
        flash_errors(request, exc)
    else:
        shown = PaperScan.objects.filter(pk__in=ids).values_list("serial", flat=True).first() or serial
        (messages.success if outcome in ("waiting", "accepted") else messages.warning)(
            request, str(OUTCOMES[outcome]) % {"serial": shown})
    return redirect(reverse("meeting_scans", args=[meeting.pk]) + "#sheets")


@login_required
@require_POST
def scan_discard(request: HttpRequest, pk: int, scan_id: int) -> HttpResponse:
    meeting = _manageable(request, pk)
    try:
        scans.scan_discard(actor=request.user, meeting=meeting, scan=scan_reads.scan_get(meeting, scan_id))
    except (ValidationError, PermissionDenied) as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("已作废该扫描件"))
    return redirect(reverse("meeting_scans", args=[meeting.pk]) + "#sheets")


@login_required
def scan_image(request: HttpRequest, pk: int, scan_id: int) -> HttpResponse:
    """A kept paper ballot's image, for those who run the meeting (the convener's admins and above) only: a sheet's
    image is one person's ballot, and its serial is printed large enough for a neighbour in the hall to read, so
    the rest of the subtree who see the meeting — evaluators among them — see its counts, never a sheet."""
    meeting = _manageable(request, pk)
    scan = scan_reads.scan_get(meeting, scan_id)
    with scan.image.open("rb") as handle:
        response = HttpResponse(handle.read(), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
def scan_upright(request: HttpRequest, pk: int, scan_id: int) -> HttpResponse:
    """The kept image de-skewed, for the bands shown beside each row of the sheet (as :func:`scan_image`)."""
    meeting = _manageable(request, pk)
    response = HttpResponse(scans.upright_jpeg(scan_reads.scan_get(meeting, scan_id)), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
@require_POST
def rehearsal_start(request: HttpRequest, pk: int) -> HttpResponse:
    """Start a rehearsal (模拟测评) of the meeting and go to it."""
    meeting = selectors.meeting_get(request.user, pk)
    try:
        copy = rehearsal.rehearsal_start(actor=request.user, meeting=meeting)
    except (ValidationError, PermissionDenied) as exc:
        flash_errors(request, exc)
        return redirect("meeting_detail", pk=meeting.pk)
    messages.success(request, _("模拟测评已创建：请发放模拟评议码、开始会议，全程演练；结束后一键清除"))
    return redirect("meeting_detail", pk=copy.pk)


@login_required
@require_POST
def rehearsal_wipe(request: HttpRequest, pk: int) -> HttpResponse:
    """Wipe the rehearsal of the meeting ``pk`` (the real one), with everything it holds."""
    meeting = selectors.meeting_get(request.user, pk)
    try:
        n = rehearsal.rehearsal_wipe(actor=request.user, meeting=meeting)
    except (ValidationError, PermissionDenied) as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("模拟测评已清除（%(n)d 张测评票），正式会议不受影响") % {"n": n})
    return redirect("meeting_detail", pk=meeting.pk)
