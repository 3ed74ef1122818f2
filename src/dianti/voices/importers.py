"""Import opinions gathered offline (visits, symposiums, points' relays) from a spreadsheet: all or nothing."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from dianti.core import audit, excel, jobs
from dianti.core.imports import submit_import
from dianti.core.models import Job
from dianti.orgs.models import Organization
from dianti.orgs.permissions import can_manage_org
from dianti.orgs.services import validate_phone

from . import services
from .models import Channel, Opinion

COLUMNS = ("组织编码", "渠道", "意见内容", "标题", "接触人次", "反映人", "手机号")
REQUIRED = ("组织编码", "渠道", "意见内容")
EXAMPLE = (("330424105201", "走访", "村里的老年食堂只开午餐，希望晚餐也能供应", "老年食堂晚餐", "12", "", ""),)
CHANNELS = {str(label): value for value, label in Channel.choices} | {
    "扫码": Channel.ONLINE, "网上": Channel.ONLINE, "直报点": Channel.DIRECT_REPORT, "观察点": Channel.OBSERVATION}


def opinions_import_submit(*, actor: Any, upload: Any) -> Job:
    return submit_import(actor=actor, upload=upload, kind="import.opinions", what="群众意见")


def _check(job: Job, index: dict[str, int], body: list[tuple[int, list[str]]],
           progress: jobs.Progress) -> tuple[list[excel.RowError], list[dict[str, Any]]]:
    codes = list({r[index["组织编码"]].strip() for _, r in body if index["组织编码"] < len(r)})
    orgs: dict[str, Organization] = {}
    for i in range(0, len(codes), 900):
        orgs |= {o.code: o for o in Organization.objects.filter(code__in=codes[i:i + 900])}
    errors, rows = [], []
    for n, (rownum, values) in enumerate(body):
        def get(col: str, values: list[str] = values) -> str:
            i = index.get(col)
            return values[i].strip() if i is not None and i < len(values) else ""

        def bad(col: str, msg: str, rownum: int = rownum) -> None:
            errors.append(excel.RowError(rownum, col, msg))

        org = orgs.get(get("组织编码"))
        if org is None:
            bad("组织编码", f"找不到组织编码“{get('组织编码')}”" if get("组织编码") else "不能为空")
        elif not can_manage_org(job.created_by, org):
            bad("组织编码", f"您无权管理“{org.name}”")
        channel = CHANNELS.get(get("渠道"))
        if channel is None:
            bad("渠道", f"“{get('渠道')}”不是可选值（可选：{'、'.join(str(c.label) for c in Channel)}）")
        try:
            text = services.clean_text(get("意见内容"))
        except ValidationError as exc:
            bad("意见内容", exc.message_dict["text"][0])
            text = ""
        met_text = get("接触人次") or "0"
        try:
            met = int(float(met_text))
            if not 0 <= met <= 10000:
                raise ValueError
        except ValueError:
            bad("接触人次", f"“{met_text}”应为 0 至 10000 的整数")
            met = 0
        phone = ""
        try:
            phone = validate_phone(get("手机号"))
        except ValidationError:
            bad("手机号", f"“{get('手机号')}”不是有效的手机号")
        rows.append({"org": org, "channel": channel, "text": text, "title": get("标题")[:100], "people_met": met,
                     "name": get("反映人")[:50], "phone": phone})
        if n % 500 == 0:
            progress(n, len(body) * 2)
    return errors, rows


def import_opinions(job: Job, progress: jobs.Progress) -> dict[str, Any]:
    with job.input_file.open("rb") as fh:
        raw = fh.read()
    try:
        header, body = excel.read_table(raw, job.params.get("filename", job.input_file.name))
        index = excel.require_columns(header, REQUIRED)
    except excel.SheetError as exc:
        raise jobs.JobFailed(str(exc)) from exc
    errors, rows = _check(job, index, body, progress)
    if errors:
        raise jobs.JobFailed(f"发现 {len(errors)} 处问题，未导入任何数据。请修改后重新导入。",
                             {"errors": [{"row": e.row, "column": e.column, "message": e.message} for e in errors[:1000]],
                              "error_count": len(errors)})
    campaigns = {org.pk: services.open_campaign_for(org) for org in {r["org"] for r in rows}}
    with transaction.atomic():
        made = []
        for r in rows:
            made.append(Opinion(
                organization=r["org"], org_path=r["org"].path, campaign=campaigns[r["org"].pk], channel=r["channel"],
                title=r["title"], text=r["text"], author_name=r["name"], author_phone=r["phone"],
                anonymous=not r["name"], author_key=services._author_key(r["phone"], ""), people_met=r["people_met"],
                tracking_code=services.new_tracking_code(), entered_by=job.created_by))
        Opinion.objects.bulk_create(made, batch_size=1000)
        for op in made:
            audit.record(actor=job.created_by, action="opinion.import", target=op, org_path=op.org_path,
                         note=f"导入任务 #{job.pk}")
    progress(len(body) * 2, len(body) * 2)
    return {"message": f"成功导入 {len(made)} 条意见。可在各述职对象的点题页面重新梳理话题。", "created": len(made)}
