"""The 党建工作整改通知单: numbered per body per year, and its .docx and .pdf read back with the Chinese intact."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from dianti.rectification import documents, services, workflow
from dianti.rectification.models import Case

from .factories import PROBLEMS, in_days


def _text_docx(content: bytes) -> str:
    from docx import Document

    return "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)


def _text_pdf(content: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)


def _issued(subject: Any, users: Any) -> Case:
    case = services.case_open(actor=users.town_admin, subject=subject, problems=PROBLEMS, deadline=in_days(60))
    return services.case_issue(actor=users.town_admin, case=case, issued_on=dt.date(2020, 8, 3))


def test_numbers_count_up_per_body_per_year(campaign: Any, users: Any, tree: Any) -> None:
    a1, a2 = campaign.subjects.order_by("order")
    first = _issued(a1, users)
    case = services.case_open(actor=users.town_admin, subject=a2, problems=PROBLEMS, deadline=in_days(60))
    second = services.case_issue(actor=users.town_admin, case=case, issued_on=dt.date(2020, 9, 1))
    assert (first.number, second.number) == ("通元党整〔2020〕1号", "通元党整〔2020〕2号")
    services.case_carry_over(actor=users.town_admin, case=first, reason="转入下一年度继续整改")
    case = services.case_open(actor=users.town_admin, subject=a1, problems=PROBLEMS, deadline=in_days(60))
    third = services.case_issue(actor=users.town_admin, case=case, issued_on=dt.date(2021, 1, 5))
    assert third.number == "通元党整〔2021〕1号"  # a new year starts again at 1
    assert workflow.notice_prefix(tree.town_a) == "通元党整"
    assert workflow.notice_prefix(tree.county) == "海盐党整"


def test_the_docx_has_every_part_of_the_official_layout(subject: Any, users: Any) -> None:
    case = _issued(subject, users)
    content, name = documents.notice_file(case, "docx")
    text = _text_docx(content)
    assert name == "通元党整〔2020〕1号.docx"
    for part in ["中共通元镇委员会", "通元党整〔2020〕1号", "党建工作整改通知单", "中共雪水港村总支部委员会、张书记同志：",
                 "一、发现的问题", f"（一）{PROBLEMS[0]}", f"（二）{PROBLEMS[1]}", "二、整改要求", "三、整改时限",
                 "（印章）", "2020年8月3日"]:
        assert part in text, part
    deadline = case.deadline
    assert f"请于{deadline.year}年{deadline.month}月{deadline.day}日前完成整改" in text


def test_the_pdf_reads_back_with_the_chinese_intact(subject: Any, users: Any, request: Any) -> None:
    case = _issued(subject, users)
    content, name = documents.notice_file(case, "pdf")
    out = request.config.rootpath / "test-artifacts"
    out.mkdir(exist_ok=True)
    (out / "rectification-notice.pdf").write_bytes(content)  # to look at: pdftoppm -png
    assert content.startswith(b"%PDF") and name.endswith(".pdf")
    text = _text_pdf(content).replace(" ", "").replace("\n", "")
    for part in ["中共通元镇委员会", "通元党整〔2020〕1号", "党建工作整改通知单", "张书记同志", "发现的问题",
                 "组织生活流于形式", "村务公开不及时", "整改要求", "整改时限", "印章", "2020年8月3日"]:
        assert part in text, part


def test_the_issued_notice_is_kept_as_issued(subject: Any, users: Any) -> None:
    case = _issued(subject, users)
    first, _ = documents.notice_file(case, "docx")
    case.refresh_from_db()
    assert case.notice_docx.name
    Case.objects.filter(pk=case.pk).update(requirements="改过的要求")
    case.refresh_from_db()
    assert documents.notice_file(case, "docx")[0] == first


def test_chinese_item_numbers() -> None:
    assert [documents.cn_index(n) for n in (1, 9, 10, 11, 20, 23)] == ["一", "九", "十", "十一", "二十", "二十三"]
