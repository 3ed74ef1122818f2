"""Printable QR posters (PDF): one per organization and one per point, linking to the public opinion page."""

from __future__ import annotations

import io

import segno
from django.template.loader import render_to_string


def qr_svg(url: str) -> str:
    """Return an inline SVG QR code for ``url`` (error correction M, big enough to scan from a wall)."""
    buf = io.BytesIO()
    segno.make(url, error="m").save(buf, kind="svg", scale=10, border=2, xmldecl=False, svgns=True)
    return buf.getvalue().decode()


def poster_pdf(*, title: str, subtitle: str, url: str, lines: list[str]) -> bytes:
    from weasyprint import HTML

    html = render_to_string("voices/poster.html", {"title": title, "subtitle": subtitle, "url": url,
                                                   "qr": qr_svg(url), "lines": lines})
    return HTML(string=html).write_pdf()  # type: ignore[no-any-return]
