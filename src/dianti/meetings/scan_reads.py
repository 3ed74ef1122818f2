"""Reads for machine-read paper ballots: the sheets waiting for a clerk, each page's image beside the marks read
with their confidences and flags, and the scans kept in the meeting's records."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import Http404

from dianti.core.models import Job

from .models import AgendaItem, Meeting, PaperScan
from .omr import layout as L
from .scans import FLAGS, JOB_KIND


@dataclass
class MarkRow:
    """One subject's row as read: the option chosen with its confidence, or the flag a person must decide."""

    item: AgendaItem
    choice: str | None
    confidence: float
    flag: str | None
    scan: PaperScan | None = None
    top: float = 0.0  # the row's top on the page, mm (its strip of the upright image is shown beside it)

    @property
    def strip(self) -> str:
        return strip_style(self.top)

    @property
    def flag_text(self) -> str:
        return str(FLAGS.get(self.flag or "", self.flag or ""))

    @property
    def percent(self) -> int:
        return round(self.confidence * 100)


@dataclass
class Sheet:
    """A sheet waiting for a clerk: its pages' scans (one per page, in order), what was read on them."""

    scans: list[PaperScan]
    group_choice: str | None = None
    group_flag: str | None = None
    group_confidence: float = 0.0
    group_scan: PaperScan | None = None
    rows: list[MarkRow] = field(default_factory=list)

    @property
    def group_strip(self) -> str:
        return strip_style(*GROUP_STRIP)

    @property
    def serial(self) -> int | None:
        return self.scans[0].serial

    @property
    def key(self) -> str:
        return "-".join(str(s.pk) for s in self.scans)

    @property
    def complete(self) -> bool:
        return sorted(s.page for s in self.scans) == list(range(1, self.scans[0].pages + 1))

    @property
    def flagged(self) -> int:
        return sum(1 for r in self.rows if r.flag) + (1 if self.group_flag else 0)

    @property
    def problems(self) -> list[str]:
        return [s.problem for s in self.scans if s.problem]

    @property
    def group_percent(self) -> int:
        return round(self.group_confidence * 100)

    @property
    def group_flag_text(self) -> str:
        return str(FLAGS.get(self.group_flag or "", self.group_flag or ""))


STRIP_LEFT, STRIP_W = L.LEFT, L.RIGHT - L.LEFT  # a strip spans the table, mm
GROUP_STRIP = (L.GROUPS_TOP + 5.5, 9.0)  # the group boxes' line: top and height, mm


def strip_style(top: float, height: float = L.ROW_H) -> str:
    """Return the CSS that shows the band ``top``…``top + height`` mm of an upright page (an ``<img>`` of the whole
    page inside a box as wide as the table): margins in % of the box's width, so it scales with the screen."""
    return (f"--strip-ratio:{STRIP_W / height:.3f};--strip-w:{100 * L.PAGE_W / STRIP_W:.3f}%;"
            f"--strip-x:{-100 * STRIP_LEFT / STRIP_W:.3f}%;--strip-y:{-100 * top / STRIP_W:.3f}%")


def _tops(meeting: Meeting) -> dict[str, float]:
    from .documents import ballot_spec

    return {row.item: row.top for lay in L.page_layouts(ballot_spec(meeting)) for row in lay.rows}


def _sheet(scans: list[PaperScan], items: dict[str, AgendaItem], tops: dict[str, float]) -> Sheet:
    sheet = Sheet(sorted(scans, key=lambda s: s.page))
    for scan in sheet.scans:
        group = scan.read.get("group")
        if group:
            sheet.group_choice, sheet.group_flag = group["choice"], group["flag"]
            sheet.group_confidence, sheet.group_scan = group["confidence"], scan
        sheet.rows += [MarkRow(items[r["item"]], r["choice"], r["confidence"], r["flag"], scan, tops.get(r["item"], 0))
                       for r in scan.read.get("rows", []) if r["item"] in items]
    return sheet


def sheets_waiting(meeting: Meeting, limit: int = 20) -> list[Sheet]:
    """Return the sheets read but not yet confirmed, oldest first: the pages of one serial read in one batch are
    one sheet (a page seen twice in a batch starts another); a page without a readable serial is a sheet alone."""
    items = {str(i.pk): i for i in meeting.agenda.select_related("subject", "subject__organization")}
    groups: dict[tuple[Any, ...], list[PaperScan]] = {}
    for scan in PaperScan.objects.filter(meeting=meeting, status=PaperScan.Status.READ).order_by("pk"):
        key: tuple[Any, ...] = (scan.job_id, scan.serial) if scan.serial else ("alone", scan.pk)
        while key in groups and any(s.page == scan.page for s in groups[key]):
            key = (*key, "again")
        groups.setdefault(key, []).append(scan)
    tops = _tops(meeting) if groups else {}
    return [_sheet(scans, items, tops) for scans in list(groups.values())[:limit]]


def scans_waiting_count(meeting: Meeting) -> int:
    return PaperScan.objects.filter(meeting=meeting, status=PaperScan.Status.READ).count()


def scans_done(meeting: Meeting, limit: int = 200) -> list[PaperScan]:
    """Return the scans confirmed, set aside or refused, newest first: the meeting's record of paper images."""
    return list(PaperScan.objects.filter(meeting=meeting).exclude(status=PaperScan.Status.READ)
                .order_by("-pk")[:limit])


def scans_of_serial(meeting: Meeting) -> dict[int, list[PaperScan]]:
    """Return {serial: its kept scans} for the meeting's records, so any count can be checked against the paper."""
    out: dict[int, list[PaperScan]] = {}
    for scan in PaperScan.objects.filter(meeting=meeting, serial__isnull=False).exclude(image="").order_by("pk"):
        out.setdefault(scan.serial, []).append(scan)  # type: ignore[arg-type]
    return out


def scan_get(meeting: Meeting, pk: int) -> PaperScan:
    """Return the meeting's scan ``pk`` (the caller has checked the meeting is in the user's scope)."""
    scan = PaperScan.objects.filter(pk=pk, meeting=meeting).first()
    if scan is None or not scan.image:
        raise Http404("找不到该选票图片")
    return scan


def read_jobs(user: Any, meeting: Meeting, limit: int = 3) -> list[Job]:
    """Return the user's latest reading jobs for the meeting (the first is shown with its progress)."""
    return list(Job.objects.filter(kind=JOB_KIND, created_by=user, params__meeting_id=meeting.pk)
                .order_by("-created_at", "-pk")[:limit])
