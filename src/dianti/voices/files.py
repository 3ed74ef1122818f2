"""Reading opinion spreadsheets for the miner and writing its results (JSON, or an .xlsx a clerk can print).

The reading side turns a .csv (UTF-8, UTF-8 with BOM, GBK or GB18030) or .xlsx file into
:class:`~dianti.voices.mining.pipeline.Opinion` objects, or raises :class:`SheetError` with a message in Chinese that
says what to fix (which column is missing, which row has a bad number or time). Nothing is half-read: either every
row is usable or the whole file is refused.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from dianti.core.excel import SheetError, read_table, safe_row
from dianti.voices.mining.pipeline import MiningResult, Opinion

__all__ = ["Columns", "SheetError", "parse_time", "read_labelled", "read_opinions", "result_json", "result_xlsx"]

_TIME_FORMATS = ("%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%d %H:%M", "%Y/%m/%d",
                 "%Y-%m-%d", "%Y.%m.%d", "%Y年%m月%d日 %H:%M", "%Y年%m月%d日", "%Y-%m-%dT%H:%M:%S")
_MAX_FILE_BYTES = 200 * 1024 * 1024


@dataclass(frozen=True)
class Columns:
    """The header names of the columns to read; only ``text`` is required."""

    text: str = "留言详情"
    title: str | None = None
    id: str | None = None
    user: str | None = None
    time: str | None = None
    likes: str | None = None
    dislikes: str | None = None


def parse_time(value: str) -> datetime | None:
    """Return the time written in ``value`` (the formats Chinese spreadsheets use), None when blank.

    Raise ValueError when it is not blank and not a time.
    """
    value = value.strip()
    if not value:
        return None
    value = re.sub(r"\.\d+$", "", value)  # fractional seconds from Excel exports
    for fmt in _TIME_FORMATS:
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            continue
    raise ValueError(value)


def _count(value: str) -> int:
    value = value.strip()
    if not value:
        return 0
    number = float(value)
    if number < 0 or number != int(number):
        raise ValueError(value)
    return int(number)


def _load(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    if not path.exists():
        raise SheetError(f"找不到文件：{path}")
    if path.stat().st_size > _MAX_FILE_BYTES:
        raise SheetError("文件过大（超过 200 MB），请拆分后分批处理")
    return read_table(path.read_bytes(), path.name)


def _index(header: list[str], wanted: dict[str, str | None]) -> dict[str, int]:
    """Return the position of each wanted column; raise naming every missing one and the columns there are."""
    positions = {h.strip(): i for i, h in enumerate(header) if h.strip()}
    missing = [f"“{name}”（{role}）" for role, name in wanted.items() if name and name not in positions]
    if missing:
        raise SheetError("缺少列：" + "、".join(missing) + "。文件中的列有：" + "、".join(positions) +
                         "。请用 --text-col 等参数指定正确的列名")
    return {role: positions[name] for role, name in wanted.items() if name}


def read_opinions(path: Path, columns: Columns) -> list[Opinion]:
    """Return the opinions in the spreadsheet at ``path`` (rows with an empty text are skipped).

    Raise :class:`SheetError` naming the missing column, or the row and column of a bad value.
    """
    header, rows = _load(path)
    roles = {"意见内容": columns.text, "标题": columns.title, "编号": columns.id, "用户": columns.user,
             "时间": columns.time, "点赞数": columns.likes, "反对数": columns.dislikes}
    at = _index(header, roles)
    opinions: list[Opinion] = []
    seen: set[str] = set()
    for number, cells in rows:
        def cell(role: str, cells: list[str] = cells) -> str:
            i = at.get(role)
            return cells[i] if i is not None and i < len(cells) else ""

        text, title = cell("意见内容"), cell("标题")
        if not text.strip() and not title.strip():
            continue
        opinion_id = cell("编号") or str(number)
        if opinion_id in seen:
            raise SheetError(f"第 {number} 行，列“{columns.id}”：编号“{opinion_id}”与前面的行重复")
        seen.add(opinion_id)
        values: dict[str, Any] = {}
        for role, parse in (("时间", parse_time), ("点赞数", _count), ("反对数", _count)):
            try:
                values[role] = parse(cell(role))
            except ValueError:
                raise SheetError(f"第 {number} 行，列“{roles[role]}”：“{cell(role)}”不是有效的"
                                 + ("时间，例如 2024/5/1 09:30" if role == "时间" else "非负整数")) from None
        opinions.append(Opinion(id=opinion_id, text=text, title=title, user=cell("用户") or None,
                                time=values["时间"], likes=values["点赞数"] or 0, dislikes=values["反对数"] or 0))
    if not opinions:
        raise SheetError("文件中没有任何意见内容")
    return opinions


def read_labelled(path: Path, *, text: str, title: str | None, label: str) -> tuple[list[tuple[str, str]], list[str]]:
    """Return ``(title, text)`` pairs and their labels from a labelled spreadsheet; rows without a label are skipped."""
    header, rows = _load(path)
    at = _index(header, {"意见内容": text, "标题": title, "类别": label})
    items: list[tuple[str, str]] = []
    labels: list[str] = []
    for _number, cells in rows:
        def cell(role: str, cells: list[str] = cells) -> str:
            i = at.get(role)
            return cells[i] if i is not None and i < len(cells) else ""

        if cell("类别").strip() and (cell("意见内容").strip() or cell("标题").strip()):
            items.append((cell("标题"), cell("意见内容")))
            labels.append(cell("类别").strip())
    if not items:
        raise SheetError(f"训练文件中没有带“{label}”的行")
    return items, labels


def result_json(result: MiningResult) -> str:
    """Return the ``dianti mine`` JSON document of ``result``."""
    return json.dumps(result.as_dict(), ensure_ascii=False, indent=1)


_HOT_HEADERS = ("排名", "问题编号", "热点问题", "关键词", "意见条数", "反映人数", "点赞数", "热度", "类别",
                "时间范围", "意见编号")
_DETAIL_HEADERS = ("问题编号", "热点问题", "意见编号", "标题", "意见内容", "用户", "时间", "点赞数", "反对数", "类别",
                   "置信度")


def _style(ws: Worksheet, widths: Sequence[int]) -> None:
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="FDE7E7")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for column, width in zip(ws.iter_cols(min_row=1, max_row=1), widths, strict=False):
        ws.column_dimensions[column[0].column_letter].width = width
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(vertical="top", wrap_text=True)
    ws.freeze_panes = "A2"
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _day(value: str | None) -> str:
    return value[:10] if value else ""


def result_xlsx(result: MiningResult, opinions: Sequence[Opinion]) -> bytes:
    """Return a printable workbook: sheet 热点问题表 (one row per topic, loudest first) and 明细表 (the opinions
    behind each topic, in rank order)."""
    by_id = {o.id: o for o in opinions}
    wb = Workbook()
    hot = wb.active
    hot.title = "热点问题表"
    hot.append(list(_HOT_HEADERS))
    for rank, topic in enumerate(result.topics, start=1):
        first, last = topic.time_range
        hot.append(safe_row([rank, topic.id, topic.title, "、".join(topic.keywords), topic.size, topic.people,
                             topic.likes, round(topic.heat, 2), topic.category or "",
                             f"{_day(first)} 至 {_day(last)}" if first else "", "、".join(topic.members)]))
    _style(hot, (6, 9, 36, 24, 9, 9, 8, 8, 12, 24, 30))
    detail = wb.create_sheet("明细表")
    detail.append(list(_DETAIL_HEADERS))
    for topic in result.topics:
        for member in topic.members:
            o = by_id[member]
            p = result.predictions.get(member)
            detail.append(safe_row([topic.id, topic.title, o.id, o.title, o.text[:2000], o.user or "",
                                    o.time.strftime("%Y-%m-%d %H:%M") if o.time else "", o.likes, o.dislikes,
                                    p.category if p and p.category else "", p.confidence if p else ""]))
    _style(detail, (9, 30, 12, 30, 60, 12, 16, 8, 8, 12, 8))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
