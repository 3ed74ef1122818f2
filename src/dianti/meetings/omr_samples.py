"""Paper ballots of a real meeting, printed from the project's own ballot PDF, filled in with pen marks chosen by
the caller and degraded as a scanner or a phone would (:mod:`.omr.synth`): for the demo, the browser test and the
service tests, which then upload them like a clerk's scans."""

from __future__ import annotations

import io
import logging
import random
from collections.abc import Iterable, Mapping

import numpy as np
import numpy.typing as npt

from .documents import ballot_spec, paper_ballots_pdf_for
from .omr import layout as L
from .omr import synth
from .omr.sources import pdf_pages

Image = npt.NDArray[np.uint8]
DPI = 150
Marks = Mapping[str, tuple[str, str | None]]  # row (agenda item id or "group") → (style, option)


def printed(meeting: object, serials: Iterable[int], dpi: int = DPI) -> dict[int, list[Image]]:
    """Return the meeting's blank ballots for ``serials``, rasterised: serial → its pages."""
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    spec = ballot_spec(meeting)
    serials = list(serials)
    pages = list(pdf_pages(paper_ballots_pdf_for(spec, serials), dpi))
    per = len(L.page_layouts(spec))
    return {s: pages[i * per:(i + 1) * per] for i, s in enumerate(serials)}


def fill(page: Image, lay: L.PageLayout, marks: Marks, seed: int = 0, dpi: int = DPI) -> Image:
    """Return ``page`` with ``marks`` drawn: a single style of :data:`.omr.synth.SINGLE` in the option's box,
    "two" (ticks in the option's box and the next one) or "none" (the row left blank)."""
    image = page.copy()
    pen = synth.Pen(image, dpi, random.Random(seed))
    boxes = {(b.row, b.option): b for b in lay.boxes}
    options = {b.row: [o.option for o in lay.boxes if o.row == b.row] for b in lay.boxes}
    for row, (style, option) in marks.items():
        if style == "none" or option is None or (row, option) not in boxes:
            continue
        box = boxes[(row, option)]
        if style == "two":
            other = options[row][(options[row].index(option) + 1) % len(options[row])]
            pen.mark("tick", box.x, box.y)
            pen.mark("cross", boxes[(row, other)].x, boxes[(row, other)].y)
        else:
            pen.mark(style, box.x, box.y)
    return image


def degrade(image: Image, how: str, seed: int = 0) -> Image:
    """Return ``image`` as a sheet-fed scanner ("scan") or a phone ("phone") would capture it."""
    rng = random.Random(seed)
    return synth.phone(image, rng) if how == "phone" else synth.scanned(image, rng)


def scan_pdf(images: list[Image], dpi: int = DPI) -> bytes:
    """Return a scanner's multi-page PDF of ``images`` (JPEG pages at ``dpi``)."""
    from PIL import Image as PILImage

    pages = [PILImage.fromarray(img) for img in images]
    buf = io.BytesIO()
    pages[0].save(buf, "PDF", save_all=True, append_images=pages[1:], resolution=float(dpi), quality=85)
    return buf.getvalue()


def jpeg(image: Image, quality: int = 80) -> bytes:
    import cv2

    _ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    return bytes(buf)
