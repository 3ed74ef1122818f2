"""Import a 党建责任清单 from .xlsx/.csv as a background job: every row checked first, all or nothing."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from dianti.core import audit, excel, jobs
from dianti.core.imports import submit_import
from dianti.core.models import Job
from dianti.orgs.models import Organization
from dianti.orgs.permissions import can_manage_org

from .models import ResponsibilityItem

COLUMNS = ("组织编码", "年度", "责任事项", "具体内容")
REQUIRED = ("组织编码", "年度", "责任事项")
EXAMPLE = (("330424105201", "2020", "推进美丽乡村精品村建设", "完成村庄整治和庭院改造"),)


def responsibility_import_submit(*, actor: Any, upload: Any) -> Job:
    return submit_import(actor=actor, upload=upload, kind="import.responsibilities", what="党建责任清单")


def import_responsibilities(job: Job, progress: jobs.Progress) -> dict[str, Any]:
    with job.input_file.open("rb") as fh:
        raw = fh.read()
    try:
        header, body = excel.read_table(raw, job.params.get("filename", job.input_file.name))
        index = excel.require_columns(header, REQUIRED)
    except excel.SheetError as exc:
        raise jobs.JobFailed(str(exc)) from exc
    codes = {r[index["组织编码"]].strip() for _, r in body if index["组织编码"] < len(r)}
    orgs = {o.code: o for o in Organization.objects.filter(code__in=list(codes)[:50000])}
    errors: list[excel.RowError] = []
    rows = []
    for n, (rownum, values) in enumerate(body):
        def get(col: str, values: list[str] = values) -> str:
            i = index.get(col)
            return values[i].strip() if i is not None and i < len(values) else ""

        code, year_text, title = get("组织编码"), get("年度"), get("责任事项")
        org = orgs.get(code)
        if not code:
            errors.append(excel.RowError(rownum, "组织编码", "不能为空"))
        elif org is None:
            errors.append(excel.RowError(rownum, "组织编码", f"找不到组织编码“{code}”"))
        elif not can_manage_org(job.created_by, org):
            errors.append(excel.RowError(rownum, "组织编码", f"您无权管理“{org.name}”"))
        try:
            year = int(float(year_text))
            if not 2000 <= year <= 2100:
                raise ValueError
        except ValueError:
            errors.append(excel.RowError(rownum, "年度", f"“{year_text}”不是有效年度（如 2020）"))
            year = 0
        if not title:
            errors.append(excel.RowError(rownum, "责任事项", "不能为空"))
        elif len(title) > 200:
            errors.append(excel.RowError(rownum, "责任事项", "不能超过200个字"))
        rows.append((org, year, title, get("具体内容")))
        if n % 500 == 0:
            progress(n, len(body))
    if errors:
        raise jobs.JobFailed(f"发现 {len(errors)} 处问题，未导入任何数据。请修改后重新导入。",
                             {"errors": [{"row": e.row, "column": e.column, "message": e.message}
                                         for e in errors[:1000]], "error_count": len(errors)})
    with transaction.atomic():
        items = ResponsibilityItem.objects.bulk_create([
            ResponsibilityItem(organization=org, org_path=org.path, year=year, title=title, detail=detail)
            for org, year, title, detail in rows
        ])
        for item in items:
            audit.record(actor=job.created_by, action="responsibility.import", target=item,
                         org_path=item.org_path, note=f"导入任务 #{job.pk}")
    progress(len(body), len(body))
    return {"message": f"成功导入 {len(items)} 条责任事项", "created": len(items)}
