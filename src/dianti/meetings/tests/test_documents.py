"""The meeting's documents, parsed back: evaluator slips and paper ballots (PDF), minutes (.docx), and the text
read out of an uploaded 述职报告."""

from __future__ import annotations

import io
import re

import docx
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from dianti.core import ratelimit
from dianti.meetings import documents, selectors, services
from dianti.meetings.models import AgendaItem

from .factories import held, reporting, scheduled, vote

REPORT = ["雪水港村党总支书记述职报告", "一、围绕美丽乡村建设，修通了村道三公里。", "二、老年食堂今年投入使用。"]


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)


def report_docx(lines: list[str] = REPORT) -> bytes:
    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def report_pdf(lines: list[str] = REPORT) -> bytes:
    from weasyprint import HTML

    body = "".join(f"<p>{line}</p>" for line in lines)
    return HTML(string=f'<html><body style="font-family: \'Noto Sans CJK SC\'">{body}</body></html>').write_pdf()


def test_slips_carry_each_group_and_code_readable_in_the_pdf(tree):
    meeting = scheduled(reporting(tree))
    issued = services.codes_issue(actor=None, meeting=meeting)
    pdf = documents.slips_pdf(meeting=meeting, codes=issued, url_for=lambda c: f"https://dianti.example/m/e/{c}/")
    text = _pdf_text(pdf)
    assert "通元镇村党组织书记点题述职评议会" in text.replace("\n", "") and "镇党委班子成员" in text and "党员代表" in text
    printed = set(re.findall(r"\b[2-9A-Z]{5}-[2-9A-Z]{5}\b", text))
    assert printed == {services.format_code(code) for _, code in issued}
    assert "不记名" in text


def test_paper_ballots_are_numbered_and_list_every_subject(tree):
    meeting = scheduled(reporting(tree))
    reader = PdfReader(io.BytesIO(documents.paper_ballots_pdf(meeting=meeting, serials=documents.paper_serials(3))))
    assert len(reader.pages) == 3
    serials = []
    for page in reader.pages:
        text = page.extract_text()
        serials += [int(s) for s in re.findall(r"编号 (\d+)", text)]
        assert "雪水港村" in text and "丰义村" in text and "民主评议票" in text
        assert all(grade in text for grade in ["好", "较好", "一般", "差"]) and "党员代表" in text
    assert len(set(serials)) == 3 and all(len(str(s)) == 8 for s in serials)  # drawn at random, below


def test_serials_follow_no_order_so_a_sheet_handed_out_third_is_not_the_third_serial():
    draws = [documents.paper_serials(40) for _ in range(5)]
    for serials in draws:
        assert len(set(serials)) == 40 and all(documents.SERIAL_MIN <= s <= documents.SERIAL_MAX for s in serials)
        assert serials != sorted(serials) and serials != sorted(serials, reverse=True)
    assert len({tuple(d) for d in draws}) == 5  # each draw its own (recording them: test_printed_serials.py)


def test_minutes_hold_the_title_each_subject_the_questions_and_answers_and_the_counts(tree, users):
    h = held(tree)
    services.report_upload(actor=users.secretary, item=h.items[0],
                           upload=SimpleUploadedFile("报告.docx", report_docx()))
    q = services.question_ask(meeting=h.meeting, text="书记，村里的路灯什么时候能修好？", device_hash=ratelimit.digest("a"))
    services.question_moderate(actor=None, question=q, action="answer", answer="已列入今年计划，三个月内完成。")
    hidden = services.question_ask(meeting=h.meeting, text="这里是广告：低价出售二手车", device_hash=ratelimit.digest("b"))
    services.question_moderate(actor=None, question=hidden, action="hide")
    services.attendance_add(actor=None, meeting=h.meeting, names=["李四", "王五"])
    vote(h, h.codes["党员代表"][0], "好", "较好")
    vote(h, h.codes["镇党委班子成员"][0], "差")
    services.meeting_close(actor=None, meeting=h.meeting)
    content = documents.minutes_docx(meeting=h.meeting, results=selectors.results(h.meeting))
    document = docx.Document(io.BytesIO(content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert document.paragraphs[0].text == "通元镇村党组织书记点题述职评议会会议纪要" and "会议纪要" in document.paragraphs[0].text
    assert "2020年6月20日 09:00" in text and "出席：2 人（李四、王五）" in text
    assert "中共雪水港村总支部委员会" in text and "中共丰义村委员会" in text and "书记：张书记" in text
    assert "报告摘要：雪水港村党总支书记述职报告" in text
    assert "问（雪水港村）：书记，村里的路灯什么时候能修好？" in text and "答：已列入今年计划，三个月内完成。" in text
    assert "二手车" not in text
    (table,) = document.tables
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert rows[0] == ["述职对象", "书记", "镇党委班子成员（应到 2）", "党员代表（应到 3）", "合计", "得分"]
    first, second = selectors.results(h.meeting)
    assert rows[1] == ["雪水港村", "张书记", "1", "1", "2", first.score_text] and rows[2][2:-1] == ["0", "1", "1"]


def test_minutes_without_questions_say_so(tree):
    h = held(tree)
    services.meeting_close(actor=None, meeting=h.meeting)
    document = docx.Document(io.BytesIO(documents.minutes_docx(meeting=h.meeting, results=selectors.results(h.meeting))))
    assert "本场会议无现场提问。" in [p.text for p in document.paragraphs]


@pytest.mark.parametrize("name, make", [("述职报告.docx", report_docx), ("述职报告.PDF", report_pdf)])
def test_a_report_upload_keeps_the_file_and_its_text(tree, users, name, make):
    h = held(tree)
    item = services.report_upload(actor=users.secretary, item=h.items[0], upload=SimpleUploadedFile(name, make()))
    item = AgendaItem.objects.get(pk=item.pk)
    assert item.report and item.report_uploaded_at
    assert item.report_text.splitlines()[:3] == REPORT


@pytest.mark.parametrize("name, content", [
    ("述职报告.txt", "一、修通了村道三公里。".encode()),
    ("setup.exe", b"MZ\x90\x00"),
    ("述职报告.doc", b"\xd0\xcf\x11\xe0"),
])
def test_only_docx_or_pdf_is_taken_and_the_error_says_so(tree, users, name, content):
    h = held(tree)
    with pytest.raises(ValidationError, match=r"述职报告请上传 \.docx 或 \.pdf 文件"):
        services.report_upload(actor=users.secretary, item=h.items[0], upload=SimpleUploadedFile(name, content))
    assert not AgendaItem.objects.get(pk=h.items[0].pk).report


@pytest.mark.parametrize("name, content", [("述职报告.docx", b"PK\x03\x04 not really a zip"),
                                           ("述职报告.pdf", b"%PDF-1.7 truncated")])
def test_a_corrupt_file_is_refused_in_words(tree, users, name, content):
    h = held(tree)
    with pytest.raises(ValidationError, match="无法读取该文件，请确认文件未损坏"):
        services.report_upload(actor=users.secretary, item=h.items[0], upload=SimpleUploadedFile(name, content))


def test_only_the_subject_s_own_secretary_or_an_admin_may_upload(tree, users):
    h = held(tree)
    upload = SimpleUploadedFile("述职报告.docx", report_docx())
    for outsider in (users.other_town_admin, users.evaluator, users.public, users.point_staff):
        with pytest.raises(PermissionDenied):
            services.report_upload(actor=outsider, item=h.items[0], upload=upload)
    with pytest.raises(PermissionDenied):  # 张书记 is 雪水港村's secretary, not 丰义村's
        services.report_upload(actor=users.secretary, item=h.items[1], upload=upload)
    assert services.report_upload(actor=users.town_admin, item=h.items[1], upload=upload).report_text


def test_no_report_changes_after_the_meeting_closed(tree, users):
    h = held(tree)
    services.meeting_close(actor=None, meeting=h.meeting)
    with pytest.raises(ValidationError, match="会议已结束"):
        services.report_upload(actor=users.secretary, item=h.items[0],
                               upload=SimpleUploadedFile("述职报告.docx", report_docx()))


def test_ballots_printed_by_laying_the_form_once_look_the_same_as_laying_out_every_sheet(tree, monkeypatch):
    import numpy as np

    from dianti.meetings import ballot_print
    from dianti.meetings.omr.sources import pdf_pages

    spec = documents.ballot_spec(scheduled(reporting(tree)))
    serials = [23456789, 98765432, 45678901]
    stamped = list(pdf_pages(documents.paper_ballots_pdf_for(spec, serials), 100))
    monkeypatch.setattr(ballot_print, "STAMP_FROM", 10**6)  # every sheet laid out whole, as before
    whole = list(pdf_pages(documents.paper_ballots_pdf_for(spec, serials), 100))
    assert len(stamped) == len(whole) == 3
    for a, b in zip(stamped, whole, strict=True):
        differ = np.abs(a.astype(int) - b.astype(int)) > 64
        assert a.shape == b.shape and differ.mean() < 0.001  # anti-aliasing at most, nothing moved or missing
