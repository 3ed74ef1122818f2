"""Pages of the shared kernel: health and readiness checks, home, audit log, background-job progress and failed
follow-ups."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import events, exports, readiness, selectors, todo
from .dbrouter import replica_reads
from .http import FILE_TYPES, file_response
from .pagination import paginate
from .scope import scope_for


def healthz(request: HttpRequest) -> HttpResponse:
    """Alive: the process answers and its database does (see :func:`readyz` for ready to work)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def readyz(request: HttpRequest) -> HttpResponse:
    """Ready: 200 when every check of :mod:`dianti.core.readiness` passes, else 503; the body names each check."""
    ready, checks = readiness.report()
    response = JsonResponse({"status": "ready" if ready else "not ready", "checks": checks},
                            status=200 if ready else 503)
    response["Cache-Control"] = "no-store"
    return response


def favicon(request: HttpRequest) -> HttpResponse:
    """Answer browsers that ask for /favicon.ico whatever the page says, with the static icon."""
    response = HttpResponsePermanentRedirect(static("dianti/favicon.ico"))
    response["Cache-Control"] = "public, max-age=86400"
    return response


@replica_reads
@login_required
def home(request: HttpRequest) -> HttpResponse:
    summary = selectors.home_summary(request.user)
    request.todo_summary = todo.summarize(summary["todo"])  # type: ignore[attr-defined]  (the bar's counts)
    return render(request, "core/home.html", summary)


@replica_reads
@login_required
def todo_nav(request: HttpRequest) -> HttpResponse:
    """The bar again, with the 待办 counts: every page but home asks for it once loaded (core/context.py)."""
    request.todo_summary = todo.summary(request.user)  # type: ignore[attr-defined]
    # The bar marks the section of the page it is drawn on, not of this request.
    request.nav_path = urlsplit(request.headers.get("HX-Current-URL", "")).path or request.path  # type: ignore[attr-defined]
    response = render(request, "core/_nav.html")
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    if not scope_for(request.user).is_admin:
        raise PermissionDenied("只有管理员可以查看审计日志")
    filters = selectors.AuditFilters.from_query(request.GET)
    if request.GET.get("format") == "xlsx":
        events = selectors.audit_events(request.user, filters)
        query = request.GET.copy()
        query.pop("format", None)
        return exports.deliver(request, rows=events.count(), make=lambda: exports.audit_xlsx(events),
                               kind="export.audit", title=_("导出审计日志"), params={"query": query.urlencode()})
    page = paginate(request, selectors.audit_events(request.user, filters))
    return render(request, "core/audit_log.html", {"page": page, "filters": filters,
                                                   "actions": selectors.audit_actions(request.user)})


@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = selectors.job_get(request.user, pk)
    template = "core/_job_progress.html" if request.headers.get("HX-Request") else "core/job_detail.html"
    # Polled from the page the job was started on (the heat knobs, the paper scans), whose address htmx sends: the
    # way back is then that page again, to be reloaded for the job's results.
    here = urlsplit(request.headers.get("HX-Current-URL", "")).path
    return render(request, template, {"job": job, "here": here})


@login_required
def job_file(request: HttpRequest, pk: int) -> HttpResponse:
    """The file a finished export job made, for the person who asked for it."""
    job = selectors.job_get(request.user, pk)
    if job.status != job.Status.DONE or not job.output_file:
        raise Http404(_("该任务没有可下载的文件"))
    with job.output_file.open("rb") as handle:
        content = handle.read()
    name = job.result.get("filename") or job.output_file.name.rsplit("/", 1)[-1]
    kind = name.rsplit(".", 1)[-1]
    return file_response(content, name, kind if kind in FILE_TYPES else "xlsx")


@login_required
def exports_centre(request: HttpRequest) -> HttpResponse:
    """下载中心: every file the person may download, step by step — at once where it needs nothing, else the page of
    the campaigns, meetings or cases it is made from."""
    return render(request, "core/exports.html", {"groups": exports.exports_for(request.user)})


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        from .services import notifications_mark_read

        notifications_mark_read(user=request.user, ids=[int(i) for i in request.POST.getlist("id") if i.isdigit()])
    page = paginate(request, selectors.notifications_for(request.user))
    return render(request, "core/notifications.html", {"page": page})


@login_required
def event_failures(request: HttpRequest) -> HttpResponse:
    """The follow-ups of a step that failed in the admin's tree (core/events.py), each with a way to run it again."""
    page = paginate(request, events.failures_for(request.user))
    return render(request, "core/event_failures.html", {"rows": events.failure_rows(page), "page": page})


@login_required
@require_POST
def event_retry(request: HttpRequest, pk: int) -> HttpResponse:
    failure = get_object_or_404(events.failures_for(request.user), pk=pk)
    from django.contrib import messages
    from django.core.exceptions import ValidationError

    try:
        done = events.failure_retry(actor=request.user, failure=failure)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        if done:
            messages.success(request, _("已重新处理完成"))
        else:
            messages.error(request, _("重试仍未成功：%(error)s") % {"error": failure.error})
    return redirect("event_failures")
