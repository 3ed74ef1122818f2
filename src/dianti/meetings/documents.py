"""Documents of the meeting: reading a 述职报告's text, printing evaluator slips and paper ballots (PDF), and the
minutes (会议纪要, .docx)."""

from __future__ import annotations

import io
import secrets
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError

from .omr.layout import BallotSpec

MAX_REPORT_BYTES = 20 * 1024 * 1024
MAX_REPORT_CHARS = 50_000
# A printed ballot's serial: eight digits drawn at random. Numbered 1, 2, 3… and handed out from the stack in that
# order, a serial would say who got the sheet (the third person served, the third seat), and the clerk confirming
# it sees its serial beside its marks; drawn at random, the stack's order says nothing. Eight digits also keep a
# second printing for latecomers from repeating a serial of the first (a repeat would be refused as a duplicate).
SERIAL_MIN, SERIAL_MAX = 10_000_000, 99_999_999


def extract_text(upload: Any) -> str:
    """Return the text of an uploaded .docx or .pdf report; refuse anything else with a clear message."""
    name = (getattr(upload, "name", "") or "").lower()
    if upload.size > MAX_REPORT_BYTES:
        raise ValidationError("报告文件不能超过 20 MB")
    data = upload.read()
    upload.seek(0)
    try:
        if name.endswith(".docx"):
            from docx import Document

            doc = Document(io.BytesIO(data))
            text = "\n".join(p.text for p in doc.paragraphs)
        elif name.endswith(".pdf"):
            from pypdf import PdfReader

            text = "\n".join((page.extract_text() or "") for page in PdfReader(io.BytesIO(data)).pages)
        else:
            raise ValidationError("述职报告请上传 .docx 或 .pdf 文件")
    except ValidationError:
        raise
    except Exception as exc:  # a corrupt file: say so instead of failing the page
        raise ValidationError("无法读取该文件，请确认文件未损坏（.docx 或 .pdf）") from exc
    text = "\n".join(line.strip() for line in text.splitlines() if line.strip())
    return text[:MAX_REPORT_CHARS]


def slips_pdf(*, meeting: Any, codes: Sequence[tuple[Any, str]], url_for: Any) -> bytes:
    """Return A4 pages of evaluator slips (8 a page, cut lines), each with the group, the code and its QR code."""
    from django.template.loader import render_to_string
    from weasyprint import HTML

    from dianti.voices.posters import qr_svg

    from .text import format_code

    slips = [{"group": group.name, "code": format_code(code), "qr": qr_svg(url_for(code))} for group, code in codes]
    html = render_to_string("meetings/slips.html", {"meeting": meeting, "slips": slips})
    return HTML(string=html).write_pdf()  # type: ignore[no-any-return]


def ballot_spec(meeting: Any) -> BallotSpec:
    """Return what the meeting's paper ballot shows, as plain data for the layout, the renderer and the reader."""
    agenda = meeting.agenda.select_related("subject", "subject__organization")
    items = tuple((str(item.pk), item.order, f"{item.subject.organization.display_name} {item.subject.secretary_name}")
                  for item in agenda)
    return BallotSpec(meeting_id=meeting.pk, title=meeting.title, grades=tuple(meeting.grades),
                      groups=tuple(g.name for g in meeting.groups.all()), items=items)


def paper_ballots_pdf(*, meeting: Any, serials: Iterable[int]) -> bytes:
    """Return numbered paper ballots: one sheet per serial (several pages beyond ``ROWS_PER_PAGE`` subjects), every
    subject with a box per grade, corner markers and a QR code for the machine reader. The serials come from
    :func:`~.paper.paper_serials_issue`: drawn at random, nothing of them follows the order the sheets are printed
    or handed out in."""
    return paper_ballots_pdf_for(ballot_spec(meeting), serials)


def paper_serials(copies: int, taken: Iterable[int] = ()) -> list[int]:
    """Return ``copies`` distinct serials drawn at random (see :data:`SERIAL_MIN`), none of ``taken``, in no order."""
    taken = set(taken)
    if copies > SERIAL_MAX - SERIAL_MIN + 1 - len(taken):
        raise ValueError("not enough serials left")
    draw, out = secrets.SystemRandom(), dict[int, None]()  # insertion-ordered: the draw's own order
    while len(out) < copies:
        serial = draw.randint(SERIAL_MIN, SERIAL_MAX)
        if serial not in taken:
            out[serial] = None
    return list(out)


def paper_ballots_pdf_for(spec: BallotSpec, serials: Iterable[int]) -> bytes:
    """Return the ballots of ``spec`` for ``serials`` as PDF (see :mod:`.ballot_print`)."""
    from .ballot_print import ballot_pdf

    return ballot_pdf(spec, serials)


def _attendance_line(meeting: Any) -> str:
    """Return "出席：N 人（names…）": everyone who signed in on a phone or whom staff recorded, by name or count."""
    rows = list(meeting.attendance.all())
    total = sum(a.headcount for a in rows)
    named = [a.name for a in rows if a.name]
    parts = "、".join(named[:60]) + ("等" if len(named) > 60 else "")
    unnamed = total - len(named)
    if unnamed:
        parts += ("；" if parts else "") + f"另有 {unnamed} 人未登记姓名"
    return f"出席：{total} 人" + (f"（{parts}）" if parts else "")


def minutes_docx(*, meeting: Any, results: Sequence[Any]) -> bytes:
    """Return the minutes (会议纪要) as .docx: attendance, agenda and reports, questions and answers, ballot counts
    and each secretary's score of record (from ``results``: the appraisal engine's, never a second formula)."""
    from django.utils import timezone
    from docx import Document
    from docx.shared import Pt

    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Noto Serif CJK SC"
    style.font.size = Pt(11)
    doc.add_heading(f"{meeting.title}会议纪要", level=1)
    when = timezone.localtime(meeting.starts_at)
    doc.add_paragraph(f"时间：{when.year}年{when.month}月{when.day}日 {when:%H:%M}　　地点：{meeting.venue}　　主持人：{meeting.host or '—'}")
    doc.add_paragraph(_attendance_line(meeting))
    doc.add_heading("一、述职情况", level=2)
    for item in meeting.agenda.select_related("subject", "subject__organization"):
        s = item.subject
        doc.add_paragraph(f"{item.order}. {s.organization.name}　书记：{s.secretary_name or '—'}", style="List Number")
        doc.add_paragraph(f"述职题目：{s.topic or '—'}")
        if item.report_text:
            doc.add_paragraph(f"报告摘要：{item.report_text[:200]}{'…' if len(item.report_text) > 200 else ''}")
    doc.add_heading("二、现场提问与回答", level=2)
    questions = list(meeting.questions.exclude(status="hidden").select_related("item__subject__organization"))
    if not questions:
        doc.add_paragraph("本场会议无现场提问。")
    for q in questions:
        who = q.item.subject.organization.display_name if q.item else "—"
        doc.add_paragraph(f"问（{who}）：{q.text}")
        doc.add_paragraph(f"答：{q.answer or '（未记录）'}")
    doc.add_heading("三、测评票数", level=2)
    groups = list(meeting.groups.all())
    table = doc.add_table(rows=1, cols=2 + len(groups) + 2)
    table.style = "Table Grid"
    header = table.rows[0].cells
    header[0].text, header[1].text = "述职对象", "书记"
    for i, g in enumerate(groups):
        header[2 + i].text = f"{g.name}（应到 {g.size}）"
    header[-2].text, header[-1].text = "合计", "得分"
    for r in results:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = r.organization, r.secretary
        for i, g in enumerate(groups):
            cells[2 + i].text = str(r.by_group.get(g.pk, 0))
        cells[-2].text, cells[-1].text = str(r.total), r.score_text  # the appraisal's score of record
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
