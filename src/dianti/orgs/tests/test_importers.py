"""Importing organizations and people from .xlsx/.csv through the import page and its background job.

All or nothing: a bad file lists every bad row (row number, column, reason in Chinese) and writes nothing."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dianti.core import excel
from dianti.core.models import AuditEvent, Job
from dianti.orgs.importers import SPECS
from dianti.orgs.models import Membership, Organization, Person

ORG_COLUMNS = SPECS["orgs"].columns
PEOPLE_COLUMNS = SPECS["people"].columns


def xlsx(columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> bytes:
    return excel.workbook(columns, rows)


def counts() -> tuple[int, int, int, int]:
    # Signing in to upload is recorded too (action "login"); only what the import itself wrote counts here.
    return (Organization.objects.count(), Person.objects.count(), Membership.objects.count(),
            AuditEvent.objects.exclude(action="login").count())


@pytest.fixture
def upload(client: Any, run_jobs: Any) -> Any:
    """POST a file to the import page as ``user`` and return (response, finished job or None)."""

    def do(user: Any, kind: str, content: bytes, filename: str = "data.xlsx") -> tuple[Any, Job | None]:
        client.force_login(user)
        with run_jobs():
            response = client.post(reverse("org_import"), {"kind": kind, "file": SimpleUploadedFile(filename, content)})
        job = Job.objects.order_by("-id").first() if response.status_code == 302 else None
        return response, job

    return do


def errors_of(job: Job) -> list[tuple[int, str, str]]:
    return [(e["row"], e["column"], e["message"]) for e in job.result["errors"]]


@pytest.mark.parametrize("kind", ["orgs", "people"])
def test_template_download_parses_back_with_the_import_headers(client: Any, users: Any, kind: str) -> None:
    client.force_login(users.town_admin)
    response = client.get(reverse("org_import_template", args=[kind]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    header, body = excel.read_table(response.content, f"{kind}.xlsx")
    assert tuple(header) == SPECS[kind].columns
    assert len(body) == 1  # one example row
    assert excel.require_columns(header, SPECS[kind].required)


def test_unknown_template_is_404(client: Any, users: Any) -> None:
    client.force_login(users.town_admin)
    assert client.get(reverse("org_import_template", args=["budget"])).status_code == 404


def test_good_org_file_imports_every_row_under_its_parent(users: Any, tree: Any, upload: Any) -> None:
    rows = [
        ("330424105203", "中共新丰村委员会", "新丰村", "330424105", "党委", "基层党组织", "农村"),
        ("33042410520301", "新丰村第一党支部", "", "330424105203", "党支部", "基层党组织", "村"),
        ("330424105F0001", "海盐新丰机械有限公司党支部", "", "330424105", "", "", "非公企业"),
    ]
    response, job = upload(users.town_admin, "orgs", xlsx(ORG_COLUMNS, rows))
    assert response["Location"] == reverse("job_detail", args=[job.pk])
    assert job.status == Job.Status.DONE, job.message
    assert job.message == "成功导入 3 个组织"
    village = Organization.objects.get(code="330424105203")
    branch = Organization.objects.get(code="33042410520301")
    company = Organization.objects.get(code="330424105F0001")
    assert (village.parent, village.kind, village.field) == (tree.town_a, "committee", "village")
    assert branch.parent == village and branch.path.startswith(village.path) and branch.depth == 4
    assert (company.kind, company.level, company.field) == ("branch", "grassroots", "private")
    assert AuditEvent.objects.filter(action="org.import", actor=users.town_admin).count() == 3
    # The tree keeps working: a child added later does not collide with the imported ones.
    from .factories import OrganizationFactory

    assert OrganizationFactory(parent=tree.town_a).path not in {village.path, company.path}


def test_good_people_file_imports_people_positions_and_secretary(users: Any, tree: Any, upload: Any) -> None:
    rows = [
        ("李丰义", "男", "13900000001", "是", "330424105202", "书记"),
        ("王丰义", "女", "", "否", "330424105202", "群众代表"),
        ("赵丰义", "", "139 0000 0003", "", "330424105202", ""),
    ]
    _, job = upload(users.town_admin, "people", xlsx(PEOPLE_COLUMNS, rows))
    assert job.status == Job.Status.DONE, job.result
    assert job.message == "成功导入 3 名人员"
    li = Person.objects.get(name="李丰义")
    assert (li.gender, li.phone, li.is_party_member, li.org_path) == ("M", "13900000001", True, tree.village_a2.path)
    assert Person.objects.get(name="赵丰义").phone == "13900000003"
    assert Organization.objects.get(pk=tree.village_a2.pk).secretary == li
    assert set(Membership.objects.filter(organization=tree.village_a2).values_list("position", flat=True)) == {
        "secretary", "public_rep"}
    assert job.progress == job.total > 0


def test_bad_org_file_reports_every_bad_row_and_writes_nothing(users: Any, tree: Any, upload: Any) -> None:
    rows = [
        ("330424105203", "中共新丰村委员会", "新丰村", "330424105", "党委", "基层党组织", "农村"),  # row 2: good
        ("", "无编码组织", "", "330424105", "", "", ""),  # row 3
        ("330424105204", "", "", "330424105", "", "", ""),  # row 4
        ("330424105203", "重复编码", "", "330424105", "", "", ""),  # row 5
        ("330424105205", "类别错误", "", "330424105", "党小组", "", "农田"),  # row 6
        ("330424105206", "找不到上级", "", "330424199", "", "", ""),  # row 7
        ("330424105201", "已存在", "", "330424105", "", "", ""),  # row 8
        ("330424105207", "上级在后", "", "330424105208", "", "", ""),  # row 9
        ("330424105208", "简称太长", "长" * 51, "330424105", "", "", ""),  # row 10
    ]
    before = counts()
    _, job = upload(users.town_admin, "orgs", xlsx(ORG_COLUMNS, rows))
    assert job.status == Job.Status.FAILED
    assert job.message.startswith(f"发现 {job.result['error_count']} 处问题，未导入任何数据")
    assert errors_of(job) == [
        (3, "组织编码", "不能为空"),
        (4, "组织名称", "不能为空"),
        (5, "组织编码", "与第 2 行重复"),
        (6, "组织类别", "“党小组”不是可选值（可选：党委、党工委、党总支、党支部）"),
        (6, "领域", errors_of(job)[4][2]),
        (7, "上级组织编码", "找不到组织编码“330424199”"),
        (8, "组织编码", "“330424105201”已存在于系统中"),
        (9, "上级组织编码", "上级组织“330424105208”须写在本行之前"),
        (10, "简称", "不能超过50个字符"),
    ]
    assert errors_of(job)[4][2].startswith("“农田”不是可选值")
    assert counts() == before


def test_bad_people_file_reports_every_bad_row_and_writes_nothing(users: Any, tree: Any, upload: Any) -> None:
    rows = [
        ("好人", "男", "13900000001", "是", "330424105202", "党员"),  # row 2: good
        ("", "男", "", "是", "330424105202", ""),  # row 3
        ("坏电话", "男", "12345", "是", "330424105202", ""),  # row 4
        ("重复电话", "女", "13900000001", "是", "330424105202", ""),  # row 5
        ("已登记", "女", "13812345678", "是", "330424105202", ""),  # row 6 (张书记's phone)
        ("性别错", "未知", "", "也许", "330424105202", "组长"),  # row 7
        ("无组织", "男", "", "是", "330424199", ""),  # row 8
    ]
    before = counts()
    _, job = upload(users.town_admin, "people", xlsx(PEOPLE_COLUMNS, rows))
    assert job.status == Job.Status.FAILED
    errors = errors_of(job)
    assert [(r, c) for r, c, _ in errors] == [
        (3, "姓名"), (4, "手机号"), (5, "手机号"), (6, "手机号"), (7, "性别"), (7, "是否党员"), (7, "职务"),
        (8, "所属组织编码")]
    assert dict(((r, c), m) for r, c, m in errors)[(4, "手机号")] == "“12345”不是有效的手机号"
    assert dict(((r, c), m) for r, c, m in errors)[(5, "手机号")] == "与第 2 行重复"
    assert dict(((r, c), m) for r, c, m in errors)[(6, "手机号")] == "“13812345678”已登记在系统中的另一人员名下"
    assert counts() == before


def test_job_page_lists_each_problem_with_row_column_and_reason(client: Any, users: Any, tree: Any,
                                                               upload: Any) -> None:
    rows = [("坏电话", "男", "12345", "是", "330424105202", "")]
    _, job = upload(users.town_admin, "people", xlsx(PEOPLE_COLUMNS, rows))
    page = client.get(reverse("job_detail", args=[job.pk])).content.decode()
    assert "第 2 行" in page and "手机号" in page and "“12345”不是有效的手机号" in page
    assert "未导入任何数据" in page


def test_blank_rows_are_skipped_but_row_numbers_stay_those_of_the_sheet(users: Any, tree: Any, upload: Any) -> None:
    content = "\n".join([",".join(PEOPLE_COLUMNS), "好人,男,,是,330424105202,", ",,,,,", "坏人,男,110,是,330424105202,"])
    _, job = upload(users.town_admin, "people", content.encode(), "people.csv")
    assert errors_of(job) == [(4, "手机号", "“110”不是有效的手机号")]


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig", "utf-8"])
def test_csv_in_chinese_office_encodings_imports(users: Any, tree: Any, upload: Any, encoding: str) -> None:
    content = "\r\n".join([",".join(PEOPLE_COLUMNS), "欧阳丰义,女,13900000009,是,330424105202,委员"])
    _, job = upload(users.town_admin, "people", content.encode(encoding), "人员.csv")
    assert job.status == Job.Status.DONE, job.message
    assert Person.objects.get(name="欧阳丰义").phone == "13900000009"


def test_missing_required_columns_are_named(users: Any, tree: Any, upload: Any) -> None:
    _, job = upload(users.town_admin, "orgs", xlsx(("组织名称", "简称"), [("中共新丰村委员会", "新丰村")]))
    assert job.status == Job.Status.FAILED
    assert job.message == "缺少必填列：组织编码、上级组织编码。请使用导入模板的表头"


@pytest.mark.parametrize(("content", "name", "message"), [
    (b"", "empty.csv", "文件是空的：没有表头，也没有数据行"),
    (b"not a zip", "broken.xlsx", "无法读取该 Excel 文件，请确认是 .xlsx 格式且未损坏"),
])
def test_unreadable_files_fail_with_a_clear_message(users: Any, tree: Any, upload: Any, content: bytes, name: str,
                                                    message: str) -> None:
    _, job = upload(users.town_admin, "orgs", content, name)
    assert (job.status, job.message) == (Job.Status.FAILED, message)


def test_town_admin_cannot_import_under_another_town(users: Any, tree: Any, upload: Any) -> None:
    before = counts()
    _, job = upload(users.town_admin, "orgs", xlsx(ORG_COLUMNS, [
        ("330424105209", "本镇新村", "", "330424105", "", "", ""),
        ("330424104299", "越权新村", "", "330424104", "", "", ""),
    ]))
    assert errors_of(job) == [(3, "上级组织编码", "您无权在“中共澉浦镇委员会”下新增组织")]
    _, job = upload(users.town_admin, "people", xlsx(PEOPLE_COLUMNS, [("越权", "男", "", "是", "330424104201", "")]))
    assert errors_of(job) == [(2, "所属组织编码", "您无权管理“中共长墙山村委员会”")]
    assert counts() == before


@pytest.mark.parametrize("username", ["secretary", "evaluator", "public"])
def test_non_admins_cannot_import(users: Any, tree: Any, upload: Any, username: str) -> None:
    response, job = upload(getattr(users, username), "orgs", xlsx(ORG_COLUMNS, []))
    assert response.status_code == 403 and job is None  # the import page is the admins' (core/reads.py)


def test_only_xlsx_and_csv_are_accepted(users: Any, tree: Any, upload: Any) -> None:
    response, job = upload(users.town_admin, "orgs", b"hello", "data.txt")
    assert response.status_code == 400 and job is None
    assert "只支持 .xlsx 或 .csv 文件" in response.content.decode()


def test_another_users_job_is_404(client: Any, users: Any, tree: Any, upload: Any) -> None:
    _, job = upload(users.town_admin, "people", xlsx(PEOPLE_COLUMNS, [("甲", "男", "", "是", "330424105202", "")]))
    client.force_login(users.other_town_admin)
    assert client.get(reverse("job_detail", args=[job.pk])).status_code == 404


@pytest.mark.slow
def test_ten_thousand_people_import_as_a_job_with_progress_to_the_end(users: Any, tree: Any, upload: Any) -> None:
    rows = [(f"导入人员{i}", "男" if i % 2 else "女", f"137{i:08d}", "是" if i % 3 else "否",
             "330424105202" if i % 2 else "33042410520101", "党员" if i % 3 else "") for i in range(10_000)]
    started = time.perf_counter()
    _, job = upload(users.town_admin, "people", xlsx(PEOPLE_COLUMNS, rows))
    elapsed = time.perf_counter() - started
    assert job.status == Job.Status.DONE, job.message
    assert job.progress == job.total and job.percent == 100
    assert Person.objects.filter(name__startswith="导入人员").count() == 10_000
    assert Person.objects.filter(org_path=tree.village_a2.path).count() == 5_000
    assert elapsed < 60, f"10,000-row import took {elapsed:.1f}s"


def test_codes_and_phones_typed_as_numbers_in_excel_import(users: Any, tree: Any, upload: Any) -> None:
    _, job = upload(users.town_admin, "people", xlsx(PEOPLE_COLUMNS, [("数字", "男", 13900000077, "是", 330424105202, "")]))
    assert job.status == Job.Status.DONE, job.result
    assert Person.objects.get(name="数字").phone == "13900000077"


def test_importing_a_secretary_records_the_organizations_old_and_new_secretary(users: Any, tree: Any,
                                                                                upload: Any) -> None:
    _, job = upload(users.town_admin, "people", xlsx(PEOPLE_COLUMNS, [
        ("新书记", "女", "", "是", "330424105201", "书记"),
        ("首任书记", "男", "", "是", "330424105202", "书记"),
    ]))
    assert job.status == Job.Status.DONE, job.result
    assert Organization.objects.get(pk=tree.village_a1.pk).secretary.name == "新书记"
    changes = {e.target_repr: e.changes for e in AuditEvent.objects.filter(action="org.update", actor=users.town_admin)}
    assert changes == {"中共雪水港村总支部委员会": {"secretary": ["张书记", "新书记"]},
                       "中共丰义村委员会": {"secretary": [None, "首任书记"]}}
