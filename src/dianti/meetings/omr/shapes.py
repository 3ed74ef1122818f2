"""The shape of the ink at a box, for the marks a share of ink alone cannot tell from dirt or from nothing: the
longest stroke inside a box (a light pencil tick is a long thin line; a speck of dust or a smudge is not), and a
ring drawn round a box (its inside left empty).

Both work on an ink mask of the upright page (:func:`.read.paper_ratio` below a threshold: the stroke on a light
one, smoothed, the ring on the faint one). A ring is judged against the page's
own print: the median of every box's surroundings is what is printed there (the table's rules, the box border),
most boxes being neither circled nor near a circle; ink beyond it counts, sector by sector round the box.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np
import numpy.typing as npt

from . import layout as L
from .locate import PX_PER_MM

Mask = npt.NDArray[np.bool_]
INSIDE = 2.0  # mm from a box's centre: its inside, clear of the printed border (at 3.0) and of a little misregistration
RING_IN, RING_X, RING_Y = 3.2, 8.0, 6.0  # the ring's band: outside the border, inside the column's and rows' reach
SECTORS = 16
RING_SECTORS = 11  # of SECTORS that must hold ink beyond the print, straight left and right of the box among them:
# a closed line round it. (Where the line runs along a printed rule it hides in the print; a neighbour's ring
# above or below reaches into this one's band from above or below only.)
SECTOR_PX = 2  # ink pixels beyond the print that make a sector inked


def strokes(faint: Mask, boxes: Sequence[L.Box]) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Return, for each box, the longest extent in mm of one connected piece of faint ink inside the box (0 when
    clean) and the mean width in mm of the ink inside the box (four times its pixels' mean distance to paper: the
    width of a line, two thirds of a disc's diameter): a pencil tick or cross reaches across most of the inside and
    is thin; a speck of dust is short and a smudge is wide."""
    half = round(INSIDE * PX_PER_MM)
    length, width = np.zeros(len(boxes)), np.zeros(len(boxes))
    for i, b in enumerate(boxes):
        x, y = round(b.x * PX_PER_MM), round(b.y * PX_PER_MM)
        crop = np.ascontiguousarray(faint[y - half:y + half, x - half:x + half]).view(np.uint8)
        n, _labels, stats, _centroids = cv2.connectedComponentsWithStats(crop, connectivity=8)
        if n > 1:
            extent = np.maximum(stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_HEIGHT])
            length[i] = float(extent.max()) / PX_PER_MM
            distance = cv2.distanceTransform(cv2.copyMakeBorder(crop, 1, 1, 1, 1, cv2.BORDER_CONSTANT, value=0),
                                             cv2.DIST_L2, 3)
            width[i] = 4 * float(distance[distance > 0].mean()) / PX_PER_MM
    return length, width


def _ring_geometry() -> tuple[npt.NDArray[np.int_], Mask]:
    """Return the sector index of each pixel of a box's surroundings and the mask of the ring's band."""
    hx, hy = round(RING_X * PX_PER_MM), round(RING_Y * PX_PER_MM)
    ys, xs = np.mgrid[-hy:hy + 1, -hx:hx + 1].astype(np.float64) / PX_PER_MM
    band = (np.maximum(np.abs(xs), np.abs(ys)) >= RING_IN) & ((xs / RING_X) ** 2 + (ys / RING_Y) ** 2 <= 1.0)
    sector = ((np.arctan2(ys, xs) + np.pi) / (2 * np.pi) * SECTORS).astype(np.int_) % SECTORS
    return sector, band


def ring_sectors(faint: Mask, boxes: Sequence[L.Box], dilate: int = 3) -> npt.NDArray[np.bool_]:
    """Return, for each box (three or more: the print is their median), which of :data:`SECTORS` directions round
    it hold ink beyond the page's print in the ring's band."""
    sector, band = _ring_geometry()
    hy, hx = (s // 2 for s in band.shape)
    padded = np.pad(faint, ((hy, hy), (hx, hx)))
    patches = np.stack([padded[round(b.y * PX_PER_MM):round(b.y * PX_PER_MM) + 2 * hy + 1,
                               round(b.x * PX_PER_MM):round(b.x * PX_PER_MM) + 2 * hx + 1] for b in boxes])
    printed = np.median(patches.astype(np.uint8), axis=0) > 0.5
    if dilate > 1:
        printed = cv2.dilate(printed.view(np.uint8), np.ones((dilate, dilate), np.uint8)) > 0
    beyond = patches & ~printed & band
    return np.stack([np.bincount(sector[p], minlength=SECTORS) >= SECTOR_PX for p in beyond])


def circled(faint: Mask, boxes: Sequence[L.Box]) -> npt.NDArray[np.bool_]:
    """Return, for each box, whether a closed line is drawn round it: ink beyond the page's print in at least
    :data:`RING_SECTORS` of :data:`SECTORS` directions. Needs three boxes or more (the print is their median)."""
    if len(boxes) < 3:
        return np.zeros(len(boxes), dtype=np.bool_)
    inked = ring_sectors(faint, boxes)
    left, right = inked[:, 0] | inked[:, SECTORS - 1], inked[:, SECTORS // 2 - 1] | inked[:, SECTORS // 2]
    return np.asarray((inked.sum(axis=1) >= RING_SECTORS) & left & right, dtype=np.bool_)
