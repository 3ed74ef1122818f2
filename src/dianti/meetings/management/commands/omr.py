"""``dianti omr read SCANS… --meeting ID --out marks.json``: read paper ballots from a scanner's PDF or TIFF, photos
or a folder, and write what was read per sheet (serial, marks with confidences, flags). Nothing is counted: the
file is for checking and for the clerks; entries are made in the meeting's paper page."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dianti.meetings.documents import ballot_spec
from dianti.meetings.models import Meeting
from dianti.meetings.omr import sources
from dianti.meetings.omr.read import RowRead, SheetRead, read_sheet
from dianti.meetings.scans import BAD_FILE, TOO_LARGE


def _row(row: RowRead, orders: dict[str, int]) -> dict[str, Any]:
    return {"item": row.row, "order": orders.get(row.row), "choice": row.choice, "confidence": row.confidence,
            "flag": row.flag, "fills": row.fills}


def sheet_json(source: str, read: SheetRead, orders: dict[str, int]) -> dict[str, Any]:
    """Return one sheet's entry in the output file."""
    group = None if read.group is None else {k: v for k, v in _row(read.group, orders).items() if k != "order"}
    return {"source": source, "found": read.found, "reason": read.reason, "serial": read.serial,
            "page": read.page, "pages": read.pages, "group": group,
            "marks": [_row(r, orders) for r in read.rows], "flags": len(read.flags)}


class Command(BaseCommand):
    help = "识别纸质选票（扫描 PDF、TIFF、照片或文件夹）：dianti omr read 文件… --meeting 会议ID --out marks.json；只输出识别结果，不计票。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        read = sub.add_parser("read", help="识别选票并写出 JSON")
        read.add_argument("scans", nargs="+", help="PDF、TIFF、图片文件或文件夹")
        read.add_argument("--meeting", type=int, required=True, help="会议 ID")
        read.add_argument("--out", required=True, help="输出的 JSON 文件")
        read.add_argument("--dpi", type=int, default=sources.SCAN_DPI, help="PDF 栅格化分辨率（默认 200）")

    def handle(self, *args: Any, action: str, scans: list[str], meeting: int, out: str, dpi: int,
               **options: Any) -> None:
        found = Meeting.with_rehearsals.filter(pk=meeting).first()  # a rehearsal's ballots can be checked too
        if found is None:
            raise CommandError(f"没有 ID 为 {meeting} 的会议")
        spec = ballot_spec(found)
        orders = {item: order for item, order, _label in spec.items}
        files = sources.expand(scans)
        missing = [str(f) for f in files if not f.is_file()]
        if missing:
            raise CommandError(f"找不到文件：{'、'.join(missing)}")
        sheets, problems = [], []
        for path in files:
            try:
                for source, image in sources.pages(path, dpi):
                    sheets.append(sheet_json(source, read_sheet(image, spec), orders))
            except sources.TooLarge:
                problems.append({"file": str(path), "message": str(TOO_LARGE) % {
                    "pages": sources.MAX_PAGES, "pixels": sources.MAX_PAGE_PIXELS // 10_000}})
            except Exception:  # noqa: BLE001 — a truncated or corrupt file: named, the others are still read
                problems.append({"file": str(path), "message": str(BAD_FILE)})
        for problem in problems:
            self.stderr.write(f"{problem['file']}：{problem['message']}")
        seen = Counter((s["serial"], s["page"]) for s in sheets if s["serial"] is not None)
        summary = {"sheets": len(sheets), "read": sum(1 for s in sheets if s["serial"] is not None),
                   "not_found": sum(1 for s in sheets if not s["found"]),
                   "flagged_rows": sum(s["flags"] for s in sheets),
                   "seen_twice": sorted(serial for (serial, _page), n in seen.items() if n > 1)}
        Path(out).write_text(json.dumps({"meeting": found.pk, "sheets": sheets, "summary": summary, "files": problems},
                                        ensure_ascii=False, indent=1), encoding="utf-8")
        self.stdout.write(f"已识别 {summary['read']}/{summary['sheets']} 页，需人工核对 {summary['flagged_rows']} 处；"
                          f"结果写入 {out}（未计票）")
