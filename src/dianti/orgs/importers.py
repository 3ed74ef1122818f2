"""All-or-nothing imports of organizations and people from .xlsx/.csv, run as background jobs.

Every row is checked first; if any row is bad the job fails listing every problem (row, column, reason in Chinese)
and nothing is written. Otherwise all rows are written in one transaction, with an audit record per object.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from dianti.core import crypto, excel, jobs, paths
from dianti.core.imports import ImportRefused
from dianti.core.models import AuditEvent, Job
from dianti.core.scope import scope_for

from .models import Membership, Organization, Person, Position
from .permissions import can_manage_org
from .services import validate_phone

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Spec:
    title: str
    columns: tuple[str, ...]
    required: tuple[str, ...]
    example: tuple[tuple[str, ...], ...]


SPECS = {
    "orgs": Spec("组织", ("组织编码", "组织名称", "简称", "上级组织编码", "组织类别", "层级", "领域"),
                 ("组织编码", "组织名称", "上级组织编码"),
                 (("330424105301", "中共通元镇示范村支部委员会", "示范村", "330424105", "党支部", "基层党组织", "农村"),)),
    "people": Spec("人员", ("姓名", "性别", "手机号", "是否党员", "所属组织编码", "职务"),
                   ("姓名", "所属组织编码"),
                   (("张三", "男", "13800000000", "是", "330424105201", "党员"),)),
}


def import_submit(*, actor: Any, kind: str, upload: Any) -> Job:
    """Check the upload is importable at all, then queue the import as a background job."""
    if kind not in SPECS:
        raise ImportRefused("请选择导入类型")
    if not scope_for(actor).is_admin:
        raise ImportRefused("只有管理员可以导入数据")
    if upload is None:
        raise ImportRefused("请选择要导入的文件")
    if not upload.name.lower().endswith((".xlsx", ".csv")):
        raise ImportRefused("只支持 .xlsx 或 .csv 文件")
    if upload.size > MAX_UPLOAD_BYTES:
        raise ImportRefused("文件超过 20 MB，请拆分后分批导入")
    return jobs.submit(kind=f"import.{kind}", title=f"导入{SPECS[kind].title}：{upload.name}", actor=actor,
                       params={"filename": upload.name}, input_file=upload)


def _choice(label_to_value: dict[str, str], text: str) -> str | None:
    return label_to_value.get(text.strip())


KINDS = {str(label): value for value, label in Organization.Kind.choices}
LEVELS = {str(label): value for value, label in Organization.Level.choices} | {"县": "county", "乡镇": "town", "镇": "town", "街道": "town", "基层": "grassroots"}
FIELDS = {str(label): value for value, label in Organization.Field.choices} | {"村": "village", "社区": "community"}
POSITIONS = {str(label): value for value, label in Position.choices}
GENDERS = {"男": "M", "女": "F", "": ""}
YES_NO = {"是": True, "否": False, "": False, "党员": True, "群众": False, "Y": True, "N": False, "1": True, "0": False}


@dataclass
class _Checked:
    errors: list[excel.RowError] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)

    def bad(self, row: int, column: str, message: str) -> None:
        self.errors.append(excel.RowError(row, column, message))


def _read(job: Job, spec: Spec) -> tuple[dict[str, int], list[tuple[int, list[str]]]]:
    job.input_file.open("rb")
    try:
        raw = job.input_file.read()
    finally:
        job.input_file.close()
    try:
        header, body = excel.read_table(raw, job.params.get("filename", job.input_file.name))
        index = excel.require_columns(header, spec.required)
    except excel.SheetError as exc:
        raise jobs.JobFailed(str(exc)) from exc
    return index, body


def _getter(index: dict[str, int], values: list[str]) -> Callable[[str], str]:
    return lambda col: values[index[col]].strip() if col in index and index[col] < len(values) else ""


def _fail_if_errors(checked: _Checked) -> None:
    if checked.errors:
        # In sheet order, whichever pass found them (row checks first, then references to the database).
        errors = sorted(checked.errors, key=lambda e: e.row)
        raise jobs.JobFailed(
            f"发现 {len(errors)} 处问题，未导入任何数据。请修改后重新导入。",
            {"errors": [{"row": e.row, "column": e.column, "message": e.message} for e in errors[:1000]],
             "error_count": len(errors)},
        )


def _org_rows(job: Job, progress: jobs.Progress) -> _Checked:
    index, body = _read(job, SPECS["orgs"])
    checked = _Checked()
    in_file: dict[str, int] = {}
    for n, (rownum, values) in enumerate(body):
        get = _getter(index, values)
        code, name, parent_code = get("组织编码"), get("组织名称"), get("上级组织编码")
        row: dict[str, Any] = {"row": rownum, "code": code, "name": name, "short_name": get("简称"),
                               "parent_code": parent_code}
        if not code:
            checked.bad(rownum, "组织编码", "不能为空")
        elif len(code) > 32:
            checked.bad(rownum, "组织编码", "不能超过32个字符")
        elif code in in_file:
            checked.bad(rownum, "组织编码", f"与第 {in_file[code]} 行重复")
        if not name:
            checked.bad(rownum, "组织名称", "不能为空")
        elif len(name) > 100:
            checked.bad(rownum, "组织名称", "不能超过100个字符")
        if len(row["short_name"]) > 50:
            checked.bad(rownum, "简称", "不能超过50个字符")
        for column, table, key, default in (("组织类别", KINDS, "kind", "branch"), ("层级", LEVELS, "level", "grassroots"),
                                            ("领域", FIELDS, "field", "other")):
            text = get(column)
            value = _choice(table, text) if text else default
            if value is None:
                checked.bad(rownum, column, f"“{text}”不是可选值（可选：{'、'.join(k for k in table if k)}）")
            row[key] = value
        if not parent_code:
            checked.bad(rownum, "上级组织编码", "不能为空")
        if code:
            in_file.setdefault(code, rownum)
        checked.rows.append(row)
        if n % 500 == 0:
            progress(n, len(body) * 2)
    _check_org_refs(job, checked, in_file)
    return checked


def _check_org_refs(job: Job, checked: _Checked, in_file: dict[str, int]) -> None:
    codes = list(in_file)
    existing = set()
    for i in range(0, len(codes), 900):
        existing |= set(Organization.objects.filter(code__in=codes[i:i + 900]).values_list("code", flat=True))
    parent_codes = {r["parent_code"] for r in checked.rows if r["parent_code"] and r["parent_code"] not in in_file}
    parents: dict[str, Organization] = {}
    plist = list(parent_codes)
    for i in range(0, len(plist), 900):
        parents |= {o.code: o for o in Organization.objects.filter(code__in=plist[i:i + 900])}
    for r in checked.rows:
        if r["code"] in existing:
            checked.bad(r["row"], "组织编码", f"“{r['code']}”已存在于系统中")
        pc = r["parent_code"]
        if not pc:
            continue
        if pc in in_file:
            if in_file[pc] >= r["row"]:
                checked.bad(r["row"], "上级组织编码", f"上级组织“{pc}”须写在本行之前")
        elif pc not in parents:
            checked.bad(r["row"], "上级组织编码", f"找不到组织编码“{pc}”")
        elif not can_manage_org(job.created_by, parents[pc]):
            checked.bad(r["row"], "上级组织编码", f"您无权在“{parents[pc].name}”下新增组织")
    checked.rows_parents = parents  # type: ignore[attr-defined]


def import_orgs(job: Job, progress: jobs.Progress) -> dict[str, Any]:
    checked = _org_rows(job, progress)
    _fail_if_errors(checked)
    parents: dict[str, Organization] = checked.rows_parents  # type: ignore[attr-defined]
    total = len(checked.rows)
    with transaction.atomic():
        made: dict[str, Organization] = {}
        for n, r in enumerate(checked.rows, start=1):
            parent = made.get(r["parent_code"]) or parents[r["parent_code"]]
            Organization.objects.filter(pk=parent.pk).update(child_counter=F("child_counter") + 1)
            parent.child_counter += 1
            path = paths.child_path(parent.path, parent.child_counter)
            org = Organization(code=r["code"], name=r["name"], short_name=r["short_name"], kind=r["kind"],
                               level=r["level"], field=r["field"], parent=parent, path=path, depth=paths.depth(path))
            org.save()
            made[org.code] = org
            if n % 200 == 0:
                progress(total + n, total * 2)
        _audit_bulk(job, "org.import", list(made.values()), lambda o: o.path)
    progress(total * 2, total * 2)
    return {"message": f"成功导入 {total} 个组织", "created": total}


def _people_rows(job: Job, progress: jobs.Progress) -> _Checked:
    index, body = _read(job, SPECS["people"])
    checked = _Checked()
    phones: dict[str, int] = {}
    for n, (rownum, values) in enumerate(body):
        get = _getter(index, values)
        row: dict[str, Any] = {"row": rownum, "name": get("姓名"), "org_code": get("所属组织编码")}
        if not row["name"]:
            checked.bad(rownum, "姓名", "不能为空")
        elif len(row["name"]) > 50:
            checked.bad(rownum, "姓名", "不能超过50个字符")
        gender = GENDERS.get(get("性别"))
        if gender is None:
            checked.bad(rownum, "性别", f"“{get('性别')}”应为“男”或“女”")
        row["gender"] = gender or ""
        try:
            row["phone"] = validate_phone(get("手机号"))
        except ValidationError:
            checked.bad(rownum, "手机号", f"“{get('手机号')}”不是有效的手机号")
            row["phone"] = ""
        if row["phone"]:
            if row["phone"] in phones:
                checked.bad(rownum, "手机号", f"与第 {phones[row['phone']]} 行重复")
            phones.setdefault(row["phone"], rownum)
        member = YES_NO.get(get("是否党员"))
        if member is None:
            checked.bad(rownum, "是否党员", f"“{get('是否党员')}”应为“是”或“否”")
        row["is_party_member"] = bool(member)
        position_text = get("职务")
        row["position"] = POSITIONS.get(position_text) if position_text else None
        if position_text and row["position"] is None:
            checked.bad(rownum, "职务", f"“{position_text}”不是可选值（可选：{'、'.join(POSITIONS)}）")
        if not row["org_code"]:
            checked.bad(rownum, "所属组织编码", "不能为空")
        checked.rows.append(row)
        if n % 500 == 0:
            progress(n, len(body) * 2)
    _check_people_refs(job, checked, phones)
    return checked


def _check_people_refs(job: Job, checked: _Checked, phones: dict[str, int]) -> None:
    codes = list({r["org_code"] for r in checked.rows if r["org_code"]})
    orgs: dict[str, Organization] = {}
    for i in range(0, len(codes), 900):
        orgs |= {o.code: o for o in Organization.objects.filter(code__in=codes[i:i + 900])}
    # Phones are stored encrypted: compare their keyed hashes, in the database.
    by_hash = {crypto.phone_hash(p): p for p in phones}
    hashes = list(by_hash)
    taken: set[str] = set()
    for i in range(0, len(hashes), 900):
        taken |= {by_hash[h] for h in Person.objects.filter(phone_hash__in=hashes[i:i + 900])
                  .values_list("phone_hash", flat=True)}
    for r in checked.rows:
        if r["phone"] in taken:
            checked.bad(r["row"], "手机号", f"“{r['phone']}”已登记在系统中的另一人员名下")
        code = r["org_code"]
        if code and code not in orgs:
            checked.bad(r["row"], "所属组织编码", f"找不到组织编码“{code}”")
        elif code and not can_manage_org(job.created_by, orgs[code]):
            checked.bad(r["row"], "所属组织编码", f"您无权管理“{orgs[code].name}”")
        if r["position"] == Position.SECRETARY and code in orgs and orgs[code].secretary_id:
            r["replace_secretary"] = True
    checked.orgs = orgs  # type: ignore[attr-defined]


def import_people(job: Job, progress: jobs.Progress) -> dict[str, Any]:
    checked = _people_rows(job, progress)
    _fail_if_errors(checked)
    orgs: dict[str, Organization] = checked.orgs  # type: ignore[attr-defined]
    total = len(checked.rows)
    with transaction.atomic():
        people = [Person(name=r["name"], gender=r["gender"], phone=r["phone"], is_party_member=r["is_party_member"],
                         organization=orgs[r["org_code"]], org_path=orgs[r["org_code"]].path) for r in checked.rows]
        Person.objects.bulk_create(people, batch_size=2000)
        progress(total + total // 2, total * 2)
        Membership.objects.bulk_create(
            [Membership(person=p, organization=p.organization, position=r["position"])
             for p, r in zip(people, checked.rows, strict=True) if r["position"]],
            batch_size=2000, ignore_conflicts=True,
        )
        secretaries = {}
        for p, r in zip(people, checked.rows, strict=True):
            if r["position"] == Position.SECRETARY:
                secretaries[p.organization.pk] = p
        _set_secretaries(job, secretaries)
        _audit_bulk(job, "person.import", people, lambda p: p.org_path)
    progress(total * 2, total * 2)
    return {"message": f"成功导入 {total} 名人员", "created": total}


def _audit_bulk(job: Job, action: str, objects: list[Any], org_path: Callable[[Any], str],
                changes: Callable[[Any], dict[str, Any]] = lambda o: {}) -> None:
    user = job.created_by
    name = (user.get_full_name() or user.get_username()) if user else "系统"
    AuditEvent.objects.bulk_create([
        AuditEvent(actor=user, actor_name=name, action=action, target_type=o._meta.label_lower, target_id=str(o.pk),
                   target_repr=str(o)[:200], org_path=org_path(o), changes=changes(o), note=f"导入任务 #{job.pk}")
        for o in objects
    ], batch_size=2000)


def _set_secretaries(job: Job, secretaries: dict[int, Person]) -> None:
    """Make each imported 书记 their organization's secretary, recording the old and the new one."""
    orgs = list(Organization.objects.filter(pk__in=secretaries).select_related("secretary"))
    before = {o.pk: o.secretary.name if o.secretary else None for o in orgs}
    for org_pk, person in secretaries.items():
        Organization.objects.filter(pk=org_pk).update(secretary=person)
    _audit_bulk(job, "org.update", orgs, lambda o: o.path,
                lambda o: {"secretary": [before[o.pk], secretaries[o.pk].name]})
