"""Import the annual assessment's other components (日常考核, 党建工作 …) from .xlsx/.csv as a background job.

One row per organization and year: 组织编码, 年度, then one column per component named as in the county's scheme
(the template lists them), and optionally 创新项目 (是/否). Every row is checked first and nothing is stored unless
all are right; the job result lists each problem by row and column. After a successful import the assessments of
every county and year touched are recomputed, so totals, bands, stars and ranks are current.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from dianti.core import excel, jobs
from dianti.core.imports import ImportRefused
from dianti.core.models import Job
from dianti.core.scope import scope_for
from dianti.orgs.models import Organization
from dianti.orgs.permissions import can_manage_org

from . import annual
from .engine.policy import APPRAISAL_COMPONENT

CODE, YEAR, INNOVATION = "组织编码", "年度", "创新项目"
YES, NO = ("是", "有", "y", "yes", "1", "true"), ("否", "无", "n", "no", "0", "false", "")


def component_labels(orgs: Iterable[Organization], year: int) -> dict[str, str]:
    """Return {label: code} of the importable components of the schemes of the counties of ``orgs``."""
    out: dict[str, str] = {}
    for county in {c.pk: c for c in annual.counties_of(orgs).values()}.values():
        _row, config = annual.config_for(county, year)
        out.update({c.label: c.code for c in config.components if c.code != APPRAISAL_COMPONENT})
    return out


def template_for(user: Any, year: int) -> tuple[list[str], list[list[str]]]:
    """Return the template's header and one example row for the counties the user manages within."""
    sc = scope_for(user)
    roots = Organization.objects.filter(path__in=list(sc.manage_roots)) if not sc.everything else \
        Organization.objects.filter(level=Organization.Level.COUNTY)[:20]
    labels = list(component_labels(list(roots), year)) or [_("其他考核")]
    return [CODE, YEAR, *labels, INNOVATION], [["330424105201", str(year), *["85" for _ in labels], "否"]]


def annual_import_submit(*, actor: Any, upload: Any) -> Job:
    if not scope_for(actor).is_admin:
        raise ImportRefused(_("只有管理员可以导入年度考核得分"))
    if upload is None:
        raise ImportRefused(_("请选择要导入的文件"))
    if not upload.name.lower().endswith((".xlsx", ".csv")):
        raise ImportRefused(_("只支持 .xlsx 或 .csv 文件"))
    return jobs.submit(kind="import.annual_assessment", title=_("导入年度考核得分：%(name)s") % {"name": upload.name},
                       actor=actor, params={"filename": upload.name}, input_file=upload)


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if 0 <= value <= 100 else None


def import_annual(job: Job, progress: jobs.Progress) -> dict[str, Any]:
    with job.input_file.open("rb") as fh:
        raw = fh.read()
    try:
        header, body = excel.read_table(raw, job.params.get("filename", job.input_file.name))
        index = excel.require_columns(header, (CODE, YEAR))
    except excel.SheetError as exc:
        raise jobs.JobFailed(str(exc)) from exc
    codes = {r[index[CODE]].strip() for _, r in body if index[CODE] < len(r)}
    orgs = {o.code: o for o in Organization.objects.filter(code__in=list(codes)[:50000])}
    counties = annual.counties_of(orgs.values())
    component_columns = [h for h in index if h not in (CODE, YEAR, INNOVATION)]
    configs: dict[tuple[int, int], dict[str, str]] = {}
    errors: list[excel.RowError] = []
    rows: list[annual.AnnualRow] = []
    seen: dict[tuple[str, int], int] = {}
    for n, (rownum, values) in enumerate(body):
        def get(col: str, values: list[str] = values) -> str:
            i = index.get(col)
            return values[i].strip() if i is not None and i < len(values) else ""

        code, year_text = get(CODE), get(YEAR)
        org = orgs.get(code)
        if not code:
            errors.append(excel.RowError(rownum, CODE, "不能为空"))
        elif org is None:
            errors.append(excel.RowError(rownum, CODE, f"找不到组织编码“{code}”"))
        elif not can_manage_org(job.created_by, org):
            errors.append(excel.RowError(rownum, CODE, f"您无权管理“{org.name}”"))
        try:
            year = int(float(year_text))
            if not 2000 <= year <= 2100:
                raise ValueError
        except ValueError:
            errors.append(excel.RowError(rownum, YEAR, f"“{year_text}”不是有效年度（如 2020）"))
            year = 0
        if org is not None and year:
            if (code, year) in seen:
                errors.append(excel.RowError(rownum, CODE, f"与第 {seen[code, year]} 行重复（同一组织同一年度）"))
            seen.setdefault((code, year), rownum)
        labels: dict[str, str] = {}
        if org is not None and year:
            county = counties[org.pk]
            if (county.pk, year) not in configs:
                configs[county.pk, year] = component_labels([county], year)
            labels = configs[county.pk, year]
        scores: dict[str, float | None] = {}
        for col in component_columns:
            text = get(col)
            if org is not None and year and col not in labels:
                if text:
                    known = "、".join(labels) or "无"
                    errors.append(excel.RowError(rownum, col, f"{counties[org.pk].display_name}{year}年度的考核方案中"
                                                              f"没有这一项；可导入的项目：{known}"))
                continue
            if not text:
                continue
            value = _number(text)
            if value is None:
                errors.append(excel.RowError(rownum, col, f"“{text}”不是 0 到 100 之间的分数"))
            elif col in labels:
                scores[labels[col]] = value
        innovation_text = get(INNOVATION).lower()
        innovation: bool | None = None
        if INNOVATION in index:
            if innovation_text in YES:
                innovation = True
            elif innovation_text in NO:
                innovation = False
            else:
                errors.append(excel.RowError(rownum, INNOVATION, f"“{get(INNOVATION)}”请填“是”或“否”"))
        if org is not None and year:
            rows.append(annual.AnnualRow(org, year, scores, innovation))
        if n % 500 == 0:
            progress(n, len(body))
    if errors:
        raise jobs.JobFailed(f"发现 {len(errors)} 处问题，未导入任何数据。请修改后重新导入。",
                             {"errors": [{"row": e.row, "column": e.column, "message": e.message}
                                         for e in errors[:1000]], "error_count": len(errors)})
    with transaction.atomic():
        annual.annual_scores_set(actor=job.created_by, rows=rows, note=f"导入任务 #{job.pk}")
        touched = {(counties[r.organization.pk].pk, r.year): (counties[r.organization.pk], r.year) for r in rows}
        for county, year in touched.values():
            annual.compute(county, year)
    progress(len(body), len(body))
    return {"message": f"成功导入 {len(rows)} 个组织的年度考核得分，并已重新计算总分、等次、星级和排名",
            "created": len(rows)}
