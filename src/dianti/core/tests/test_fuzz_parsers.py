"""Hypothesis feeds the parsers that read what people upload — spreadsheets (.csv, .xlsx) and 述职 reports (.docx,
.pdf) — with random and mangled bytes: they answer with their own clear refusal or with text, never crash."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given, settings
from hypothesis import strategies as st

from dianti.core.excel import SheetError, read_table, workbook
from dianti.meetings.documents import extract_text

VALID_XLSX = workbook(["组织编码", "姓名", "手机号"], [["330424105201", "张三", "13800138000"]])


def _mangle(data: bytes, cuts: list[tuple[int, int]]) -> bytes:
    out = bytearray(data)
    for at, value in cuts:
        if out:
            out[at % len(out)] = value
    return bytes(out)


@settings(max_examples=60, deadline=None)
@given(raw=st.binary(max_size=2000), suffix=st.sampled_from([".csv", ".xlsx", ".xls", ".txt"]))
def test_random_bytes_are_refused_with_a_sheet_error_or_read(raw: bytes, suffix: str) -> None:
    try:
        header, rows = read_table(raw, "上传" + suffix)
    except SheetError as exc:
        assert str(exc)
    else:
        assert isinstance(header, list) and all(isinstance(n, int) for n, _ in rows)


@settings(max_examples=40, deadline=None)
@given(cuts=st.lists(st.tuples(st.integers(min_value=0), st.integers(min_value=0, max_value=255)), max_size=8),
       truncate=st.integers(min_value=0, max_value=len(VALID_XLSX)))
def test_a_mangled_or_cut_xlsx_is_refused_clearly(cuts: list[tuple[int, int]], truncate: int) -> None:
    raw = _mangle(VALID_XLSX, cuts)[: truncate or None]
    try:
        read_table(raw, "名单.xlsx")
    except SheetError as exc:
        assert str(exc)


@settings(max_examples=40, deadline=None)
@given(raw=st.binary(max_size=3000), suffix=st.sampled_from([".docx", ".pdf", ".doc"]))
def test_a_report_of_random_bytes_is_refused_with_a_clear_message(raw: bytes, suffix: str) -> None:
    upload = SimpleUploadedFile("述职报告" + suffix, raw)
    try:
        text = extract_text(upload)
    except ValidationError as exc:
        assert exc.messages and all(exc.messages)
    else:
        assert isinstance(text, str)


def test_the_valid_workbook_still_reads() -> None:
    header, rows = read_table(io.BytesIO(VALID_XLSX).getvalue(), "名单.xlsx")
    assert header == ["组织编码", "姓名", "手机号"] and rows[0][1][1] == "张三"


def test_an_xlsx_claiming_an_unknown_zip_version_is_refused_clearly() -> None:
    """What hypothesis found: a central directory entry needing zip version 6.4 made zipfile raise
    NotImplementedError, which nothing caught."""
    import struct
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
    raw = bytearray(buffer.getvalue())
    central = raw.index(b"PK\x01\x02")
    struct.pack_into("<H", raw, central + 6, 64)  # "version needed to extract": 6.4
    with pytest.raises(SheetError, match="无法读取"):
        read_table(bytes(raw), "名单.xlsx")
