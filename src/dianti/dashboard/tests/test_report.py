"""The annual report: one click starts a job on the heavy queue; its page shows the progress and the file; the PDF
and the .docx read back with the hand-counted figures, the 公文 parts and the charts' words."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from dianti.core import jobs
from dianti.core.models import Job

from .fixtures import two_years

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    pages = PdfReader(io.BytesIO(content)).pages
    return "".join(page.extract_text() or "" for page in pages).replace(" ", "").replace("\n", "")


def _docx(content: bytes) -> Any:
    from docx import Document

    return Document(io.BytesIO(content))


@pytest.fixture
def report(client: Client, django_capture_on_commit_callbacks: Any) -> Any:
    def make(user: Any, code: str, fmt: str) -> tuple[Job, bytes]:
        client.force_login(user)
        with django_capture_on_commit_callbacks(execute=True):  # the job starts once the request's work commits
            response = client.post(reverse("dashboard_report", args=[code]), {"format": fmt, "year": "2020"})
        return _finished(client, response)

    return make


def _finished(client: Client, response: Any) -> tuple[Job, bytes]:
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("job_detail", args=[job.pk])
    assert job.status == Job.Status.DONE, job.message
    page = client.get(reverse("job_detail", args=[job.pk])).content.decode()
    assert 'role="progressbar" aria-valuenow="100"' in page and reverse("job_file", args=[job.pk]) in page
    download = client.get(reverse("job_file", args=[job.pk]))
    return job, b"".join(download.streaming_content) if download.streaming else download.content


def test_the_report_runs_on_the_heavy_queue() -> None:
    assert jobs.queue_for("dashboard.report") == "heavy"


def test_the_county_report_pdf_reads_back_with_the_figures(report: Any, users: Any, tree: Any, request: Any) -> None:
    two_years(tree, users)
    job, content = report(users.county_admin, "330424", "pdf")
    out = request.config.rootpath / "test-artifacts"
    out.mkdir(exist_ok=True)
    (out / "annual-report.pdf").write_bytes(content)  # to look at
    assert content.startswith(b"%PDF") and job.result["filename"] == "海盐县2020年度点题述职工作情况报告.pdf"
    text = _pdf_text(content)
    for part in ["中共海盐县委员会组织部", "关于海盐县2020年度基层党组织书记点题述职工作情况的报告", "一、总体情况",
                 "共有2名基层党组织书记在述职会上进行点题述职", "覆盖基层党组织2个（占4个基层党组织的50.0%）",
                 "召开述职会1场", "走访座谈和参会群众15人次", "征集意见建议4条、分类梳理3条",
                 "二、各镇（街道）推进情况", "全年共点名书记5名，已点题2名，已述职2名，评议结果已公布2名",
                 "已点名、尚未召开述职会的有：澉浦镇", "“好”4张（25.0%）", "“较好”6张（37.5%）",
                 "环境保护（2条，占66.7%）", "整改中1件（其中逾期1件），已销号1件", "六、历年对比",
                 "各镇（街道）点题述职进度", "—1—"]:
        assert part in text, part
    assert re.search(r"海盐组〔\d{4}〕", text) and "与2019年相比" in text


def test_the_town_report_docx_lists_its_organizations(report: Any, users: Any, tree: Any) -> None:
    two_years(tree, users)
    _job, content = report(users.town_admin, "330424105", "docx")
    doc = _docx(content)
    text = "\n".join(p.text for p in doc.paragraphs)
    for part in ["中共通元镇委员会", "关于通元镇2020年度基层党组织书记点题述职工作情况的报告", "中共海盐县委员会组织部：",
                 "二、各基层党组织推进情况", "整改中1件（其中逾期1件），已销号1件"]:
        assert part in text, part
    organizations = [t for t in doc.tables if t.rows[0].cells[0].text == "组织"]
    assert [row.cells[0].text for row in organizations[0].rows[1:]] == ["雪水港村", "丰义村"]
    assert doc.inline_shapes, "the charts come as pictures"
    assert doc.settings.odd_and_even_pages_header_footer
    section = doc.sections[0]
    assert round(section.top_margin.mm) == 37 and round(section.left_margin.mm) == 28
    assert "PAGE" in section.footer.paragraphs[0]._p.xml and "PAGE" in section.even_page_footer.paragraphs[0]._p.xml


def test_the_report_is_its_creators_and_counts_their_subtree_only(report: Any, client: Client, users: Any,
                                                                 tree: Any) -> None:
    two_years(tree, users)
    job, _content = report(users.town_admin, "330424105", "pdf")
    client.force_login(users.county_admin)
    assert client.get(reverse("job_file", args=[job.pk])).status_code == 404
    client.force_login(users.other_town_admin)
    assert client.post(reverse("dashboard_report", args=["330424105"]), {"format": "pdf"}).status_code == 404
