"""The annual report as a background job (heavy queue): counted afresh with its creator's scope, written as PDF or
.docx, kept for its creator to download from the job's page."""

from __future__ import annotations

from typing import Any

from dianti.core import jobs
from dianti.core.exports import save_output
from dianti.core.models import Job

from . import documents, report, selectors


def report_job(job: Job, progress: jobs.Progress) -> dict[str, Any]:
    user = job.created_by
    if user is None:
        raise jobs.JobFailed("发起人账号已不存在，无法按其权限生成报告")
    progress(0, 3)
    org = selectors.root_for(user, job.params["org"])
    d = selectors.dashboard(user, org, job.params.get("year"), fresh=True)
    progress(1, 3)
    r = report.build(d)
    fmt = job.params.get("format", "pdf")
    content = documents.report_docx(r) if fmt == "docx" else documents.report_pdf(r)
    progress(2, 3)
    name = f"{report.place(org)}{d.year}年度点题述职工作情况报告.{fmt}"
    out = save_output(job, content, name)
    progress(3, 3)
    return out
