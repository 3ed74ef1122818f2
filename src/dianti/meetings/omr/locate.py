"""Find a ballot page in an image: its four ArUco corner markers give the homography from the image to the page's
millimetres, and the page is resampled upright at a fixed resolution; the QR code is read from its known place."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from . import layout as L
from .markers import dictionary

Gray = npt.NDArray[np.uint8]
PX_PER_MM = 5.0  # the upright page: 1050 × 1485 px, a 6 mm box is 30 px
QR_PX_PER_MM = 8.0  # a module of the page's QR code is about 1 mm
DETECT_MAX_SIDE = 1600  # larger images are searched for markers at this size, then refined at full size


@dataclass(frozen=True)
class Located:
    """A page found in an image: its upright grey image at :data:`PX_PER_MM`, the image→page homography (mm), how
    many of the four markers were seen, and the markers' reprojection error in mm (how well the page fits)."""

    page: Gray
    homography: npt.NDArray[np.float64]
    markers: int
    error_mm: float


def to_gray(image: npt.NDArray[np.uint8]) -> Gray:
    """Return ``image`` as one 8-bit grey channel (BGR, BGRA or grey in)."""
    if image.ndim == 2:
        return image
    code = cv2.COLOR_BGRA2GRAY if image.shape[2] == 4 else cv2.COLOR_BGR2GRAY
    return cv2.cvtColor(image, code)  # type: ignore[return-value]


def _detector() -> cv2.aruco.ArucoDetector:
    params = cv2.aruco.DetectorParameters()
    params.cornerRefinementMethod = cv2.aruco.CORNER_REFINE_SUBPIX
    # Blur and JPEG flip a cell of a 10 mm marker now and then: read each cell from more pixels and correct as many
    # bits as the dictionary allows (only ids 0–3 are accepted, and a wrong corner fails the registration checks).
    params.perspectiveRemovePixelPerCell = 8
    params.errorCorrectionRate = 1.0
    # A marker is 10 mm on a 297 mm page: skip the many smaller outlines (the characters) and use two thresholding
    # windows instead of three; a page filling a third of a photo's height still passes.
    params.minMarkerPerimeterRate = 0.04
    params.adaptiveThreshWinSizeStep = 20
    return cv2.aruco.ArucoDetector(dictionary(), params)


def find_markers(gray: Gray) -> dict[int, npt.NDArray[np.float32]]:
    """Return the corner markers seen in ``gray``: id → its 4 corners (image px, clockwise from top-left)."""
    scale = min(1.0, DETECT_MAX_SIDE / max(gray.shape))
    small = gray if scale == 1.0 else cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    corners, ids, _rejected = _detector().detectMarkers(small)
    found: dict[int, npt.NDArray[np.float32]] = {}
    if ids is None:
        return found
    for quad, marker_id in zip(corners, ids.ravel(), strict=True):
        if int(marker_id) in L.MARKER_IDS and int(marker_id) not in found:
            found[int(marker_id)] = (quad.reshape(4, 2) / scale).astype(np.float32)
    if scale != 1.0 and found:
        points = np.concatenate(list(found.values())).reshape(-1, 1, 2)
        criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 20, 0.05)
        refined = cv2.cornerSubPix(gray, points, (5, 5), (-1, -1), criteria).reshape(-1, 4, 2)
        found = dict(zip(found, refined, strict=True))
    return found


def locate(image: npt.NDArray[np.uint8]) -> Located | None:
    """Return the page found in ``image``, upright, or None unless all four corner markers are seen (three would
    pin only an affine map, which misplaces the boxes of a page photographed in perspective)."""
    gray = to_gray(image)
    found = find_markers(gray)
    if len(found) < 4:
        return None
    src = np.concatenate([found[i] for i in sorted(found)]).astype(np.float64)
    dst = np.array([p for i in sorted(found) for p in L.marker_corners(L.MARKER_IDS.index(i))], dtype=np.float64)
    h, _mask = cv2.findHomography(src, dst, 0)
    if h is None:
        return None
    fitted = cv2.perspectiveTransform(src.reshape(-1, 1, 2), h).reshape(-1, 2)
    error = float(np.sqrt(((fitted - dst) ** 2).sum(axis=1)).max())
    scale = np.diag([PX_PER_MM, PX_PER_MM, 1.0])
    size = (round(L.PAGE_W * PX_PER_MM), round(L.PAGE_H * PX_PER_MM))
    page = cv2.warpPerspective(gray, scale @ h, size, flags=cv2.INTER_AREA, borderValue=255)
    return Located(page=page, homography=h, markers=len(found), error_mm=error)  # type: ignore[arg-type]


def read_qr(gray: Gray, located: Located) -> str | None:
    """Return the text of the page's QR code, read from its printed place at a resolution of its own."""
    px, margin = QR_PX_PER_MM, 4.0  # with a 4 mm quiet zone
    x0, y0 = L.QR_ORIGIN[0] - margin, L.QR_ORIGIN[1] - margin
    side = L.QR_SIZE + 2 * margin
    shift = np.array([[px, 0, -x0 * px], [0, px, -y0 * px], [0, 0, 1]], dtype=np.float64)
    crop = cv2.warpPerspective(gray, shift @ located.homography, (round(side * px), round(side * px)),
                               flags=cv2.INTER_LINEAR, borderValue=255)
    detector = cv2.QRCodeDetector()
    for candidate in (crop, cv2.threshold(crop, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)[1]):
        text, _points, _straight = detector.detectAndDecode(candidate)
        if text:
            return str(text)
    return None
