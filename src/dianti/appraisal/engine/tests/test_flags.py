from __future__ import annotations

from collections.abc import Hashable, Sequence

import pytest

from dianti.appraisal.engine.flags import (
    FlagConfig,
    identical_ballots,
    modified_z,
    rater_deviations,
    rater_flags,
    severity,
    straight_lining,
)
from dianti.appraisal.engine.marks import Ballot
from dianti.appraisal.engine.scheme import default_scheme

ITEMS = ("de", "neng", "qin", "ji", "lian")
SCHEME = default_scheme()
GRADE_OF = {95.0: "好", 90.0: "好", 100.0: "好", 85.0: "较好", 80.0: "较好", 75.0: "较好", 70.0: "一般",
            65.0: "一般", 60.0: "一般", 55.0: "差"}


def ballot(rater: str, subject: int, mark: float, items: Sequence[float] | None = None) -> Ballot:
    marks = items or (mark, mark - 5, mark, mark, mark - 5)
    return Ballot(f"{rater}-{subject}", "public", GRADE_OF[mark], mark, dict(zip(ITEMS, marks, strict=True)),
                  rater=rater)


def test_straight_lining_names_the_rater_and_subjects() -> None:
    panel: dict[Hashable, list[Ballot]] = {
        1: [ballot("a", 1, 90, [90] * 5), ballot("b", 1, 85)],
        2: [ballot("a", 2, 80), ballot("b", 2, 80)],
    }
    flags = straight_lining(panel, SCHEME)
    assert [(f.rater, f.subjects, f.value) for f in flags] == [("a", (1,), 0.5)]


def test_identical_ballots_across_many_subjects_are_flagged() -> None:
    panel: dict[Hashable, list[Ballot]] = {s: [ballot("same", s, 95), ballot("varied", s, [95, 85, 80, 70, 95][s])]
                                           for s in range(5)}
    flags = identical_ballots(panel, SCHEME)
    assert [(f.rater, len(f.subjects)) for f in flags] == [("same", 5)]
    assert identical_ballots(panel, SCHEME, FlagConfig(min_subjects=6)) == []


def test_severity_uses_residuals_against_the_other_raters() -> None:
    # Six raters agree within 5 points on four subjects; "harsh" marks every subject 25–30 points lower.
    base = {0: 90.0, 1: 80.0, 2: 85.0, 3: 75.0}
    offsets = {"r1": 0, "r2": 5, "r3": -5, "r4": 0, "r5": 5, "r6": 0}
    panel: dict[Hashable, list[Ballot]] = {
        s: [ballot(r, s, min(100.0, m + o)) for r, o in offsets.items()] + [ballot("harsh", s, 55.0)]
        for s, m in base.items()
    }
    flags = severity(panel, SCHEME)
    assert [(f.rater, f.kind) for f in flags] == [("harsh", "severe")]
    assert flags[0].value < -3.5
    deviation, n = rater_deviations(panel, SCHEME)["harsh"]
    assert n == 4 and deviation == pytest.approx(55 - (sum(base.values()) / 4 + 5 / 6))  # offsets sum to 5


def test_severity_needs_enough_raters() -> None:
    panel: dict[Hashable, list[Ballot]] = {s: [ballot("a", s, 95), ballot("b", s, 55)] for s in range(4)}
    assert severity(panel, SCHEME) == []


def test_modified_z_by_hand() -> None:
    # median 2, |x − 2| = 1 0 0 1 8 → MAD 1; z = 0.6745 (x − 2).
    assert modified_z([1, 2, 2, 3, 10]) == pytest.approx([-0.6745, 0, 0, 0.6745, 8 * 0.6745])
    # MAD 0 → mean absolute deviation 10/5 = 2, scaled by 1.2533.
    assert modified_z([0, 0, 0, 0, 10])[-1] == pytest.approx(10 / (1.2533 * 2))
    assert modified_z([3, 3, 3]) == [0.0, 0.0, 0.0]


def test_flags_leave_the_ballots_alone() -> None:
    panel: dict[Hashable, list[Ballot]] = {s: [ballot("same", s, 95, [95] * 5)] for s in range(6)}
    before = {s: list(b) for s, b in panel.items()}
    kinds = {f.kind for f in rater_flags(panel, SCHEME)}
    assert kinds == {"straight_lining", "identical_ballots"}
    assert panel == before
