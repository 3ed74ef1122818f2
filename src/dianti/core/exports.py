"""Exports: a file made now when it is small, by a background job when it is large.

A page that offers a download calls :func:`deliver` with how many rows the file will hold. Up to
``DIANTI_EXPORT_INLINE_ROWS`` the file is made in the request, as before; above it an ``export.*`` job (on the
heavy queue) makes it from the same parameters, the person watches its progress on the job page, and downloads
the file there (``/jobs/<id>/file``, theirs only, and audited like any download). The job re-reads the data with
its creator's scope, so a file never holds more than its requester may see.

Also the kernel's own export: the audit log.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from . import jobs
from .dbrouter import replica_reads
from .excel import workbook, xlsx_response
from .models import AuditEvent, Job


def exports_for(user: Any) -> list[tuple[Any, list[Any]]]:
    """Return, step by step in cycle order, the exports ``user`` may download (the read table decides)."""
    from .components import components
    from .reads import may_read

    found = []
    for component in components():
        mine = [e for e in component.exports if may_read(user, e.url_name)]
        if mine:
            found.append((component.name, mine))
    return found


def deliver(request: HttpRequest, *, rows: int, make: Callable[[], HttpResponse], kind: str, title: str,
            params: dict[str, Any]) -> HttpResponse:
    """Return the file now when it holds at most ``DIANTI_EXPORT_INLINE_ROWS`` rows; else start job ``kind`` with
    ``params`` and send the person to its page."""
    if rows <= settings.DIANTI_EXPORT_INLINE_ROWS:
        return make()
    job = jobs.submit(kind=kind, title=title, actor=request.user, params={**params, "rows": rows})
    return redirect("job_detail", job.pk)


def save_output(job: Job, content: bytes, filename: str) -> dict[str, Any]:
    """Keep a job's file for its creator to download; return the job's result (the file's name)."""
    job.output_file.save(filename, ContentFile(content), save=False)
    Job.objects.filter(pk=job.pk).update(output_file=job.output_file.name)
    return {"filename": filename, "message": f"已生成 {filename}，可以下载。"}


def audit_rows(events: Iterable[AuditEvent]) -> Iterable[tuple[Any, ...]]:
    return ((timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"), e.actor_name, e.action, e.target_repr,
             json.dumps(e.changes, ensure_ascii=False), e.note) for e in events)


AUDIT_HEADERS = ("时间", "操作人", "操作", "对象", "变更", "备注")


def audit_xlsx(events: Iterable[AuditEvent]) -> HttpResponse:
    return xlsx_response(workbook(AUDIT_HEADERS, audit_rows(events), "审计日志"), "审计日志.xlsx")


@jobs.kernel_kind("export.audit")
@replica_reads
def audit_job(job: Job, progress: jobs.Progress) -> dict[str, Any]:
    """The audit log export as a job: the same filters, the creator's scope."""
    from django.http import QueryDict

    from .selectors import AuditFilters, audit_events

    events = audit_events(job.created_by, AuditFilters.from_query(QueryDict(job.params.get("query", ""))))
    progress(0, job.params.get("rows", 0))
    content = workbook(AUDIT_HEADERS, audit_rows(events.iterator(chunk_size=2000)), "审计日志")
    return save_output(job, content, "审计日志.xlsx")
