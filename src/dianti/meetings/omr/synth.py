"""A synthetic test deck: printed ballot pages filled with pen marks in many styles and degraded as scanners and
phones degrade them, each with its ground truth; and the scoring of a reader against that truth.

Row styles: a single mark ("tick", "cross", "filled", "half", "scribble", "circle" drawn round the box, "faint":
a light pencil tick), which a reader must read as its option or flag; and "none", "two", "corrected" (one box
crossed, another filled) and "smudge" (no mark, only dirt in a box: a speck or a grey smear), which it must flag.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field

import cv2
import numpy as np
import numpy.typing as npt

from . import layout as L
from .read import SheetRead

SINGLE = ("tick", "cross", "filled", "half", "scribble", "circle", "faint")
STYLES = {"tick": 22, "cross": 18, "filled": 12, "half": 9, "scribble": 6, "circle": 3, "faint": 7, "none": 8,
          "two": 8, "corrected": 7, "smudge": 5}
Image = npt.NDArray[np.uint8]


@dataclass
class Truth:
    """What was drawn on a sheet: its serial, and per row (agenda item id or "group") the style and the option."""

    serial: int
    rows: dict[str, tuple[str, str | None]]


class Pen:
    """Draws on a page image rendered at ``dpi``, in the page's millimetres."""

    def __init__(self, image: Image, dpi: float, rng: random.Random) -> None:
        self.image, self.k, self.rng = image, dpi / 25.4, rng

    def _pts(self, points: list[tuple[float, float]], cx: float, cy: float) -> npt.NDArray[np.int32]:
        j = self.rng.uniform
        return np.array([[(cx + x + j(-0.4, 0.4)) * self.k, (cy + y + j(-0.4, 0.4)) * self.k] for x, y in points],
                        dtype=np.int32)

    def _ink(self, faint: bool = False) -> tuple[int, int]:
        if faint:
            return self.rng.randint(150, 185), max(1, round(self.rng.uniform(0.2, 0.35) * self.k))
        return self.rng.randint(10, 70), max(1, round(self.rng.uniform(0.35, 0.8) * self.k))

    def tick(self, cx: float, cy: float, faint: bool = False) -> None:
        s = self.rng.uniform(0.8, 1.3)
        colour, width = self._ink(faint)
        pts = self._pts([(-2.2 * s, 0.0), (-0.6 * s, 2.0 * s), (2.8 * s, -2.8 * s)], cx, cy)
        cv2.polylines(self.image, [pts], False, colour, width, cv2.LINE_AA)

    def cross(self, cx: float, cy: float) -> None:
        s = self.rng.uniform(0.8, 1.25) * 2.4
        colour, width = self._ink()
        for a, b in (((-s, -s), (s, s)), ((-s, s), (s, -s))):
            cv2.polylines(self.image, [self._pts([a, b], cx, cy)], False, colour, width, cv2.LINE_AA)

    def fill(self, cx: float, cy: float, part: float = 1.0) -> None:
        colour, _width = self._ink()
        h = 2.6
        top = h - 2 * h * part  # part 1: the whole box; 0.5: its lower half
        pts = self._pts([(-h, top), (h, top), (h, h), (-h, h)], cx, cy)
        cv2.fillConvexPoly(self.image, pts, colour, cv2.LINE_AA)

    def scribble(self, cx: float, cy: float) -> None:
        colour, width = self._ink()
        zigzag = [(-2.4 + 4.8 * (i % 2), -2.4 + 0.8 * i) for i in range(7)]
        cv2.polylines(self.image, [self._pts(zigzag, cx, cy)], False, colour, width, cv2.LINE_AA)

    def circle(self, cx: float, cy: float) -> None:
        colour, width = self._ink()
        r = self.rng.uniform(4.2, 5.5)
        centre = (round(cx * self.k), round(cy * self.k))
        cv2.ellipse(self.image, centre, (round(r * 1.3 * self.k), round(r * self.k)), self.rng.uniform(-10, 10),
                    0, 360, colour, width, cv2.LINE_AA)

    def smudge(self, cx: float, cy: float, kind: str | None = None) -> None:
        """Dirt, not a mark: a grey smear (a finger, an eraser's leavings) or a speck of dust (``kind`` "smear" or
        "speck", either when not given), somewhere in the box."""
        x, y = cx + self.rng.uniform(-1.5, 1.5), cy + self.rng.uniform(-1.5, 1.5)
        if kind == "speck" or (kind is None and self.rng.random() < 0.5):
            radius = self.rng.uniform(0.15, 0.35)
            cv2.circle(self.image, (round(x * self.k), round(y * self.k)), max(1, round(radius * self.k)),
                       self.rng.randint(40, 120), -1, cv2.LINE_AA)
            return
        sigma, depth = self.rng.uniform(0.5, 1.3) * self.k, self.rng.uniform(25, 70)
        h, w = self.image.shape[:2]
        ys, xs = np.ogrid[:h, :w]
        x0, y0, r = round(x * self.k), round(y * self.k), round(3 * sigma)
        window = (slice(max(0, y0 - r), y0 + r + 1), slice(max(0, x0 - r), x0 + r + 1))
        blob = depth * np.exp(-((xs[:, window[1]] - x0) ** 2 + (ys[window[0]] - y0) ** 2) / (2 * sigma ** 2))
        self.image[window] = np.clip(self.image[window] - blob, 0, 255).astype(np.uint8)

    def mark(self, style: str, cx: float, cy: float) -> None:
        if style == "tick":
            self.tick(cx, cy)
        elif style == "faint":
            self.tick(cx, cy, faint=True)
        elif style == "cross":
            self.cross(cx, cy)
        elif style == "filled":
            self.fill(cx, cy)
        elif style == "half":
            self.fill(cx, cy, part=self.rng.uniform(0.45, 0.6))
        elif style == "scribble":
            self.scribble(cx, cy)
        elif style == "circle":
            self.circle(cx, cy)
        elif style == "smudge":
            self.smudge(cx, cy)


def fill_sheet(page: Image, lay: L.PageLayout, dpi: float, serial: int, rng: random.Random) -> tuple[Image, Truth]:
    """Return a copy of ``page`` (the printed page at ``dpi``) with every row marked in a random style."""
    image = page.copy()
    pen = Pen(image, dpi, rng)
    rows: dict[str, list[L.Box]] = {}
    for b in lay.boxes:
        rows.setdefault(b.row, []).append(b)
    truth: dict[str, tuple[str, str | None]] = {}
    for row, boxes in rows.items():
        style = rng.choices(list(STYLES), weights=list(STYLES.values()))[0]
        if row == "group":
            style = rng.choice(("tick", "tick", "cross", "filled"))
        picked = rng.sample(boxes, 2)
        if style in SINGLE:
            pen.mark(style, picked[0].x, picked[0].y)
        elif style == "two":
            pen.mark(rng.choice(("tick", "cross")), picked[0].x, picked[0].y)
            pen.mark(rng.choice(("tick", "cross", "filled")), picked[1].x, picked[1].y)
        elif style == "corrected":
            pen.cross(picked[0].x, picked[0].y)
            pen.fill(picked[1].x, picked[1].y)
        elif style == "smudge":
            pen.smudge(picked[0].x, picked[0].y)
        truth[row] = (style, picked[0].option if style in SINGLE else None)
    return image, Truth(serial, truth)


def _jpeg(image: Image, quality: int) -> Image:
    _ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    return cv2.imdecode(buf, cv2.IMREAD_GRAYSCALE)  # type: ignore[return-value]


def _noise(image: Image, sigma: float, rng: np.random.Generator) -> Image:
    noisy = image.astype(np.float32) + rng.normal(0, sigma, image.shape).astype(np.float32)
    return np.clip(noisy, 0, 255).astype(np.uint8)


def scanned(image: Image, rng: random.Random) -> Image:
    """Degrade as a sheet-fed scanner does: a slight skew and shift, a little blur, noise, JPEG."""
    h, w = image.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), rng.uniform(-2.0, 2.0), 1.0)
    m[:, 2] += np.array([rng.uniform(-15, 15), rng.uniform(-15, 15)])
    out: Image = cv2.warpAffine(  # type: ignore[assignment]
        image, m, (w, h), borderValue=rng.randint(235, 255))
    out = cv2.GaussianBlur(out, (0, 0), rng.uniform(0.3, 0.8))  # type: ignore[assignment]
    out = _noise(out, 3.0, np.random.default_rng(rng.randrange(2**32)))
    return _jpeg(out, rng.randint(70, 92))


def phone(image: Image, rng: random.Random) -> Image:
    """Degrade as a phone photo does: the page on a desk, turned up to ±10°, in perspective, a shadow across it,
    out of focus, noisy and saved as JPEG quality 50."""
    h, w = image.shape
    out_w, out_h = int(w * 1.2), int(h * 1.2)
    angle = np.deg2rad(rng.uniform(-10, 10))
    c, s = np.cos(angle), np.sin(angle)
    corners = np.array([[-w / 2, -h / 2], [w / 2, -h / 2], [w / 2, h / 2], [-w / 2, h / 2]])
    scale = rng.uniform(0.72, 0.82)
    turned = corners @ np.array([[c, s], [-s, c]]) * scale + (out_w / 2, out_h / 2)
    jitter = np.array([[rng.uniform(-1, 1), rng.uniform(-1, 1)] for _ in range(4)]) * w * 0.04
    top_shrink = rng.uniform(0, 0.05) * w  # the phone held above the page's bottom edge
    turned[0, 0] += top_shrink
    turned[1, 0] -= top_shrink
    dst = (turned + jitter).astype(np.float32)
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float32)
    out: Image = cv2.warpPerspective(  # type: ignore[assignment]
        image, cv2.getPerspectiveTransform(src, dst), (out_w, out_h), borderValue=rng.randint(60, 140))
    gx = np.linspace(0, 1, out_w, dtype=np.float32)[None, :]
    gy = np.linspace(0, 1, out_h, dtype=np.float32)[:, None]
    a, b = rng.uniform(-1, 1), rng.uniform(-1, 1)
    light = 1.0 - rng.uniform(0.2, 0.45) * np.clip(a * gx + b * gy + rng.uniform(-0.5, 0.5), 0, 1)
    out = (out.astype(np.float32) * light * rng.uniform(0.8, 1.0)).astype(np.uint8)
    out = cv2.GaussianBlur(out, (0, 0), rng.uniform(0.6, 1.4))  # type: ignore[assignment]
    out = _noise(out, 6.0, np.random.default_rng(rng.randrange(2**32)))
    return _jpeg(out, 50)


@dataclass
class Tally:
    """A reader's record on a deck. ``single`` rows carry one intended mark: ``right`` read as it without a flag,
    ``flagged`` sent to a person, ``wrong`` read as another option (confidently wrong). ``must_flag`` rows (none,
    two, corrected, smudge): ``caught`` flagged, ``wrong`` read as an option. ``lost`` sheets were not found or not
    identified. ``styles`` counts, per style, its rows and how each was read: "right", "flagged", "wrong"."""

    sheets: int = 0
    lost: int = 0
    single: int = 0
    right: int = 0
    flagged: int = 0
    must_flag: int = 0
    caught: int = 0
    wrong: int = 0
    faint: int = 0
    faint_right: int = 0
    styles: dict[str, Counter[str]] = field(default_factory=dict)

    def add(self, truth: Truth, read: SheetRead) -> None:
        self.sheets += 1
        if not read.found or read.serial != truth.serial:
            self.lost += 1
        decided = {r.row: r for r in ([read.group] if read.group else []) + read.rows}
        for row, (style, option) in truth.rows.items():
            got = decided.get(row)
            choice = got.choice if got else None
            outcome = "flagged" if choice is None else "right" if choice == option else "wrong"
            self.styles.setdefault(style, Counter()).update(("rows", outcome))
            if style in SINGLE:
                self.single += 1
                self.right += outcome == "right"
                self.flagged += outcome == "flagged"
                if style == "faint":
                    self.faint += 1
                    self.faint_right += outcome == "right"
            else:
                self.must_flag += 1
                self.caught += outcome == "flagged"
            self.wrong += outcome == "wrong"

    def merge(self, other: Tally) -> None:
        """Add ``other``'s record to this one."""
        for name in ("sheets", "lost", "single", "right", "flagged", "must_flag", "caught", "wrong", "faint",
                     "faint_right"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for style, counts in other.styles.items():
            self.styles.setdefault(style, Counter()).update(counts)

    def by_style(self) -> dict[str, dict[str, float]]:
        """Return, per style, its rows, the share read right (single marks) or flagged (the rest), and the count
        of each outcome."""
        out = {}
        for style in STYLES:
            c = self.styles.get(style, Counter())
            good = c["right"] if style in SINGLE else c["flagged"]
            out[style] = {"rows": c["rows"], "ok_pct": round(100 * good / max(1, c["rows"]), 2),
                          "right": c["right"], "flagged": c["flagged"], "wrong": c["wrong"]}
        return out

    def figures(self) -> dict[str, object]:
        rows = self.single + self.must_flag
        return {"sheets": self.sheets, "sheets_lost": self.lost, "rows": rows,
                "marks_right_pct": round(100 * self.right / max(1, self.single), 3),
                "marks_right_pct_but_faint": round(
                    100 * (self.right - self.faint_right) / max(1, self.single - self.faint), 3),
                "confidently_wrong": self.wrong,
                "flags_pct": round(100 * (self.flagged + self.caught) / max(1, rows), 2),
                "single_marks_flagged_pct": round(100 * self.flagged / max(1, self.single), 2),
                "must_flag_caught_pct": round(100 * self.caught / max(1, self.must_flag), 2),
                "by_style": self.by_style()}
