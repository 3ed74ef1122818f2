"""Charts drawn on the server, for the annual report: ECharts runs only in a browser, and a report is printed.

A chart is laid out once as a :class:`Drawing` — rectangles, lines and text in points — and written out by either
backend: :func:`svg` (the PDF embeds it, its words stay text) or :func:`png` (the .docx, which cannot hold SVG).
No Django import: plain data in, a drawing out.

Layouts: :func:`bars` (one horizontal bar per label, with its value), :func:`funnel` (per label, each stage's bar
drawn over the previous one, so a row reads as how far it went) and :func:`columns` (a figure over the years).
"""

from __future__ import annotations

import html
import io
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache

RED, RED_DARK, GREY, INK, LINE = "#b71c1c", "#7f0000", "#8a8f96", "#222222", "#d9d4cc"
#: Stage colours, lightest first: a later stage is drawn darker over an earlier one.
STAGES = ("#f3c5c5", "#e38d8d", "#cc4b4b", "#b71c1c", "#7f0000", "#4a0000")
FONT = "Noto Sans CJK SC"


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float
    fill: str


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    stroke: str = LINE
    width: float = 0.75


@dataclass(frozen=True)
class Text:
    x: float
    y: float  # the baseline
    text: str
    size: float = 9.0
    anchor: str = "start"  # start | middle | end
    fill: str = INK
    bold: bool = False


@dataclass
class Drawing:
    width: float
    height: float
    title: str = ""
    shapes: list[Rect | Line | Text] = field(default_factory=list)


def _text_width(text: str, size: float) -> float:
    """Return about how wide ``text`` is at ``size`` points: a CJK character is an em, other characters half."""
    return sum(size if ord(ch) > 0x2E7F else size * 0.56 for ch in text)


def _fit(text: str, size: float, room: float) -> str:
    """Return ``text`` cut with … to fit ``room`` points."""
    if _text_width(text, size) <= room:
        return text
    while text and _text_width(text + "…", size) > room:
        text = text[:-1]
    return text + "…"


def _nice_max(value: float) -> float:
    """Return a round axis maximum at or above ``value`` (1, 2, 2.5, 5 × 10ⁿ)."""
    if value <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if step * magnitude >= value:
            return float(step * magnitude)
    return float(10 * magnitude)


def bars(rows: Sequence[tuple[str, float]], *, width: float = 440, unit: str = "", title: str = "",
         colour: str = RED, label_room: float = 110) -> Drawing:
    """Return one horizontal bar per ``(label, value)``, top to bottom, each with its value at its end."""
    row_h, top = 18.0, 8.0 + (16 if title else 0)
    d = Drawing(width, top + row_h * max(1, len(rows)) + 8, title)
    if title:
        d.shapes.append(Text(0, 11, title, 10, bold=True))
    scale = _nice_max(max((v for _, v in rows), default=0))
    room = width - label_room - 44
    for i, (label, value) in enumerate(rows):
        y = top + i * row_h
        d.shapes.append(Text(label_room - 6, y + 12.5, _fit(label, 9, label_room - 8), 9, "end"))
        w = room * value / scale if scale else 0
        d.shapes.append(Rect(label_room, y + 3, max(w, 0.5 if value else 0), row_h - 6, colour))
        d.shapes.append(Text(label_room + w + 4, y + 12.5, f"{_number(value)}{unit}", 8.5, fill=GREY))
    d.shapes.append(Line(label_room, top, label_room, top + row_h * max(1, len(rows)), GREY))
    return d


def funnel(rows: Sequence[tuple[str, Sequence[float]]], stages: Sequence[str], *, width: float = 440,
           title: str = "", label_room: float = 90) -> Drawing:
    """Return, per ``(label, values)``, each stage's bar over the previous one's (values in ``stages`` order, each
    at most the one before), with a legend; the last stage's value is written at the end of the first bar."""
    row_h, top = 18.0, 24.0 + (16 if title else 0)
    d = Drawing(width, top + row_h * max(1, len(rows)) + 8, title)
    if title:
        d.shapes.append(Text(0, 11, title, 10, bold=True))
    x = 0.0
    for i, stage in enumerate(stages):
        d.shapes.append(Rect(x, top - 17, 9, 9, STAGES[i % len(STAGES)]))
        d.shapes.append(Text(x + 12, top - 9, stage, 8))
        x += 12 + _text_width(stage, 8) + 12
    scale = _nice_max(max((max(v, default=0) for _, v in rows), default=0))
    room = width - label_room - 56
    for r, (label, values) in enumerate(rows):
        y = top + r * row_h
        d.shapes.append(Text(label_room - 6, y + 12.5, _fit(label, 9, label_room - 8), 9, "end"))
        for i, value in enumerate(values):
            if value:
                d.shapes.append(Rect(label_room, y + 3, room * value / scale, row_h - 6, STAGES[i % len(STAGES)]))
        if values:
            end = room * max(values) / scale if scale else 0
            shown = "/".join(_number(v) for v in (values[0], values[-1]))
            d.shapes.append(Text(label_room + end + 4, y + 12.5, shown, 8.5, fill=GREY))
    d.shapes.append(Line(label_room, top, label_room, top + row_h * max(1, len(rows)), GREY))
    return d


def columns(rows: Sequence[tuple[str, float]], *, width: float = 140, height: float = 110, title: str = "",
            unit: str = "") -> Drawing:
    """Return one vertical bar per ``(label, value)`` left to right (a figure over the years), values on top."""
    top, bottom = 8.0 + (16 if title else 0), 16.0
    d = Drawing(width, height, title)
    if title:
        d.shapes.append(Text(0, 11, _fit(title, 9.5, width), 9.5, bold=True))
    plot = height - top - bottom - 12
    scale = _nice_max(max((v for _, v in rows), default=0))
    slot = width / max(1, len(rows))
    base = height - bottom
    for i, (label, value) in enumerate(rows):
        h = plot * value / scale if scale else 0
        cx = slot * i + slot / 2
        d.shapes.append(Rect(cx - slot * 0.3, base - h, slot * 0.6, h, RED if i == len(rows) - 1 else STAGES[1]))
        d.shapes.append(Text(cx, base - h - 3, f"{_number(value)}{unit}", 8, "middle", GREY))
        d.shapes.append(Text(cx, base + 11, label, 8, "middle"))
    d.shapes.append(Line(0, base, width, base, GREY))
    return d


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


# ---------------------------------------------------------------------------------------------------------------
# Backends


def svg(d: Drawing) -> str:
    """Return the drawing as an SVG document (sizes in points; words as text, so a PDF keeps them searchable)."""
    # Sized in CSS pixels (4/3 of a point): renderers agree on px, not all on pt for an inline <svg>.
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{d.width * 4 / 3:.0f}" height="{d.height * 4 / 3:.0f}" '
           f'viewBox="0 0 {d.width:g} {d.height:g}" font-family="{FONT}, sans-serif" role="img" '
           f'aria-label="{html.escape(d.title)}">']
    for s in d.shapes:
        if isinstance(s, Rect):
            out.append(f'<rect x="{s.x:.1f}" y="{s.y:.1f}" width="{s.w:.1f}" height="{s.h:.1f}" fill="{s.fill}"/>')
        elif isinstance(s, Line):
            out.append(f'<line x1="{s.x1:.1f}" y1="{s.y1:.1f}" x2="{s.x2:.1f}" y2="{s.y2:.1f}" stroke="{s.stroke}" '
                       f'stroke-width="{s.width:g}"/>')
        else:
            weight = ' font-weight="bold"' if s.bold else ""
            out.append(f'<text x="{s.x:.1f}" y="{s.y:.1f}" font-size="{s.size:g}" text-anchor="{s.anchor}" '
                       f'fill="{s.fill}"{weight}>{html.escape(s.text)}</text>')
    out.append("</svg>")
    return "".join(out)


@cache
def cjk_font() -> str | None:
    """Return the file of a CJK sans-serif font fontconfig knows (None if there is none)."""
    try:
        found = subprocess.run(["fc-match", "-f", "%{file}", f"{FONT}:lang=zh-cn"], capture_output=True, text=True,
                               timeout=10, check=False).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return found or None


def png(d: Drawing, *, scale: float = 3.0) -> bytes | None:
    """Return the drawing as a PNG at ``scale`` pixels per point, or None when no CJK font is installed (a picture
    with boxes for words is worse than none: the figures are in the tables beside it)."""
    from PIL import Image, ImageDraw, ImageFont

    font_file = cjk_font()
    if font_file is None:
        return None
    image = Image.new("RGB", (round(d.width * scale), round(d.height * scale)), "white")
    draw = ImageDraw.Draw(image)
    fonts: dict[tuple[float, bool], ImageFont.FreeTypeFont] = {}
    for s in d.shapes:
        if isinstance(s, Rect):
            if s.w > 0 and s.h > 0:
                draw.rectangle([s.x * scale, s.y * scale, (s.x + s.w) * scale, (s.y + s.h) * scale], fill=s.fill)
        elif isinstance(s, Line):
            draw.line([s.x1 * scale, s.y1 * scale, s.x2 * scale, s.y2 * scale], fill=s.stroke,
                      width=max(1, round(s.width * scale)))
        else:
            key = (s.size, s.bold)
            if key not in fonts:
                fonts[key] = ImageFont.truetype(font_file, round(s.size * scale), index=0)
            anchor = {"start": "ls", "middle": "ms", "end": "rs"}[s.anchor]
            draw.text((s.x * scale, s.y * scale), s.text, font=fonts[key], fill=s.fill, anchor=anchor,
                      stroke_width=1 if s.bold else 0, stroke_fill=s.fill)
    buf = io.BytesIO()
    image.save(buf, "PNG", optimize=True)
    return buf.getvalue()
