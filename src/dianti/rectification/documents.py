"""The 党建工作整改通知单 as .docx and .pdf, laid out like an official document (GB/T 9704): the issuing body in red
over a red rule, the document number, the title, the addressee, the problems found (理), the requirements, the
deadline, the issuing body and the date in Chinese over a seal placeholder."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from .models import Case
from .workflow import cn_date

CN_NUMBERS = "一二三四五六七八九十"


def cn_index(n: int) -> str:
    """Return 一…九十九 for 1…99 (the numbering of a document's items: （一）（二）…)."""
    if n <= 10:
        return CN_NUMBERS[n - 1]
    tens, ones = divmod(n, 10)
    return (CN_NUMBERS[tens - 1] if tens > 1 else "") + "十" + (CN_NUMBERS[ones - 1] if ones else "")


@dataclass(frozen=True)
class Notice:
    issuer: str
    number: str
    title: str
    addressee: str
    opening: str
    problems: list[str]
    requirements: list[str]
    deadline: str
    date: str
    seal: str


def notice_of(case: Case) -> Notice:
    subject = case.subject
    who = subject.organization.name + (_("、%(name)s同志") % {"name": subject.secretary_name}
                                       if subject.secretary_name else "")
    return Notice(
        issuer=case.issuer.name, number=case.number or _("（未编号）"), title=_("党建工作整改通知单"),
        addressee=f"{who}：",
        opening=_("根据%(campaign)s评议结果，经%(issuer)s研究，现将你单位党建工作中存在的问题通知如下，"
                  "请高度重视，认真整改。") % {"campaign": case.campaign.title, "issuer": case.issuer.name},
        problems=[f"（{cn_index(i)}）{p.text}" for i, p in enumerate(case.problems.all(), start=1)],
        requirements=[line.strip() for line in case.requirements.splitlines() if line.strip()],
        deadline=_("请于%(date)s前完成整改，并将整改情况书面报送%(issuer)s。") % {
            "date": cn_date(case.deadline), "issuer": case.issuer.name},
        date=cn_date(case.issued_on) if case.issued_on else "",
        seal=_("（印章）"),
    )


def east_asian(run: Any, font: str, size: float, *, bold: bool = False, red: bool = False) -> None:
    """Set a .docx run's font for Chinese text too (Word keeps an East Asian font apart), its size, bold and red."""
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    run.font.name = font
    run.font.size = Pt(size)
    run.font.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
    if red:
        run.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)


def red_rule(paragraph: Any) -> None:
    """Draw the official document's red rule under ``paragraph`` (the line below the document number)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "18"), ("w:space", "6"), ("w:color", "C00000")):
        bottom.set(qn(key), value)
    border.append(bottom)
    paragraph._p.get_or_add_pPr().append(border)


def notice_docx(case: Case) -> bytes:
    """Return the notice as a Word document (A4, 仿宋 body, 黑体 headings, the issuing body in red)."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    n = notice_of(case)
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    C, R, J = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT, WD_ALIGN_PARAGRAPH.JUSTIFY

    def para(text: str, font: str = "仿宋", size: float = 16, align: Any = J, *, bold: bool = False,
             red: bool = False, indent: bool = False) -> Any:
        p = doc.add_paragraph()
        p.alignment = align
        p.paragraph_format.line_spacing = Pt(28)
        if indent:
            p.paragraph_format.first_line_indent = Pt(size * 2)
        east_asian(p.add_run(text), font, size, bold=bold, red=red)
        return p

    para(n.issuer, "方正小标宋简体", 26, C, bold=True, red=True)
    red_rule(para(n.number, "仿宋", 16, C))
    para(n.title, "方正小标宋简体", 22, C, bold=True)
    para(n.addressee, align=WD_ALIGN_PARAGRAPH.LEFT)
    para(n.opening, indent=True)
    para(_("一、发现的问题"), "黑体", 16, indent=True)
    for line in n.problems:
        para(line, indent=True)
    para(_("二、整改要求"), "黑体", 16, indent=True)
    for line in n.requirements:
        para(line, indent=True)
    para(_("三、整改时限"), "黑体", 16, indent=True)
    para(n.deadline, indent=True)
    doc.add_paragraph()
    para(n.issuer, align=R)
    para(n.seal, align=R, red=True)
    para(n.date, align=R)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def notice_pdf(case: Case) -> bytes:
    """Return the notice as a PDF (WeasyPrint; Noto CJK fonts embedded, so the text can be copied and searched)."""
    from django.template.loader import render_to_string
    from weasyprint import HTML

    html = render_to_string("rectification/notice_pdf.html", {"n": notice_of(case)})
    return HTML(string=html).write_pdf()  # type: ignore[no-any-return]


def notice_file(case: Case, fmt: str) -> tuple[bytes, str]:
    """Return the issued notice as ``docx`` or ``pdf`` with its file name; made once, then kept as issued."""
    field = case.notice_docx if fmt == "docx" else case.notice_pdf
    name = f"{case.number or case.pk}.{fmt}"
    if field:
        with field.open("rb") as f:
            return f.read(), name
    content = notice_docx(case) if fmt == "docx" else notice_pdf(case)
    if case.number:  # only an issued notice is the record; a draft is previewed, never stored
        field.save(name, ContentFile(content), save=False)
        Case.objects.filter(pk=case.pk).update(**{f"notice_{fmt}": field.name})
    return content, name
