"""The paper ballot's HTML: every marker, the QR code, every ruled cell and box placed in millimetres from
:mod:`.omr.layout`, the same description the reader measures against."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.template.loader import render_to_string

from .omr import layout as L
from .omr.layout import BallotSpec, PageLayout
from .omr.markers import marker_svg


def _qr_svg(text: str) -> str:
    import io

    import segno

    buf = io.BytesIO()
    # Error correction Q: a pen stroke across the code, a fold or a shadow still leaves it readable.
    segno.make(text, error="q", micro=False).save(buf, kind="svg", scale=1, border=0, xmldecl=False, svgns=True)
    svg = buf.getvalue().decode()
    return svg.replace("<svg ", '<svg shape-rendering="crispEdges" ', 1)


def _r(v: float) -> str:
    return f"{v:.2f}"


def _cells(lay: PageLayout) -> list[dict[str, Any]]:
    top, name_x = L.TABLE_TOP, L.LEFT + L.NO_W
    name_w = lay.grade_x[0] - name_x
    cells = [{"cls": "head", "x": _r(L.LEFT), "y": _r(top), "w": _r(L.NO_W), "h": _r(L.HEAD_H), "text": "序号"},
             {"cls": "head", "x": _r(name_x), "y": _r(top), "w": _r(name_w), "h": _r(L.HEAD_H), "text": "述职对象"}]
    cells += [{"cls": "head", "x": _r(x), "y": _r(top), "w": _r(L.GRADE_W), "h": _r(L.HEAD_H), "text": grade}
              for grade, x in zip(lay.grades, lay.grade_x, strict=True)]
    for row in lay.rows:
        cells += [{"cls": "no", "x": _r(L.LEFT), "y": _r(row.top), "w": _r(L.NO_W), "h": _r(L.ROW_H),
                   "text": str(row.order)},
                  {"cls": "name", "x": _r(name_x), "y": _r(row.top), "w": _r(name_w), "h": _r(L.ROW_H),
                   "text": row.label}]
        cells += [{"cls": "", "x": _r(x), "y": _r(row.top), "w": _r(L.GRADE_W), "h": _r(L.ROW_H), "text": ""}
                  for x in lay.grade_x]
    return cells


def _sheet(spec: BallotSpec, lay: PageLayout, serial: int) -> dict[str, Any]:
    half = L.BOX / 2
    boxes = [{"left": _r(b.x - half), "top": _r(b.y - half)} for b in lay.boxes if b.row != "group"]
    groups = []
    for i, name in enumerate(lay.groups):
        x, y = L.group_box(i)
        groups.append({"name": name, "left": _r(x - half), "top": _r(y - half), "label_x": _r(x + half + 1.5),
                       "label_y": _r(y - 2.6)})
    return {"serial": serial, "layout": lay, "groups": groups, "cells": _cells(lay), "boxes": boxes,
            "qr": _qr_svg(L.qr_payload(spec.meeting_id, serial, lay.page, lay.pages)),
            "note_top": _r(lay.table_bottom + 3.0)}


def ballot_html(spec: BallotSpec, serials: Iterable[int], part: str = "all") -> str:
    """Return the HTML of every page of every sheet in ``serials``: all of it, or only the ``"form"`` every sheet
    shares (markers, title, table, boxes, note) or only each sheet's own ``"marks"`` (serial line, QR code)."""
    layouts = L.page_layouts(spec)
    markers = [{"x": _r(x), "y": _r(y), "size": _r(L.MARKER_SIZE), "svg": marker_svg(i)}
               for i, (x, y) in zip(L.MARKER_IDS, L.MARKER_ORIGINS, strict=True)]
    sheets = [_sheet(spec, lay, serial) for serial in serials for lay in layouts]
    return render_to_string("meetings/paper_ballots.html", {
        "part": part, "title": spec.title, "sheets": sheets, "markers": markers, "box": _r(L.BOX), "groups_top": _r(L.GROUPS_TOP),
        "qr": {"x": _r(L.QR_ORIGIN[0]), "y": _r(L.QR_ORIGIN[1]), "size": _r(L.QR_SIZE)}})


# From this many sheets on, the shared form is laid out once and each sheet's own marks laid over it: WeasyPrint took
# about 0.45 s a page to lay the whole form out again for every serial (50 sheets in 23 s).
STAMP_FROM = 3


def ballot_pdf(spec: BallotSpec, serials: Iterable[int]) -> bytes:
    """Return the ballots of ``spec`` for ``serials`` as PDF: the same pages as laying out :func:`ballot_html` whole,
    made by drawing the form once (a PDF form XObject every page shows) under each page's own serial and QR code."""
    import io

    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject
    from weasyprint import HTML

    serials = list(serials)
    if len(serials) < STAMP_FROM:
        return HTML(string=ballot_html(spec, serials)).write_pdf()  # type: ignore[no-any-return]
    form = PdfReader(io.BytesIO(HTML(string=ballot_html(spec, serials[:1], part="form")).write_pdf()))
    marks = PdfReader(io.BytesIO(HTML(string=ballot_html(spec, serials, part="marks")).write_pdf()))
    writer = PdfWriter(clone_from=marks)
    shared = []
    for page in form.pages:  # one per page of a sheet
        xobject = DecodedStreamObject()
        xobject.set_data(page.get_contents().get_data())  # type: ignore[union-attr]
        xobject.update({NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Form"),
                        NameObject("/BBox"): page.mediabox,
                        NameObject("/Resources"): page["/Resources"].clone(writer)})
        shared.append(writer._add_object(xobject.flate_encode()))
    for i, page in enumerate(writer.pages):
        resources = page.setdefault(NameObject("/Resources"), DictionaryObject())
        xobjects = resources.setdefault(NameObject("/XObject"), DictionaryObject())
        xobjects[NameObject("/DiantiForm")] = shared[i % len(shared)]
        under = DecodedStreamObject()
        under.set_data(b"q /DiantiForm Do Q\n")
        contents = page.raw_get("/Contents")  # a reference (a content array must hold references, not streams)
        own = list(contents) if isinstance(contents, ArrayObject) else [contents]
        page[NameObject("/Contents")] = ArrayObject([writer._add_object(under), *own])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
