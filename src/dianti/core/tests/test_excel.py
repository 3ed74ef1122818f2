"""Spreadsheet reading and writing: .xlsx and .csv in the encodings Chinese offices use, errors by row/column."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from dianti.core import excel


def test_workbook_writes_a_bold_frozen_header_and_yes_no_for_booleans() -> None:
    content = excel.workbook(("姓名", "党员", "备注"), [("张三", True, None), ("李四", False, 3)], "人员")
    ws = load_workbook(io.BytesIO(content)).active
    assert ws.title == "人员" and ws.freeze_panes == "A2" and ws["A1"].font.bold
    assert list(ws.iter_rows(values_only=True)) == [("姓名", "党员", "备注"), ("张三", "是", None), ("李四", "否", 3)]


def test_read_table_returns_header_and_rows_with_sheet_row_numbers() -> None:
    content = excel.workbook(("姓名", "手机号"), [(" 张三 ", 13800000000), ("", ""), ("李四", "")])
    header, rows = excel.read_table(content, "人员.XLSX")
    assert header == ["姓名", "手机号"]
    assert rows == [(2, ["张三", "13800000000"]), (4, ["李四", ""])]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_is_read_in_utf8_or_gbk(encoding: str) -> None:
    raw = "姓名,所属组织\r\n欧阳娜,通元镇\r\n".encode(encoding)
    assert excel.read_table(raw, "a.csv") == (["姓名", "所属组织"], [(2, ["欧阳娜", "通元镇"])])


def test_gb18030_only_characters_survive() -> None:
    raw = "姓名\r\n𠀀明\r\n".encode("gb18030")  # outside GBK: needs GB18030
    assert excel.read_table(raw, "a.csv")[1] == [(2, ["𠀀明"])]


@pytest.mark.parametrize(("raw", "name", "message"), [
    (b"x", "a.txt", "只支持 .xlsx 或 .csv 文件"),
    (b"\n\n", "a.csv", "文件是空的"),
    (b"PK\x03\x04broken", "a.xlsx", "无法读取该 Excel 文件"),
])
def test_unreadable_files_raise_a_sheet_error_in_chinese(raw: bytes, name: str, message: str) -> None:
    with pytest.raises(excel.SheetError, match=message):
        excel.read_table(raw, name)


def test_too_many_rows_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(excel, "MAX_ROWS", 2)
    with pytest.raises(excel.SheetError, match="文件过大：最多 2 行"):
        excel.read_table(b"a\n1\n2\n3\n", "a.csv")


def test_require_columns_names_every_missing_column() -> None:
    assert excel.require_columns([" 姓名 ", "", "手机号"], ["姓名"]) == {"姓名": 0, "手机号": 2}
    with pytest.raises(excel.SheetError) as exc:
        excel.require_columns(["手机号"], ["姓名", "所属组织编码", "手机号"])
    assert str(exc.value) == "缺少必填列：姓名、所属组织编码。请使用导入模板的表头"


def test_row_error_reads_as_a_sentence() -> None:
    assert str(excel.RowError(17, "手机号", "不是有效的手机号")) == "第 17 行，列“手机号”：不是有效的手机号"
