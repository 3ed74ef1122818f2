"""Where everything a machine reads sits on a printed paper ballot, in millimetres on the A4 page.

The ballot template places the corner markers, the QR code and every box from :func:`page_layouts`, and the reader
measures the boxes from the same function, so the printed page and the reader cannot disagree. Coordinates are
from the page's top-left corner, x to the right, y down; a box is given by its centre.

A sheet holds at most :data:`ROWS_PER_PAGE` subjects and :data:`MAX_GRADES` grades; a meeting with more subjects
prints each serial on several pages, each page with its own QR code (meeting, serial, page, pages).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

PAGE_W, PAGE_H = 210.0, 297.0
MARKER_SIZE = 10.0  # mm; DICT_4X4_50 has 6 × 6 cells with its black border
MARKER_IDS = (0, 1, 2, 3)  # top-left, top-right, bottom-right, bottom-left
MARKER_ORIGINS = ((8.0, 8.0), (192.0, 8.0), (192.0, 279.0), (8.0, 279.0))  # top-left corner of each marker
QR_ORIGIN, QR_SIZE = (168.0, 24.0), 24.0
BOX = 6.0  # printed box side, mm
INNER = 3.6  # side of the square inside a box whose ink is measured (clear of the printed border)
LEFT, RIGHT = 15.0, 195.0
NO_W, GRADE_W = 12.0, 17.0
TABLE_TOP, HEAD_H, ROW_H = 64.0, 9.0, 9.0
ROWS_PER_PAGE = 21
MAX_GRADES = 6
GROUPS_TOP, GROUP_PITCH_X, GROUP_PITCH_Y, GROUPS_PER_LINE = 40.0, 50.0, 8.0, 3
MAX_GROUPS = 6
QR_PREFIX = "DTB1"


@dataclass(frozen=True)
class Box:
    """One box to be marked: the row it belongs to (an agenda item id, or ``"group"``), its option, its centre."""

    row: str
    option: str
    x: float
    y: float


@dataclass(frozen=True)
class Row:
    """One printed row: a subject (its agenda item id, order and label) and its y (top of the row)."""

    item: str
    order: int
    label: str
    top: float


@dataclass(frozen=True)
class PageLayout:
    """One page of a sheet: its rows, its grade columns' left edges, and every box the reader measures."""

    page: int  # 1-based
    pages: int
    grades: tuple[str, ...]
    groups: tuple[str, ...]  # printed on page 1 only
    rows: tuple[Row, ...]
    grade_x: tuple[float, ...]
    boxes: tuple[Box, ...]

    @property
    def table_bottom(self) -> float:
        return TABLE_TOP + HEAD_H + ROW_H * len(self.rows)


@dataclass(frozen=True)
class BallotSpec:
    """What a meeting's paper ballot shows: plain data, so the layout, the renderer and the reader need no database.
    ``items`` are (agenda item id, order, label) in agenda order."""

    meeting_id: int
    title: str
    grades: tuple[str, ...]
    groups: tuple[str, ...]
    items: tuple[tuple[str, int, str], ...]

    def __post_init__(self) -> None:
        if not 1 <= len(self.grades) <= MAX_GRADES:
            raise ValueError(f"a paper ballot holds 1 to {MAX_GRADES} grades")
        if len(self.groups) > MAX_GROUPS:
            raise ValueError(f"a paper ballot holds at most {MAX_GROUPS} groups")


def marker_corners(index: int) -> list[tuple[float, float]]:
    """Return marker ``index``'s four corners in mm, clockwise from its top-left (OpenCV's ArUco order)."""
    x, y = MARKER_ORIGINS[index]
    s = MARKER_SIZE
    return [(x, y), (x + s, y), (x + s, y + s), (x, y + s)]


def group_box(index: int) -> tuple[float, float]:
    """Return the centre of group ``index``'s box (its label is printed to the right)."""
    line, col = divmod(index, GROUPS_PER_LINE)
    return LEFT + 3.0 + col * GROUP_PITCH_X, GROUPS_TOP + 10.0 + line * GROUP_PITCH_Y


def _grade_x(n: int) -> tuple[float, ...]:
    return tuple(RIGHT - GRADE_W * (n - i) for i in range(n))


def page_layouts(spec: BallotSpec) -> list[PageLayout]:
    """Return the layout of every page of one sheet of ``spec`` (at least one page, even without subjects)."""
    pages = max(1, math.ceil(len(spec.items) / ROWS_PER_PAGE))
    grade_x = _grade_x(len(spec.grades))
    out = []
    for p in range(pages):
        chunk = spec.items[p * ROWS_PER_PAGE:(p + 1) * ROWS_PER_PAGE]
        rows = tuple(Row(item, order, label, TABLE_TOP + HEAD_H + ROW_H * i)
                     for i, (item, order, label) in enumerate(chunk))
        groups = spec.groups if p == 0 else ()
        boxes = [Box("group", g, *group_box(i)) for i, g in enumerate(groups)]
        for row in rows:
            boxes += [Box(row.item, grade, x + GRADE_W / 2, row.top + ROW_H / 2)
                      for grade, x in zip(spec.grades, grade_x, strict=True)]
        out.append(PageLayout(p + 1, pages, spec.grades, groups, rows, grade_x, tuple(boxes)))
    return out


def qr_payload(meeting_id: int, serial: int, page: int, pages: int) -> str:
    """Return the text of a page's QR code: what is printed on the sheet anyway, nothing about a person."""
    return f"{QR_PREFIX}:{meeting_id}:{serial}:{page}/{pages}"


@dataclass(frozen=True)
class SheetId:
    meeting_id: int
    serial: int
    page: int
    pages: int


def parse_qr(text: str) -> SheetId | None:
    """Return the sheet named by a QR code's text, or None for any other text."""
    parts = text.strip().split(":")
    if len(parts) != 4 or parts[0] != QR_PREFIX:
        return None
    try:
        page, pages = (int(v) for v in parts[3].split("/"))
        sheet = SheetId(int(parts[1]), int(parts[2]), page, pages)
    except ValueError:
        return None
    return sheet if sheet.serial > 0 and 1 <= sheet.page <= sheet.pages else None
