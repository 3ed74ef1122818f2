"""Spreadsheet helpers: templates, exports and a reader that reports problems by row and column.

Reading accepts .xlsx and .csv (UTF-8 with or without BOM, or GBK/GB18030, as Chinese offices often save them).

Every cell an export writes goes through :func:`safe_cell`: text that a spreadsheet would take for a formula (it
starts with ``= + - @``, a tab or a carriage return) gets a leading apostrophe, so an opinion written as
``=HYPERLINK(...)`` by anyone on a public page is shown as text in the county's audit sheet, never run.
"""

from __future__ import annotations

import csv
import io
import threading
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.http import HttpResponse
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.reader import excel as openpyxl_reader
from openpyxl.styles import Font, PatternFill
from openpyxl.utils.cell import range_boundaries
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._reader import DATA_TAG, DIMENSION_TAG
from openpyxl.xml.functions import iterparse

from .http import file_response

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


class _Echo:
    """A file-like object whose ``write`` returns what was written, for :func:`csv.writer` to stream through."""

    def write(self, value: str) -> str:
        return value


def csv_lines(headers: Sequence[str], rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """Yield a UTF-8 CSV line by line (the first with a byte-order mark, so spreadsheet programs read the Chinese
    right): the header, then each row with every cell made safe by :func:`safe_cell`."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(list(headers))
    for row in rows:
        yield writer.writerow(safe_row(row))


def workbook(headers: Sequence[str], rows: Iterable[Sequence[Any]], title: str = "Sheet1") -> bytes:
    """Return an .xlsx with a bold, frozen header row and sensible column widths; every cell made safe.

    Written in openpyxl's write-only mode: rows stream to the file instead of living as cell objects, so a province's
    150,000-row roster costs tens of megabytes, not gigabytes."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title[:31])
    ws.freeze_panes = "A2"
    for i, header in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(10, min(40, len(str(header)) * 2 + 4))
    head = []
    for value in safe_row(headers):
        cell = WriteOnlyCell(ws, value=value)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="FDE7E7")
        head.append(cell)
    ws.append(head)
    for row in rows:
        ws.append(safe_row(row))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def template(columns: Sequence[str], example: Sequence[Sequence[Any]]) -> bytes:
    return workbook(columns, example, title="导入")


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    """Return a workbook as a download named ``filename`` (see :func:`dianti.core.http.file_response`)."""
    return file_response(content, filename, "xlsx")


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SheetError("无法识别文件编码，请另存为 UTF-8 或 GBK 编码的 CSV，或 Excel (.xlsx) 文件")


# An .xlsx is a zip: 432 KB of it once held 3 million rows of XML. What a sheet may unpack to, and how much more than
# its packed size a member may unpack to, are checked on the zip's directory before anything is decompressed
# (zipfile then stops each member at its declared size).
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_PACKING_RATIO = 100
MAX_COLUMNS = 200


def check_xlsx_size(raw: bytes) -> None:
    """Refuse an .xlsx that would unpack to more than :data:`MAX_UNPACKED_BYTES`, or whose members are packed
    suspiciously tightly (a member over 1 MB unpacked that is more than :data:`MAX_PACKING_RATIO` times its packed
    size), before opening it."""
    try:
        members = zipfile.ZipFile(io.BytesIO(raw)).infolist()
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as exc:  # an unknown zip version too
        raise SheetError("无法读取该 Excel 文件，请确认是 .xlsx 格式且未损坏") from exc
    unpacked = sum(m.file_size for m in members)
    bomb = [m for m in members if m.file_size > 1024 * 1024 and m.file_size > MAX_PACKING_RATIO * max(m.compress_size, 1)]
    if unpacked > MAX_UNPACKED_BYTES or bomb:
        raise SheetError(f"文件解压后超过 {MAX_UNPACKED_BYTES // (1024 * 1024)} MB 或压缩比异常，无法导入。"
                         "请删除空行空列后另存，或拆分后分批导入")


class _SizedFromTheHead(ReadOnlyWorksheet):
    """openpyxl's read-only sheet, sized from its ``<dimension>`` element without parsing the whole sheet.

    openpyxl looks for that element with "end" events, and the first "end" that could stop it is ``</sheetData>``:
    a sheet without the element is parsed through, every row, before the first row is read — the whole cost of a
    bomb, whatever the row limit. The element comes before ``<sheetData>`` (the schema's order), so "start" events
    find it, or its absence, at once; the result is the same.
    """

    def _get_size(self) -> None:
        src = self._get_source()
        try:
            for _event, element in iterparse(src, events=("start",)):
                if element.tag == DIMENSION_TAG:
                    self._min_column, self._min_row, self._max_column, self._max_row = range_boundaries(
                        element.get("ref", "A1"))
                    break
                if element.tag == DATA_TAG:
                    break
        except (SyntaxError, ValueError, TypeError):  # a damaged head: read unsized, the rows will tell
            pass
        finally:
            src.close()


_OPENING = threading.Lock()


def _open_read_only(raw: bytes) -> Any:
    # load_workbook builds its read-only sheets from a module global: swap in the sheet above for this call only.
    with _OPENING:
        original, openpyxl_reader.ReadOnlyWorksheet = openpyxl_reader.ReadOnlyWorksheet, _SizedFromTheHead
        try:
            return load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
        finally:
            openpyxl_reader.ReadOnlyWorksheet = original


# What a damaged .xlsx raises from inside zipfile, zlib, the XML parser or openpyxl (NotImplementedError: zipfile on
# a member claiming a zip version or a compression method it does not know).
DAMAGED = (InvalidFileException, zipfile.BadZipFile, zlib.error, EOFError, KeyError, OSError, ValueError, IndexError,
           TypeError, SyntaxError, AttributeError, NotImplementedError)


def _xlsx_rows(raw: bytes) -> Iterator[list[str]]:
    check_xlsx_size(raw)
    try:
        wb = _open_read_only(raw)
        ws = wb.worksheets[0]
    except DAMAGED as exc:
        raise SheetError("无法读取该 Excel 文件，请确认是 .xlsx 格式且未损坏") from exc
    # A sheet may declare itself A1:XFD1048576: rows are padded to the declared width, so bound it.
    width = min(ws.max_column or MAX_COLUMNS, MAX_COLUMNS) if ws.max_column else None
    try:
        for row in ws.iter_rows(values_only=True, max_col=width):
            yield ["" if v is None else str(v).strip() for v in row[:MAX_COLUMNS]]
    except DAMAGED as exc:  # damage further in: a member that does not inflate, XML cut off
        raise SheetError("Excel 文件已损坏，读到一半无法继续，请重新保存后再导入") from exc
    finally:
        wb.close()


def _csv_rows(raw: bytes) -> Iterator[list[str]]:
    if len(raw) > MAX_UNPACKED_BYTES:
        raise SheetError(f"文件超过 {MAX_UNPACKED_BYTES // (1024 * 1024)} MB，请拆分后分批导入")
    try:
        for row in csv.reader(io.StringIO(_decode(raw))):
            yield [c.strip() for c in row[:MAX_COLUMNS]]
    except csv.Error as exc:  # a field over the csv module's limit, a NUL …
        raise SheetError(f"CSV 文件格式有误（{exc}），请用 Excel 另存为 CSV 或 .xlsx 后再导入") from exc


def read_table(raw: bytes, filename: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Return the header and the non-empty rows (with their spreadsheet row numbers) of an .xlsx or .csv file.

    Rows are read one at a time and reading stops at the first row past :data:`MAX_ROWS`: a file too long is refused
    without being read to the end. An .xlsx is checked for its unpacked size first (:func:`check_xlsx_size`).
    """
    name = filename.lower()
    if name.endswith(".csv"):
        source = _csv_rows(raw)
    elif name.endswith((".xlsx", ".xlsm")):
        source = _xlsx_rows(raw)
    else:
        raise SheetError("只支持 .xlsx 或 .csv 文件")
    rows: list[tuple[int, list[str]]] = []
    for number, row in enumerate(source, start=1):
        if any(row):
            if len(rows) > MAX_ROWS:  # the header and MAX_ROWS data rows are in
                source.close()
                raise SheetError(f"文件过大：最多 {MAX_ROWS} 行，请拆分后分批导入")
            rows.append((number, row))
    if not rows:
        raise SheetError("文件是空的：没有表头，也没有数据行")
    header_row, *body = rows
    return header_row[1], body


def require_columns(header: list[str], required: Sequence[str]) -> dict[str, int]:
    """Return the index of each known column; raise naming every required column that is missing."""
    index = {h.strip(): i for i, h in enumerate(header) if h.strip()}
    missing = [c for c in required if c not in index]
    if missing:
        raise SheetError("缺少必填列：" + "、".join(missing) + "。请使用导入模板的表头")
    return index
