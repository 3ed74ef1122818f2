"""Spreadsheet helpers: templates, exports and a reader that reports problems by row and column.

Reading accepts .xlsx and .csv (UTF-8 with or without BOM, or GBK/GB18030, as Chinese offices often save them).

Every cell an export writes goes through :func:`safe_cell`: text that a spreadsheet would take for a formula (it
starts with ``= + - @``, a tab or a carriage return) gets a leading apostrophe, so an opinion written as
``=HYPERLINK(...)`` by anyone on a public page is shown as text in the county's audit sheet, never run.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.http import HttpResponse
from django.utils.encoding import escape_uri_path
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font, PatternFill
from openpyxl.utils.exceptions import InvalidFileException

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ROWS = 200_000


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"第 {self.row} 行，列“{self.column}”：{self.message}"


class SheetError(ValueError):
    """The file as a whole cannot be read (wrong format, missing columns …)."""


# What spreadsheet programs read as the start of a formula (OWASP "CSV injection"; tab and CR as well, which some
# programs skip before looking for "=").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Return ``value`` as an export should write it: text that could start a formula behind an apostrophe, and
    without the control characters an .xlsx cannot hold; numbers, dates and None unchanged (booleans as 是/否)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def safe_row(row: Iterable[Any]) -> list[Any]:
    """Return ``row`` with every cell passed through :func:`safe_cell` (for .xlsx and .csv writers alike)."""
    return [safe_cell(v) for v in row]


def workbook(headers: Sequence[str], rows: Iterable[Sequence[Any]], title: str = "Sheet1") -> bytes:
    """Return an .xlsx with a bold, frozen header row and sensible column widths; every cell made safe."""
    wb = Workbook(write_only=False)
    ws = wb.active
    ws.title = title[:31]
    ws.append(safe_row(headers))
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="FDE7E7")
    ws.freeze_panes = "A2"
    for row in rows:
        ws.append(safe_row(row))
    for i, header in enumerate(headers, start=1):
        ws.column_dimensions[ws.cell(1, i).column_letter].width = max(10, min(40, len(str(header)) * 2 + 4))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def template(columns: Sequence[str], example: Sequence[Sequence[Any]]) -> bytes:
    return workbook(columns, example, title="导入")


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_MIME)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{escape_uri_path(filename)}"
    return response


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SheetError("无法识别文件编码，请另存为 UTF-8 或 GBK 编码的 CSV，或 Excel (.xlsx) 文件")


def read_table(raw: bytes, filename: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Return the header and the non-empty rows (with their spreadsheet row numbers) of an .xlsx or .csv file."""
    name = filename.lower()
    if name.endswith(".csv"):
        reader = csv.reader(io.StringIO(_decode(raw)))
        rows = [(i, [c.strip() for c in r]) for i, r in enumerate(reader, start=1)]
    elif name.endswith((".xlsx", ".xlsm")):
        try:
            wb = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
        except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
            raise SheetError("无法读取该 Excel 文件，请确认是 .xlsx 格式且未损坏") from exc
        ws = wb.worksheets[0]
        rows = [(i, ["" if v is None else str(v).strip() for v in r])
                for i, r in enumerate(ws.iter_rows(values_only=True), start=1)]
    else:
        raise SheetError("只支持 .xlsx 或 .csv 文件")
    rows = [(i, r) for i, r in rows if any(r)]
    if not rows:
        raise SheetError("文件是空的：没有表头，也没有数据行")
    if len(rows) > MAX_ROWS + 1:
        raise SheetError(f"文件过大：最多 {MAX_ROWS} 行，请拆分后分批导入")
    header_row, *body = rows
    return header_row[1], body


def require_columns(header: list[str], required: Sequence[str]) -> dict[str, int]:
    """Return the index of each known column; raise naming every required column that is missing."""
    index = {h.strip(): i for i, h in enumerate(header) if h.strip()}
    missing = [c for c in required if c not in index]
    if missing:
        raise SheetError("缺少必填列：" + "、".join(missing) + "。请使用导入模板的表头")
    return index
