"""Read a photographed or scanned paper ballot: image in → the sheet's identity, a fill score for every box and a
decision for every row (a subject, or the evaluator's group): the marked option with a confidence, or a flag for
a person. Never guess: anything short of one clearly marked box beside clearly empty ones is a flag.

A box's *fill* is the share of its inner square (clear of the printed border) that is ink, minus the page's
empty-box baseline (the median over every box of the page: most boxes of a ballot are empty). Ink is a pixel darker
than :data:`INK` times the paper around it, the paper being estimated by a grey-level dilation larger than a box,
so shadows and uneven light cancel out; *faint* is the same below :data:`FAINT`, to catch a light pencil tick.

A box with no ink to speak of is still read when a person would read it without hesitation, and only then: a
light but clear stroke (a long, thin line darker than :data:`LIGHT` times the paper, smoothed, across the box,
:func:`.shapes.strokes`) or a ring drawn round the box (:func:`.shapes.circled`), with every other box of the row
clean. A light mark beside anything in another box, a short or round one (a speck, a smudge: it could be dirt), or
two of them, is a flag; a light mark is read with :data:`LIGHT_CONFIDENCE`, below any dark mark's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import cv2
import numpy as np
import numpy.typing as npt

from . import layout as L
from .locate import PX_PER_MM, Gray, Located, locate, read_qr, to_gray
from .shapes import circled, strokes

INK, FAINT, LIGHT = 0.60, 0.82, 0.88  # ink / faint / light: darker than this share of the local paper's brightness
MARKED = 0.12  # fill above baseline at which a box counts as marked
EMPTY = 0.04  # fill at or below which a box counts as empty; in between is doubt
FAINT_DOUBT = 0.10  # faint share above baseline that makes an unmarked box doubtful
FILLED = 0.55  # a box this full beside another marked one reads as a correction
STROKE_MM = 2.4  # a light stroke reaches at least this far across the 4 mm inside of its box ...
ELONGATED = 2.5  # ... and is this many times longer than it is wide (a smudge is round, a speck short)
CLEAN_FAINT, SPECK_MM = 0.03, 1.5  # beside a light mark, every other box is this clean: no faint ink, no speck
LIGHT_CONFIDENCE = 0.5  # a dark mark's confidence starts at 0.6
MAX_BASELINE = 0.12  # an empty box this inky means the page is misread (registration, dirt, a dark photo)
MAX_ERROR_MM = 1.0  # the markers' reprojection error above which the boxes cannot be trusted
MIN_BORDER = 0.25  # every box's printed border must be found where the layout puts it


@dataclass(frozen=True)
class RowRead:
    """The decision for one row: ``choice`` with ``confidence`` in (0, 1], or ``flag`` (and no choice):
    "none", "multiple", "corrected", "ambiguous", "faint" or "unreadable". ``fills`` are the boxes' fills."""

    row: str
    choice: str | None
    confidence: float
    flag: str | None
    fills: dict[str, float]


@dataclass
class SheetRead:
    """What was read from one image. ``found`` is False when no ballot page was located (``reason`` says why);
    a page of another meeting or with an unreadable QR code is found but has no rows."""

    found: bool
    reason: str = ""
    meeting_id: int | None = None
    serial: int | None = None
    page: int | None = None
    pages: int | None = None
    markers: int = 0
    error_mm: float = 0.0
    baseline: float = 0.0
    group: RowRead | None = None
    rows: list[RowRead] = field(default_factory=list)

    @property
    def flags(self) -> list[RowRead]:
        return [r for r in ([self.group] if self.group else []) + self.rows if r.flag]


def paper_ratio(page: Gray) -> npt.NDArray[np.float32]:
    """Return each pixel of an upright page over the brightness of the paper around it (1 on clean paper)."""
    k = int(L.BOX * 1.5 * PX_PER_MM) | 1
    small = cv2.resize(page, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    paper = cv2.dilate(small, cv2.getStructuringElement(cv2.MORPH_RECT, (k // 2 | 1, k // 2 | 1)))
    paper = cv2.resize(cv2.blur(paper, (k // 2 | 1, k // 2 | 1)), (page.shape[1], page.shape[0]))
    ratio = np.divide(page, np.maximum(paper, 40), dtype=np.float32)
    return ratio


def ink_maps(page: Gray) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """Return the ink and faint masks of an upright page, each pixel judged against the paper around it."""
    ratio = paper_ratio(page)
    return ratio < INK, ratio < FAINT


def _square_sums(integral: npt.NDArray[np.float64], x: float, y: float, side: float) -> tuple[float, int]:
    half = side / 2 * PX_PER_MM
    x0, y0 = round(x * PX_PER_MM - half), round(y * PX_PER_MM - half)
    x1, y1 = round(x * PX_PER_MM + half), round(y * PX_PER_MM + half)
    total = integral[y1, x1] - integral[y0, x1] - integral[y1, x0] + integral[y0, x0]
    return float(total), (x1 - x0) * (y1 - y0)


def box_fills(page: Gray, boxes: Sequence[L.Box]) -> tuple[npt.NDArray[np.float64], ...]:
    """Return, for each box, the ink share and the faint share of its inner square, the faint share of the band
    where its printed border should be (near 1 when the page is registered, low when the boxes are misplaced), its
    longest light stroke and the light ink's mean width in mm (:func:`.shapes.strokes`, on ink lighter still than
    faint), and 1 when it is circled."""
    ratio = paper_ratio(page)
    masks = ratio < INK, ratio < FAINT
    ink, faint = (np.asarray(cv2.integral(m.view(np.uint8)), dtype=np.float64) for m in masks)
    out = np.zeros((6, len(boxes)))
    for i, b in enumerate(boxes):
        for k, integral in enumerate((ink, faint)):
            total, area = _square_sums(integral, b.x, b.y, L.INNER)
            out[k, i] = total / area
        outer, outer_area = _square_sums(faint, b.x, b.y, L.BOX + 0.8)
        inner, inner_area = _square_sums(faint, b.x, b.y, L.BOX - 0.8)
        out[2, i] = (outer - inner) / (outer_area - inner_area)
    # Light ink is judged on the ratio smoothed over a pixel's neighbours: the noise in a faint smear would otherwise
    # break it into a lace of thin threads that looks like a line.
    out[3], out[4] = strokes(cv2.GaussianBlur(ratio, (3, 3), 0) < LIGHT, boxes)
    # A ring is judged against the print round the table's boxes; the groups' boxes have their labels beside them.
    table = [i for i, b in enumerate(boxes) if b.row != "group"]
    out[5, table] = circled(masks[1], [boxes[i] for i in table])
    return tuple(out)


def _zeros(values: Sequence[float] | None, n: int) -> Sequence[float]:
    return values if values is not None else [0.0] * n


def decide(row: str, options: Sequence[str], fills: Sequence[float], faint: Sequence[float], *,
           lengths: Sequence[float] | None = None, widths: Sequence[float] | None = None,
           rings: Sequence[float] | None = None) -> RowRead:
    """Return the decision for one row from its boxes' fills and faint shares (both above the page's baseline),
    and their longest light strokes, their light ink's mean widths and their rings (none when not given)."""
    n = len(options)
    lengths, widths, rings = _zeros(lengths, n), _zeros(widths, n), _zeros(rings, n)
    marked = [i for i, f in enumerate(fills) if f >= MARKED]
    doubtful = [i for i, f in enumerate(fills) if i not in marked
                and (f > EMPTY or faint[i] >= FAINT_DOUBT or rings[i] or lengths[i] >= SPECK_MM)]
    by_option = {o: round(float(f), 3) for o, f in zip(options, fills, strict=True)}
    if len(marked) >= 2:
        full = [i for i in marked if fills[i] >= FILLED]
        flag = "corrected" if len(full) == 1 else "multiple"
        return RowRead(row, None, 0.0, flag, by_option)
    if len(marked) == 1 and not doubtful:
        top = fills[marked[0]]
        others = max((f for i, f in enumerate(fills) if i != marked[0]), default=0.0)
        confidence = min(1.0, 0.6 + (top - MARKED) / 0.5) * (1.0 - 0.5 * max(0.0, others) / EMPTY)
        return RowRead(row, options[marked[0]], round(max(0.05, confidence), 2), None, by_option)
    if marked:
        return RowRead(row, None, 0.0, "ambiguous", by_option)
    light = [i for i in range(n) if rings[i] or (lengths[i] >= STROKE_MM and lengths[i] >= ELONGATED * widths[i])]
    if len(light) == 1 and all(fills[i] <= EMPTY and faint[i] <= CLEAN_FAINT and lengths[i] < SPECK_MM
                               and not rings[i] for i in range(n) if i != light[0]):
        return RowRead(row, options[light[0]], LIGHT_CONFIDENCE, None, by_option)
    if len(light) >= 2:
        return RowRead(row, None, 0.0, "multiple", by_option)
    return RowRead(row, None, 0.0, "faint" if doubtful else "none", by_option)


def _unreadable(row: str, options: Sequence[str]) -> RowRead:
    return RowRead(row, None, 0.0, "unreadable", dict.fromkeys(options, 0.0))


def read_page(located: Located, lay: L.PageLayout) -> tuple[float, RowRead | None, list[RowRead]]:
    """Return the page's empty-box baseline, the group row's decision (page 1) and each subject row's decision."""
    ink, faint, border, lengths, widths, rings = box_fills(located.page, lay.boxes)
    base_ink, base_faint = float(np.median(ink)), float(np.median(faint))
    trusted = (base_ink <= MAX_BASELINE and located.error_mm <= MAX_ERROR_MM
               and float(np.min(border)) >= MIN_BORDER)
    rows: dict[str, list[int]] = {}
    for i, b in enumerate(lay.boxes):
        rows.setdefault(b.row, []).append(i)
    decisions = []
    for row, idx in rows.items():
        options = [lay.boxes[i].option for i in idx]
        if not trusted:
            decisions.append(_unreadable(row, options))
            continue
        decisions.append(decide(row, options, [ink[i] - base_ink for i in idx],
                                [faint[i] - base_faint for i in idx], lengths=[float(lengths[i]) for i in idx],
                                widths=[float(widths[i]) for i in idx], rings=[float(rings[i]) for i in idx]))
    group = next((d for d in decisions if d.row == "group"), None)
    return base_ink, group, [d for d in decisions if d.row != "group"]


def read_sheet(image: npt.NDArray[np.uint8], spec: L.BallotSpec) -> SheetRead:
    """Return what can be read from ``image`` (one page of a ballot of ``spec``'s meeting)."""
    gray = to_gray(image)
    located = locate(gray)
    if located is None:
        return SheetRead(found=False, reason="no_markers")
    out = SheetRead(found=True, markers=located.markers, error_mm=round(located.error_mm, 2))
    layouts = L.page_layouts(spec)
    sheet = L.parse_qr(read_qr(gray, located) or "")
    if sheet is None:
        # A one-page ballot is still read, without a serial: a person checks the meeting and types the serial from
        # the paper. On a longer ballot the page, and so the rows, would be a guess.
        out.reason = "no_qr"
        if len(layouts) > 1:
            return out
        lay = layouts[0]
    else:
        out.meeting_id, out.serial, out.page, out.pages = sheet.meeting_id, sheet.serial, sheet.page, sheet.pages
        if sheet.meeting_id != spec.meeting_id or sheet.pages != len(layouts):
            out.reason = "other_meeting" if sheet.meeting_id != spec.meeting_id else "other_layout"
            return out
        lay = layouts[sheet.page - 1]
    out.baseline, out.group, out.rows = read_page(located, lay)
    out.baseline = round(out.baseline, 3)
    return out
