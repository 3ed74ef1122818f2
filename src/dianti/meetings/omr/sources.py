"""Images from what a clerk hands over: a scanner's PDF or multi-page TIFF, photographs, or a folder of them."""

from __future__ import annotations

import io
import math
from collections.abc import Iterator, Sequence
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

SCAN_DPI = 200
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp"})
# Bounds on what one file may decode to, checked before decoding: a few kilobytes of deflated TIFF or a PDF of
# endless or poster-sized pages would otherwise take gigabytes. A 600 dpi A4 scan is 35 M pixels.
MAX_PAGES = 500
MAX_PAGE_PIXELS = 60_000_000
MAX_FILE_PIXELS = 600_000_000  # an image file's pages together (each decodes on its own, as a PDF's)


class TooLarge(ValueError):
    """The file holds more pages, or larger images, than :data:`MAX_PAGES` and the pixel bounds allow."""


def pdf_page_count(data: bytes) -> int:
    """Return the PDF's page count; raise :class:`TooLarge` beyond :data:`MAX_PAGES`."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(data)
    try:
        n = len(doc)
    finally:
        doc.close()
    if n > MAX_PAGES:
        raise TooLarge(n)
    return n


def pdf_pages(data: bytes, dpi: int = SCAN_DPI) -> Iterator[npt.NDArray[np.uint8]]:
    """Yield each page of a PDF rasterised in grey at ``dpi``, a page larger than :data:`MAX_PAGE_PIXELS` at that
    resolution at the resolution that fits."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(data)
    try:
        for i in range(len(doc)):
            page = doc[i]
            width, height = page.get_size()
            scale = min(dpi / 72, math.sqrt(MAX_PAGE_PIXELS / max(1.0, width * height)))
            bitmap = page.render(scale=scale, grayscale=True)
            pixels = bitmap.to_numpy()
            yield np.array(pixels if pixels.ndim == 2 else pixels[:, :, 0])
            bitmap.close()
            page.close()
    finally:
        doc.close()


def image_pages(data: bytes) -> tuple[int, Iterator[npt.NDArray[np.uint8]]]:
    """Return an image file's page count (a multi-page TIFF has several) and its pages, decoded one at a time as
    they are taken; raise :class:`TooLarge`, before decoding, when the pages are too many or too large, and
    ``ValueError`` when it is not an image. One page at a time: a 3 MB TIFF of ten 60 M pixel colour pages took
    1.1 GB decoded all at once."""
    frames = check_image_size(data)
    buf = np.frombuffer(data, np.uint8)
    first = _image_page(buf, 0)
    if first is None:
        raise ValueError("not an image")

    def pages() -> Iterator[npt.NDArray[np.uint8]]:
        yield first
        for i in range(1, frames):
            page = _image_page(buf, i)
            if page is None:  # fewer pages than the header said: what was there is read
                return
            yield page

    return frames, pages()


def _image_page(buf: npt.NDArray[np.uint8], i: int) -> npt.NDArray[np.uint8] | None:
    ok, found = cv2.imdecodemulti(buf, cv2.IMREAD_GRAYSCALE, None, (i, i + 1))
    return np.asarray(found[0], dtype=np.uint8) if ok and found else None


def check_image_size(data: bytes) -> int:
    """Return the image's page count, read from its headers only; raise :class:`TooLarge` when its pages exceed the
    bounds (and ``ValueError`` when no header can be read: not an image)."""
    import warnings

    from PIL import Image

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
        except Image.DecompressionBombError as exc:
            raise TooLarge(str(exc)) from exc
        except Exception as exc:  # noqa: BLE001 — no image header it knows
            raise ValueError("not an image") from exc
    with image:
        frames = getattr(image, "n_frames", 1)
        if frames > MAX_PAGES:
            raise TooLarge(frames)
        total = 0
        for i in range(frames):
            image.seek(i)
            pixels = image.size[0] * image.size[1]
            total += pixels
            if pixels > MAX_PAGE_PIXELS or total > MAX_FILE_PIXELS:
                raise TooLarge(pixels)
    return frames


def expand(paths: Sequence[str | Path]) -> list[Path]:
    """Return the files named, a folder standing for its PDFs and images in name order."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(f for f in p.iterdir() if f.suffix.lower() in IMAGE_SUFFIXES | {".pdf"})
        else:
            out.append(p)
    return out


def pages(path: Path, dpi: int = SCAN_DPI) -> Iterator[tuple[str, npt.NDArray[np.uint8]]]:
    """Yield (``file`` or ``file#page``, grey image) for every page in one file, a PDF's one at a time; raise
    :class:`TooLarge` past the bounds and ``ValueError`` for a file that is no PDF or image, before decoding."""
    data = path.read_bytes()
    if data[:5] == b"%PDF-":
        n, found = pdf_page_count(data), pdf_pages(data, dpi)
    else:
        n, found = image_pages(data)
    for i, image in enumerate(found, start=1):
        yield (f"{path}#{i}" if n > 1 else str(path)), image
