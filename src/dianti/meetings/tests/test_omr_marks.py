"""Which marks the paper ballot reader reads by itself and which it leaves to a person, style by style, on printed
pages marked on purpose and then scanned or photographed: a light pencil tick or a ring round one box beside clean
boxes is read (with a lower confidence than a dark mark); dirt, two marks, or a light mark beside anything in
another box is flagged, never guessed."""

from __future__ import annotations

import random
from collections.abc import Callable

import numpy as np
import pytest

from dianti.meetings import documents
from dianti.meetings.omr import layout as L
from dianti.meetings.omr import synth
from dianti.meetings.omr.read import LIGHT_CONFIDENCE, RowRead, decide, read_sheet
from dianti.meetings.omr.sources import pdf_pages

DPI = 200
SPEC = L.BallotSpec(meeting_id=9, title="通元镇村党组织书记点题述职评议会", grades=("好", "较好", "一般", "差"),
                    groups=("镇党委班子成员", "党员代表", "群众代表"),
                    items=tuple((str(70 + i), i + 1, f"第{i + 1}村党总支 书记{i + 1}") for i in range(6)))
LAY = L.page_layouts(SPEC)[0]
ROW, OTHER = "70", "71"  # the row marked on purpose; a row beside it, ticked in the 差 box
Draw = Callable[[synth.Pen, L.Box, L.Box], None]  # (pen, the box meant, another box of the row)


@pytest.fixture(scope="module")
def blank() -> np.ndarray:
    return next(pdf_pages(documents.paper_ballots_pdf_for(SPEC, [4]), DPI))


def _box(row: str, option: str) -> L.Box:
    return next(b for b in LAY.boxes if b.row == row and b.option == option)


def _read(blank: np.ndarray, draw: Draw, how: str, seed: int) -> tuple[RowRead, RowRead]:
    """Draw on the row, tick the next row, capture the page as ``how`` says; return both rows as read."""
    image = blank.copy()
    pen = synth.Pen(image, DPI, random.Random(seed))
    draw(pen, _box(ROW, "较好"), _box(ROW, "一般"))
    pen.tick(_box(OTHER, "差").x, _box(OTHER, "差").y)
    rng = random.Random(seed)
    captured = synth.scanned(image, rng) if how == "scan" else synth.phone(image, rng)
    read = read_sheet(captured, SPEC)
    assert read.serial == 4
    rows = {r.row: r for r in read.rows}
    return rows[ROW], rows[OTHER]


READ = {
    "light tick": lambda pen, box, _other: pen.tick(box.x, box.y, faint=True),
    "ring round the box": lambda pen, box, _other: pen.circle(box.x, box.y),
    "half-filled box": lambda pen, box, _other: pen.fill(box.x, box.y, part=0.5),
}
FLAGGED = {
    "smear of dirt": lambda pen, box, _other: pen.smudge(box.x, box.y, kind="smear"),
    "speck of dust": lambda pen, box, _other: pen.smudge(box.x, box.y, kind="speck"),
    "two light ticks": lambda pen, box, other: (pen.tick(box.x, box.y, faint=True),
                                                pen.tick(other.x, other.y, faint=True)),
    "light tick beside a dark one": lambda pen, box, other: (pen.tick(box.x, box.y, faint=True),
                                                             pen.tick(other.x, other.y)),
    "ring beside a cross": lambda pen, box, other: (pen.circle(box.x, box.y), pen.cross(other.x, other.y)),
    "two rings": lambda pen, box, other: (pen.circle(box.x, box.y), pen.circle(other.x, other.y)),
    "crossed out and another filled": lambda pen, box, other: (pen.cross(other.x, other.y), pen.fill(box.x, box.y)),
}


@pytest.mark.parametrize("how", ["scan", "phone"])
@pytest.mark.parametrize("style", list(READ))
def test_a_light_tick_a_ring_or_a_half_filled_box_alone_in_its_row_is_read_without_a_person(blank, style, how):
    for seed in range(3):
        row, other = _read(blank, READ[style], how, seed)
        assert (row.choice, row.flag) == ("较好", None), (style, how, seed, row)
        assert (other.choice, other.flag) == ("差", None)
        dark = style == "half-filled box"
        assert row.confidence > LIGHT_CONFIDENCE if dark else row.confidence == LIGHT_CONFIDENCE


@pytest.mark.parametrize("how", ["scan", "phone"])
@pytest.mark.parametrize("style", list(FLAGGED))
def test_dirt_two_marks_or_a_light_mark_beside_another_go_to_a_person_and_are_never_guessed(blank, style, how):
    for seed in range(3):
        row, other = _read(blank, FLAGGED[style], how, seed)
        assert row.choice is None and row.flag is not None, (style, how, seed, row)
        assert (other.choice, other.flag) == ("差", None)


def test_decisions_read_one_long_thin_stroke_or_one_ring_beside_clean_boxes_only() -> None:
    grades = ["好", "较好", "一般"]
    none = [0.0, 0.0, 0.0]
    stroke = decide("1", grades, none, [0.0, 0.15, 0.0], lengths=[0.0, 3.6, 0.0], widths=[0.0, 1.0, 0.0])
    assert (stroke.choice, stroke.flag, stroke.confidence) == ("较好", None, LIGHT_CONFIDENCE)
    ring = decide("1", grades, none, none, rings=[0.0, 0.0, 1.0])
    assert (ring.choice, ring.flag) == ("一般", None)
    smudge = decide("1", grades, none, [0.0, 0.3, 0.0], lengths=[0.0, 2.6, 0.0], widths=[0.0, 1.8, 0.0])
    speck = decide("1", grades, none, [0.0, 0.02, 0.0], lengths=[0.0, 0.8, 0.0], widths=[0.0, 0.5, 0.0])
    assert (smudge.choice, smudge.flag, speck.choice, speck.flag) == (None, "faint", None, "none")
    beside_a_speck = decide("1", grades, none, [0.0, 0.15, 0.0], lengths=[1.6, 3.6, 0.0], widths=[0.5, 1.0, 0.0])
    assert (beside_a_speck.choice, beside_a_speck.flag) == (None, "faint")
    assert decide("1", grades, none, none, rings=[1.0, 1.0, 0.0]).flag == "multiple"
    dark_beside_ring = decide("1", grades, [0.4, 0.0, 0.0], [0.5, 0.0, 0.0], rings=[0.0, 0.0, 1.0])
    assert (dark_beside_ring.choice, dark_beside_ring.flag) == (None, "ambiguous")
