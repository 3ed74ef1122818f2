"""Benchmark of the paper ballot reader: ``dianti bench omr [-o n=2000] [-o dpi=200] [-o pdf=100] [-o seed=1]``.

Prints the project's own ballot (10 subjects, 4 grades, 3 groups) for 20 serials, rasterises it at ``dpi``, and
builds ``n`` synthetic sheets on the fly (:mod:`dianti.meetings.omr.synth`): every row marked in a random style
(tick, cross, filled, half-filled, scribble, circle round the box, faint pencil tick; none, two boxes, corrected,
smudge — dirt only — which must be flagged), half degraded as a scanner does and half as
a phone photo does (±10°, perspective, shadow, blur, noise, JPEG 50). Each sheet is read by the product's reader
and, in the same run, by a *baseline*: a plain reader with a fixed grey threshold (128) that takes the image as the
upright page (no markers, no de-skew) and reads a box as marked above 20 % ink.

Reports, per input kind and overall: ``marks_right_pct`` (of rows with one intended mark, read as that mark),
``confidently_wrong`` (an option read that was not the one marked, or read on a row that must be flagged — target
0), ``flags_pct``, ``by_style`` (per style its rows, the share read right — or flagged, for the styles that must
be — and its counts right, flagged and wrong), and sheets per minute of reading alone (wall clock, and per CPU minute: the machine is shared); and ``pdf``: a scanner's PDF of ``pdf`` scanned-like
sheets read end to end (rasterising included), sheets per minute. Targets: ≥ 99.9 % of marks right, 0 confidently
wrong, ≥ 200 sheets a minute from scanned PDFs.
"""

from __future__ import annotations

import io
import logging
import random
import time
from typing import Any

import cv2
import numpy as np

from dianti.meetings.omr import layout as L
from dianti.meetings.omr import synth
from dianti.meetings.omr.read import RowRead, SheetRead, read_sheet
from dianti.meetings.omr.sources import pdf_pages

from . import register
from .targets import loadavg

SPEC = L.BallotSpec(meeting_id=7, title="通元镇村党组织书记点题述职评议会",
                    grades=("好", "较好", "一般", "差"), groups=("镇党委班子成员", "党员代表", "群众代表"),
                    items=tuple((str(900 + i), i + 1, f"第{i + 1}村党总支 书记{i + 1}") for i in range(10)))
SERIALS = 20


def baseline_read(image: np.ndarray, lay: L.PageLayout, serial: int) -> SheetRead:
    """Read as a plain fixed-threshold reader does: the image is taken as the upright page, no markers."""
    px = 5.0
    page = cv2.resize(image, (round(L.PAGE_W * px), round(L.PAGE_H * px)), interpolation=cv2.INTER_AREA)
    ink = page < 128
    half = L.INNER / 2 * px
    rows: dict[str, list[tuple[str, float]]] = {}
    for b in lay.boxes:
        y0, x0 = round(b.y * px - half), round(b.x * px - half)
        rows.setdefault(b.row, []).append((b.option, float(ink[y0:y0 + round(2 * half), x0:x0 + round(2 * half)].mean())))
    decided: list[RowRead] = []
    for row, boxes in rows.items():
        marked = [o for o, f in boxes if f > 0.2]
        decided.append(RowRead(row, marked[0] if len(marked) == 1 else None, 1.0, None if len(marked) == 1 else
                               "none" if not marked else "multiple", {o: f for o, f in boxes}))
    group = next((d for d in decided if d.row == "group"), None)
    return SheetRead(found=True, serial=serial, group=group, rows=[d for d in decided if d.row != "group"])


def _render(dpi: int) -> list[np.ndarray]:
    from dianti.meetings.documents import paper_ballots_pdf_for

    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    return list(pdf_pages(paper_ballots_pdf_for(SPEC, range(1, SERIALS + 1)), dpi))


def _scan_pdf(images: list[np.ndarray], dpi: int) -> bytes:
    """Return a scanner's PDF: the images as JPEG pages at ``dpi``."""
    from PIL import Image

    pages = [Image.fromarray(img) for img in images]
    buf = io.BytesIO()
    pages[0].save(buf, "PDF", save_all=True, append_images=pages[1:], resolution=float(dpi), quality=85)
    return buf.getvalue()


def _deck_run(n: int, dpi: int, rng: random.Random, pages: list[np.ndarray]) -> tuple[dict[str, Any], list]:
    lay = L.page_layouts(SPEC)[0]
    tallies = {(who, kind): synth.Tally() for who in ("reader", "baseline") for kind in ("scanned", "phone")}
    seconds = {kind: 0.0 for kind in ("scanned", "phone")}
    cpu = {kind: 0.0 for kind in ("scanned", "phone")}
    kept_scans = []
    for i in range(n):
        kind = "scanned" if i % 2 == 0 else "phone"
        serial = i % SERIALS + 1
        filled, truth = synth.fill_sheet(pages[serial - 1], lay, dpi, serial, rng)
        image = synth.scanned(filled, rng) if kind == "scanned" else synth.phone(filled, rng)
        t, c = time.perf_counter(), time.process_time()
        read = read_sheet(image, SPEC)
        seconds[kind] += time.perf_counter() - t
        cpu[kind] += time.process_time() - c
        tallies["reader", kind].add(truth, read)
        tallies["baseline", kind].add(truth, baseline_read(image, lay, serial))
        if kind == "scanned" and len(kept_scans) < 200:
            kept_scans.append((image, truth))
    out: dict[str, Any] = {}
    for who in ("reader", "baseline"):
        both = synth.Tally()
        for kind in ("scanned", "phone"):
            out.setdefault(who, {})[kind] = tallies[who, kind].figures()
            both.merge(tallies[who, kind])
        out[who]["all"] = both.figures()
    base_right = out["baseline"]["all"]["marks_right_pct"]
    out["marks_right_over_baseline"] = round(out["reader"]["all"]["marks_right_pct"] / max(base_right, 1e-9), 2)
    for kind in ("scanned", "phone"):
        count = tallies["reader", kind].sheets
        out["reader"][kind]["sheets_per_min"] = round(60 * count / max(seconds[kind], 1e-9))
        out["reader"][kind]["sheets_per_cpu_min"] = round(60 * count / max(cpu[kind], 1e-9))
    return out, kept_scans


@register("omr", "纸质选票识别：合成测试票上的正确率、自信误读、需人工核对比例和速度，对照固定阈值基线")
def run(params: dict[str, Any]) -> dict[str, Any]:
    n, dpi = int(params.get("n", 2000)), int(params.get("dpi", 200))
    rng = random.Random(int(params.get("seed", 1)))
    load_before = loadavg()
    t = time.perf_counter()
    pages = _render(dpi)
    out, scans = _deck_run(n, dpi, rng, pages)
    out["deck_seconds"] = round(time.perf_counter() - t, 1)
    scans = scans[:int(params.get("pdf", 100))]
    if scans:
        pdf = _scan_pdf([img for img, _truth in scans], dpi)
        t, c = time.perf_counter(), time.process_time()
        tally = synth.Tally()
        for image, (_img, truth) in zip(pdf_pages(pdf, dpi), scans, strict=True):
            tally.add(truth, read_sheet(image, SPEC))
        elapsed, cpu_s = time.perf_counter() - t, time.process_time() - c
        out["pdf"] = {"sheets": len(scans), "sheets_per_min": round(60 * len(scans) / elapsed),
                      "sheets_per_cpu_min": round(60 * len(scans) / cpu_s),
                      "confidently_wrong": tally.wrong, "marks_right_pct": tally.figures()["marks_right_pct"]}
    out.update({"n": n, "dpi": dpi, "load_before": load_before, "load_after": loadavg()})
    return out
