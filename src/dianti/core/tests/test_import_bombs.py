"""Import bombs: a small upload must not hold a worker for a minute or a gigabyte.

A 432 KB .xlsx once unpacked to 3 million rows of XML, all read into memory before the row limit was checked. Now an
.xlsx whose zip directory promises too much is refused before anything is unpacked, and rows are read one at a time
up to the limit.
"""

from __future__ import annotations

import io
import random
import time
import tracemalloc
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dianti.core import excel
from dianti.core.models import Job
from dianti.orgs import importers as org_importers

SHEET = "xl/worksheets/sheet1.xml"
HEAD = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
TAIL = "</sheetData></worksheet>"


def _row(n: int, *values: str) -> str:
    cells = "".join(f'<c r="{chr(65 + i)}{n}" t="inlineStr"><is><t>{v}</t></is></c>' for i, v in enumerate(values))
    return f'<row r="{n}">{cells}</row>'


def _xlsx_with_sheet(xml_chunks) -> bytes:
    """Return a real .xlsx (openpyxl's own parts) whose first sheet is the XML given, deflated at level 9."""
    template = zipfile.ZipFile(io.BytesIO(excel.workbook(["姓名"], [["张三"]])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for info in template.infolist():
            if info.filename != SHEET:
                z.writestr(info, template.read(info))
        with z.open(SHEET, "w", force_zip64=True) as sheet:
            for chunk in xml_chunks:
                sheet.write(chunk.encode())
    return out.getvalue()


def _bomb(rows: int) -> bytes:
    def chunks():
        yield HEAD + _row(1, "姓名", "所属组织编码")
        same = _row(2, "张三", "330424")
        for _ in range(rows // 1000):
            yield same * 1000  # the same row again and again packs a thousandfold
        yield TAIL
    return _xlsx_with_sheet(chunks())


def _measured(fn):
    tracemalloc.start()
    started = time.perf_counter()
    try:
        fn()
    finally:
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return elapsed, peak


def test_an_xlsx_unpacking_past_the_cap_is_refused_before_it_is_opened():
    raw = _bomb(800_000)  # about 60 MB of XML
    assert len(raw) < 1024 * 1024
    errors = []

    def read():
        with pytest.raises(excel.SheetError) as refused:
            excel.read_table(raw, "人员.xlsx")
        errors.append(str(refused.value))

    elapsed, peak = _measured(read)
    assert "文件解压后超过 50 MB 或压缩比异常" in errors[0]
    assert elapsed < 2 and peak < 20 * 1024 * 1024


def test_a_member_packed_far_too_tightly_is_refused_even_under_the_cap():
    raw = _bomb(40_000)  # a few MB, a thousandfold packed
    with pytest.raises(excel.SheetError, match="压缩比异常"):
        excel.read_table(raw, "人员.xlsx")


def test_reading_stops_at_the_row_limit_without_reading_the_rest(monkeypatch):
    monkeypatch.setattr(excel, "MAX_ROWS", 1000)
    rng = random.Random(7)

    def chunks():
        yield HEAD + _row(1, "姓名", "手机号")
        for start in range(2, 300_002, 1000):
            yield "".join(_row(n, f"{rng.randrange(10**8):08d}", f"1{rng.randrange(10**10):010d}")
                          for n in range(start, start + 1000))
        yield TAIL

    raw = _xlsx_with_sheet(chunks())  # 300,000 rows of varied data: an ordinary packing ratio
    excel.check_xlsx_size(raw)  # not a bomb by size: only the row limit stops it
    errors = []

    def read():
        with pytest.raises(excel.SheetError) as refused:
            excel.read_table(raw, "人员.xlsx")
        errors.append(str(refused.value))

    elapsed, peak = _measured(read)
    assert errors == ["文件过大：最多 1000 行，请拆分后分批导入"]
    assert elapsed < 2 and peak < 30 * 1024 * 1024  # reading all 300,000 rows takes far longer


def test_a_csv_stops_at_the_row_limit_and_a_monster_field_is_a_sheet_error(monkeypatch):
    monkeypatch.setattr(excel, "MAX_ROWS", 10)
    with pytest.raises(excel.SheetError, match="文件过大：最多 10 行"):
        excel.read_table(b"a,b\n" + b"1,2\n" * 100_000, "a.csv")
    with pytest.raises(excel.SheetError, match="CSV 文件格式有误"):
        excel.read_table(b'a\n"' + b"x" * 200_000 + b'"\n', "a.csv")
    with pytest.raises(excel.SheetError, match="文件超过 50 MB"):
        excel.read_table(b"a\n" * (26 * 1024 * 1024), "a.csv")


def test_a_sheet_declaring_the_widest_range_is_read_at_a_bounded_width():
    chunks = [HEAD.replace("<sheetData>", '<dimension ref="A1:XFD3"/><sheetData>'),
              _row(1, "姓名", "手机号"), _row(2, "张三", "13800000000"), TAIL]
    header, body = excel.read_table(_xlsx_with_sheet(chunks), "人员.xlsx")
    assert len(header) <= excel.MAX_COLUMNS and header[:2] == ["姓名", "手机号"]
    assert body[0][1][:2] == ["张三", "13800000000"]


def test_a_bomb_uploaded_for_import_fails_its_job_with_the_reason(tree, users, django_capture_on_commit_callbacks):
    upload = SimpleUploadedFile("人员.xlsx", _bomb(800_000))
    with django_capture_on_commit_callbacks(execute=True):
        job = org_importers.import_submit(actor=users.county_admin, upload=upload, kind="people")
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "文件解压后超过 50 MB" in job.message
