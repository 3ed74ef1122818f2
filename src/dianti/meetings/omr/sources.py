"""Images from what a clerk hands over: a scanner's PDF or multi-page TIFF, photographs, or a folder of them."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

SCAN_DPI = 200
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp"})


def pdf_pages(data: bytes, dpi: int = SCAN_DPI) -> Iterator[npt.NDArray[np.uint8]]:
    """Yield each page of a PDF rasterised in grey at ``dpi``."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(data)
    try:
        for i in range(len(doc)):
            page = doc[i]
            bitmap = page.render(scale=dpi / 72, grayscale=True)
            pixels = bitmap.to_numpy()
            yield np.array(pixels if pixels.ndim == 2 else pixels[:, :, 0])
            bitmap.close()
            page.close()
    finally:
        doc.close()


def image_pages(data: bytes) -> list[npt.NDArray[np.uint8]]:
    """Return every page of an image file (a multi-page TIFF has several), or none when it is not an image."""
    ok, pages = cv2.imdecodemulti(np.frombuffer(data, np.uint8), cv2.IMREAD_GRAYSCALE)
    return [np.asarray(p, dtype=np.uint8) for p in pages] if ok else []


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
    """Yield (``file`` or ``file#page``, grey image) for every page in one file."""
    data = path.read_bytes()
    found = list(pdf_pages(data, dpi)) if data[:5] == b"%PDF-" else image_pages(data)
    for i, image in enumerate(found, start=1):
        yield (f"{path}#{i}" if len(found) > 1 else str(path)), image
