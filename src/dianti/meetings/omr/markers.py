"""The corner markers: ArUco markers of OpenCV's small fixed dictionary DICT_4X4_50, drawn as inline SVG."""

from __future__ import annotations

from functools import cache

import cv2

DICTIONARY = "DICT_4X4_50"


def dictionary() -> cv2.aruco.Dictionary:
    return cv2.aruco.getPredefinedDictionary(getattr(cv2.aruco, DICTIONARY))


@cache
def marker_svg(marker_id: int) -> str:
    """Return marker ``marker_id`` as an SVG of 6 × 6 unit cells (black border included), to be sized by CSS."""
    bits = cv2.aruco.generateImageMarker(dictionary(), marker_id, 6)
    cells = "".join(f'<rect x="{x}" y="{y}" width="1.02" height="1.02"/>'
                    for y in range(6) for x in range(6) if bits[y, x] == 0)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 6 6" shape-rendering="crispEdges">'
            f'<rect width="6" height="6" fill="#fff"/><g fill="#000">{cells}</g></svg>')
