"""The machine-readable paper ballot and its reader: the printed page carries markers, a QR code and boxes where
the layout says, and the reader, on a small synthetic deck of scanned and photographed sheets, reads every clear
mark and flags every doubt — never a confident wrong mark. (The big deck is ``dianti bench omr``.)"""

from __future__ import annotations

import json
import random

import cv2
import numpy as np
import pytest
from django.core.management import call_command

from dianti.meetings import documents
from dianti.meetings.omr import layout as L
from dianti.meetings.omr import synth
from dianti.meetings.omr.read import decide, read_sheet
from dianti.meetings.omr.sources import pdf_pages

from .factories import reporting, scheduled

DPI = 150
SPEC = L.BallotSpec(meeting_id=5, title="通元镇村党组织书记点题述职评议会", grades=("好", "较好", "一般", "差"),
                    groups=("镇党委班子成员", "党员代表"),
                    items=tuple((str(50 + i), i + 1, f"第{i + 1}村党总支 书记{i + 1}") for i in range(6)))


@pytest.fixture(scope="module")
def printed() -> list[np.ndarray]:
    """Serials 1–4 of SPEC, printed and rasterised."""
    return list(pdf_pages(documents.paper_ballots_pdf_for(SPEC, range(1, 5)), DPI))


def test_layout_puts_every_box_inside_its_cell_and_paginates_beyond_the_page_limit() -> None:
    many = L.BallotSpec(meeting_id=1, title="t", grades=("好", "差"), groups=("党员代表",),
                        items=tuple((str(i), i, f"村{i}") for i in range(L.ROWS_PER_PAGE + 4)))
    first, second = L.page_layouts(many)
    assert (first.pages, len(first.rows), len(second.rows)) == (2, L.ROWS_PER_PAGE, 4)
    assert first.groups == ("党员代表",) and second.groups == () and first.table_bottom < L.MARKER_ORIGINS[2][1]
    for row in first.rows:
        for b in (b for b in first.boxes if b.row == row.item):
            assert row.top + L.BOX / 2 < b.y < row.top + L.ROW_H - L.BOX / 2


def test_the_qr_code_names_the_meeting_serial_and_page_and_nothing_else() -> None:
    text = L.qr_payload(5, 17, 1, 2)
    assert text == "DTB1:5:17:1/2" and L.parse_qr(text) == L.SheetId(5, 17, 1, 2)
    assert L.parse_qr("https://example.com") is None and L.parse_qr("DTB1:5:0:1/1") is None


def test_a_blank_printed_ballot_is_found_and_every_row_is_flagged_as_unmarked(printed) -> None:
    for serial, page in enumerate(printed, start=1):
        read = read_sheet(page, SPEC)
        assert (read.found, read.serial, read.page, read.pages, read.reason) == (True, serial, 1, 1, "")
        assert [r.row for r in read.rows] == [item for item, _o, _l in SPEC.items]
        assert all(r.flag == "none" and r.choice is None for r in read.rows) and read.group.flag == "none"


def test_each_page_of_a_long_ballot_is_read_against_its_own_rows() -> None:
    many = L.BallotSpec(meeting_id=5, title="t", grades=("好", "差"), groups=("党员代表",),
                        items=tuple((str(i), i, f"村{i}") for i in range(1, L.ROWS_PER_PAGE + 3)))
    first, second = (read_sheet(page, many) for page in pdf_pages(documents.paper_ballots_pdf_for(many, [3]), DPI))
    assert (first.serial, first.page, first.pages, len(first.rows)) == (3, 1, 2, L.ROWS_PER_PAGE)
    assert (second.serial, second.page, second.group, [r.row for r in second.rows]) == (3, 2, None, ["22", "23"])


def test_the_small_deck_reads_every_clear_mark_and_flags_every_doubt(printed) -> None:
    rng = random.Random(16)
    lay = L.page_layouts(SPEC)[0]
    tally = synth.Tally()
    for n in range(20):
        filled, truth = synth.fill_sheet(printed[n % 4], lay, DPI, n % 4 + 1, rng)
        image = synth.scanned(filled, rng) if n % 2 else synth.phone(filled, rng)
        tally.add(truth, read_sheet(image, SPEC))
    figures = tally.figures()
    assert figures["sheets_lost"] == 0 and figures["confidently_wrong"] == 0
    assert figures["must_flag_caught_pct"] == 100.0
    # Only a light tick too faint to be told from dirt on a 150 dpi photo goes to a person, among single marks.
    by_style = figures["by_style"]
    assert {style for style in synth.SINGLE if by_style[style]["flagged"]} <= {"faint"}
    assert by_style["circle"]["right"] > 0 and by_style["faint"]["right"] > by_style["faint"]["flagged"]


def test_a_sheet_fed_upside_down_or_photographed_sideways_reads_the_same(printed) -> None:
    rng = random.Random(3)
    filled, _truth = synth.fill_sheet(printed[1], L.page_layouts(SPEC)[0], DPI, 2, rng)
    upright = {r.row: (r.choice, r.flag) for r in read_sheet(filled, SPEC).rows}
    for turned in (cv2.rotate(filled, cv2.ROTATE_180), cv2.rotate(filled, cv2.ROTATE_90_CLOCKWISE)):
        read = read_sheet(turned, SPEC)
        assert read.serial == 2 and {r.row: (r.choice, r.flag) for r in read.rows} == upright


def test_a_page_that_is_not_a_ballot_or_of_another_meeting_is_not_read(printed) -> None:
    assert read_sheet(np.full((1200, 900), 240, np.uint8), SPEC).reason == "no_markers"
    other = L.BallotSpec(meeting_id=6, title=SPEC.title, grades=SPEC.grades, groups=SPEC.groups, items=SPEC.items)
    read = read_sheet(printed[0], other)
    assert read.found and read.reason == "other_meeting" and read.rows == [] and read.serial == 1


def test_decisions_read_one_clear_mark_and_flag_two_a_correction_or_a_faint_one() -> None:
    grades = ["好", "较好", "一般"]
    clear = decide("1", grades, [0.45, 0.0, 0.01], [0.5, 0.0, 0.0])
    assert clear.choice == "好" and clear.flag is None and 0.5 < clear.confidence <= 1
    assert decide("1", grades, [0.3, 0.35, 0.0], [0.4, 0.4, 0.0]).flag == "multiple"
    assert decide("1", grades, [0.3, 0.8, 0.0], [0.4, 0.9, 0.0]).flag == "corrected"
    assert decide("1", grades, [0.02, 0.0, 0.0], [0.2, 0.0, 0.0]).flag == "faint"
    assert decide("1", grades, [0.3, 0.07, 0.0], [0.4, 0.1, 0.0]).flag == "ambiguous"


def test_the_command_reads_a_scanned_pdf_and_writes_serials_marks_and_flags_without_counting(tree, tmp_path) -> None:
    meeting = scheduled(reporting(tree))
    spec = documents.ballot_spec(meeting)
    pages = list(pdf_pages(documents.paper_ballots_pdf_for(spec, [1, 2]), DPI))
    lay = L.page_layouts(spec)[0]
    box = next(b for b in lay.boxes if b.row == spec.items[0][0] and b.option == "较好")
    k = DPI / 25.4
    cv2.rectangle(pages[1], (int((box.x - 2.5) * k), int((box.y - 2.5) * k)),
                  (int((box.x + 2.5) * k), int((box.y + 2.5) * k)), 20, -1)
    folder = tmp_path / "scans"
    folder.mkdir()
    for i, page in enumerate(pages, start=1):
        cv2.imwrite(str(folder / f"{i}.png"), page)
    out = tmp_path / "marks.json"
    call_command("omr", "read", str(folder), "--meeting", str(meeting.pk), "--out", str(out))
    result = json.loads(out.read_text(encoding="utf-8"))
    assert [s["serial"] for s in result["sheets"]] == [1, 2] and result["summary"]["seen_twice"] == []
    first_row = result["sheets"][1]["marks"][0]
    assert (first_row["choice"], first_row["flag"], first_row["order"]) == ("较好", None, 1)
    assert meeting.ballots.count() == 0
