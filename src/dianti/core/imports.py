"""The front door of every spreadsheet import: the upload page, refusing what cannot even start, then queueing the
background job."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from . import jobs
from .models import Job
from .scope import scope_for

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class ImportRefused(ValueError):
    """The upload cannot even start (no file, wrong type, too big, not an admin)."""


def submit_import(*, actor: Any, upload: Any, kind: str, what: str) -> Job:
    """Check that ``upload`` is an importable .xlsx/.csv from an admin and queue job ``kind`` for it.

    ``what`` names the data in the messages and the job title (群众意见, 党建责任清单 …).
    """
    if not scope_for(actor).is_admin:
        raise ImportRefused(f"只有管理员可以导入{what}")
    if upload is None:
        raise ImportRefused("请选择要导入的文件")
    if not upload.name.lower().endswith((".xlsx", ".csv")):
        raise ImportRefused("只支持 .xlsx 或 .csv 文件")
    if upload.size > MAX_UPLOAD_BYTES:
        raise ImportRefused("文件超过 20 MB，请拆分后分批导入")
    return jobs.submit(kind=kind, title=f"导入{what}：{upload.name}", actor=actor, params={"filename": upload.name},
                       input_file=upload)


def import_page(request: HttpRequest, *, submit: Callable[[Any], Job], page: dict[str, Any],
                template: Callable[[], HttpResponse] | None = None) -> HttpResponse:
    """Serve an import's upload page (``core/import_upload.html``): ``?template=1`` downloads the template; a POST
    hands the file to ``submit`` and follows the queued job; a refusal comes back on the page with status 400.

    ``page`` fills the page: ``title``, ``help`` (paragraphs), ``templates`` ((href, label) pairs), and optionally
    ``heading``, ``back`` ((href, label)), ``kinds`` ((value, label) pairs, posted as ``kind``) and ``file_label``.
    """
    if template is not None and request.GET.get("template"):
        return template()
    error = ""
    if request.method == "POST":
        try:
            job = submit(request.FILES.get("file"))
        except ImportRefused as exc:
            error = str(exc)
        else:
            return redirect("job_detail", pk=job.pk)
    return render(request, "core/import_upload.html", {**page, "error": error}, status=400 if error else 200)
