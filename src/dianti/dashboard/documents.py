"""The annual report laid out as an official document (GB/T 9704-2012): A4, 37 mm top and 28 mm binding margins
around a 156 × 225 mm text block, body 3号 (16 pt) 仿宋 at 22 lines a page, the issuing body's mark red and centred
over a red rule, the document number, the title in 2号 小标宋, headings 一、 in 黑体, the date in Arabic numerals,
and page numbers "— 1 —" in 4号, right on odd pages and left on even ones.

Offices set 仿宋_GB2312 and 方正小标宋简体, which are not free: the documents name them first and fall back to the
open Noto Serif / Sans CJK (installed with WeasyPrint's fonts-noto-cjk), so a print from an office machine looks
like its other documents and one from the server still prints every character. Charts are :mod:`.charts` drawings:
SVG in the PDF (its words stay text), PNG in the .docx (Word cannot take the SVG python-docx would write).
"""

from __future__ import annotations

import io
from typing import Any

from django.template.loader import render_to_string

from dianti.rectification.documents import east_asian, red_rule

from . import charts
from .report import Report, Table

FANGSONG, XIAOBIAOSONG, HEITI = "仿宋_GB2312", "方正小标宋简体", "黑体"


def report_pdf(report: Report) -> bytes:
    """Return the report as a PDF (WeasyPrint; the CJK fonts are embedded, so its text can be copied and searched)."""
    from weasyprint import HTML

    sections = [{"s": s, "svgs": [(charts.svg(d), d.width >= 300) for d in s.charts]} for s in report.sections]
    html = render_to_string("dashboard/report_pdf.html", {"r": report, "sections": sections})
    return HTML(string=html).write_pdf()  # type: ignore[no-any-return]


def _page_number(paragraph: Any) -> None:
    """Write "— PAGE —" into ``paragraph``, the page number as a field Word fills in."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    east_asian(paragraph.add_run("— "), "宋体", 14)
    run = paragraph.add_run()
    east_asian(run, "宋体", 14)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)
    east_asian(paragraph.add_run(" —"), "宋体", 14)


def _table(doc: Any, table: Table) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    t = doc.add_table(rows=1 + len(table.rows), cols=len(table.headers))
    t.style = "Table Grid"
    for r, values in enumerate([table.headers, *table.rows]):
        for c, value in enumerate(values):
            cell = t.cell(r, c)
            p = cell.paragraphs[0]
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER if r == 0 or c else WD_ALIGN_PARAGRAPH.LEFT
            east_asian(p.add_run(value), HEITI if r == 0 else FANGSONG, 10.5)


def report_docx(report: Report) -> bytes:
    """Return the report as a Word document laid out like the PDF, for the office to edit and number."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(28)
    doc.settings.odd_and_even_pages_header_footer = True
    C, R, J = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT, WD_ALIGN_PARAGRAPH.JUSTIFY
    odd = section.footer.paragraphs[0]
    odd.alignment = R
    _page_number(odd)
    even = section.even_page_footer.paragraphs[0]
    even.alignment = WD_ALIGN_PARAGRAPH.LEFT
    _page_number(even)

    def para(text: str, font: str = FANGSONG, size: float = 16, align: Any = J, *, bold: bool = False,
             red: bool = False, indent: bool = False) -> Any:
        p = doc.add_paragraph()
        p.alignment = align
        p.paragraph_format.line_spacing = Pt(28.9)
        p.paragraph_format.space_after = Pt(0)
        if indent:
            p.paragraph_format.first_line_indent = Pt(size * 2)
        east_asian(p.add_run(text), font, size, bold=bold, red=red)
        return p

    para(report.issuer, XIAOBIAOSONG, 26, C, red=True)
    para("")
    red_rule(para(report.number, FANGSONG, 16, C))
    para("")
    para(report.title, XIAOBIAOSONG, 22, C)
    para("")
    if report.addressee:
        para(report.addressee, align=WD_ALIGN_PARAGRAPH.LEFT)
    para(report.opening, indent=True)
    for s in report.sections:
        para(s.heading, HEITI, 16, indent=True)
        for text in s.paragraphs:
            para(text, indent=True)
        if s.table is not None:
            _table(doc, s.table)
        for drawing in s.charts:
            picture = charts.png(drawing)
            if picture is not None:
                doc.add_paragraph().add_run().add_picture(io.BytesIO(picture), width=Mm(min(150, drawing.width
                                                                                             * 0.3528)))
    para("")
    para(report.signature, align=R)
    para(report.date, align=R)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
