"""Score a whole closed meeting at once with numpy: the fields :func:`.services.score_meeting` stores, to the bit.

:func:`.services.score_meeting` maps every ballot to an engine :class:`~.engine.Ballot`, scores each subject with
:func:`~.engine.score_subject` and computes the panel's alpha from those objects: a few milliseconds a subject,
too slow for a province (:mod:`.recompute`). Here the meeting's ballot rows become a handful of arrays; validity,
the (subject, group) cells, their order by mark, the trims, the sums and the grade counts are array operations, and
the alpha matrices are counted with ``np.bincount``. What is left per subject is what the engine itself does with
aggregates — :func:`~.engine.scoring.assemble` (weighted score, item scores, rates, rules, flags) and the stored
fields of :func:`.services.result_fields` (the engine's own ``to_dict`` and ``explain``) — so there is one formula
and one text for every figure, whichever path computed it. The recompute takes :func:`meeting_rows` instead: the
same rows, written straight from the cells by :mod:`.stored_rows` without the per-subject objects, compared with
these byte for byte in ``test_stored_rows.py``.

To the bit: a group's mean is the engine's ``fsum(kept) / len(kept)``; a numpy sum of whole numbers is exact, so
it equals fsum, and the division is the same IEEE operation. :func:`score_meeting` therefore returns None — score
this meeting the per-subject way — for what it does not cover: marks that are not whole numbers, paper ballots
(their rater flags need the engine's objects), ballots with some item marks but not all, or an agenda item that is
not the meeting's. ``test_recompute.py`` compares both paths field by field.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from . import adapter, services, stored_rows
from .engine import Scheme
from .engine.alpha import alpha_of_counts
from .engine.marks import Aggregate
from .engine.results import SubjectResult
from .engine.scoring import PerGroup, assemble
from .models import ScoringScheme

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
EXACT = 2.0 ** 40  # whole marks below this sum exactly in float64 however many a cell holds


@dataclass(frozen=True)
class Ballots:
    """A meeting's ballots as arrays, in primary-key order: ids, subject index (agenda order), scheme group index
    and scale grade index (-1 where unknown), item marks (ballots × items, NaN for a grade-only ballot)."""

    ids: IntArray
    subject: IntArray
    group: IntArray
    grade: IntArray
    items: FloatArray
    has_items: BoolArray


def _arrays(data: adapter.MeetingInput, item_code: Mapping[str, str], subject_of: Mapping[int, int],
            rows: Sequence[adapter.BallotValues]) -> Ballots | None:
    """Return the rows as arrays, or None when they hold what only the per-subject path covers."""
    subjects = {s: i for i, s in enumerate(data.ballots)}
    group_index = {code: i for i, code in enumerate(g.code for g in data.scheme.groups)}
    by_panel = {pk: group_index.get(code, -1) for pk, code in data.group_code.items()}
    grade_index = {label: i for i, label in enumerate(data.scheme.scale.labels)}
    by_grade = {g: grade_index.get(data.grade_map.get(g, g), -1) for g in data.grade_map}
    names = list(item_code)
    if not rows:
        none = np.zeros(0, dtype=np.int64)
        return Ballots(none, none, none, none, np.zeros((0, len(names))), np.zeros(0, dtype=bool))
    pks, agenda, panel, grades, scores, _tokens = zip(*rows, strict=True)
    try:
        subject = [subjects[subject_of[i]] for i in agenda]
    except KeyError:
        return None
    marks = np.full((len(rows), len(names)), np.nan)
    has = np.array([bool(s) for s in scores], dtype=bool)
    if names and has.any():
        get = operator.itemgetter(*names)
        try:
            given = [get(s) for s, h in zip(scores, has, strict=True) if h]
            marks[has] = np.array(given, dtype=float).reshape(-1, len(names))
        except (KeyError, TypeError, ValueError):
            return None  # an item missing or not a number: the per-subject path says what that means
    elif has.any():
        has[:] = False  # the meeting scores no items: marks on a ballot are ignored, as the mapping does
    return Ballots(np.array(pks, dtype=np.int64), np.array(subject, dtype=np.int64),
                   np.array([by_panel.get(g, -1) for g in panel], dtype=np.int64),
                   np.array([by_grade.get(g, grade_index.get(g, -1)) for g in grades], dtype=np.int64),
                   marks, has)


def _exact(b: Ballots, scheme: Scheme) -> bool:
    """Return whether every mark is a whole number small enough for exact sums (see the module docstring)."""
    defaults = np.array([g.default_points for g in scheme.scale.grades])
    marks = np.concatenate([defaults, b.items[b.has_items].ravel()])
    return bool(np.isfinite(marks).all() and (marks == np.rint(marks)).all() and (np.abs(marks) < EXACT).all())


@dataclass(frozen=True)
class Sorted:
    """Marks of valid ballots ordered by (cell, mark, ballot order), with each cell's start, size and trims."""

    ids: list[int]
    marks: list[float]
    start: list[int]
    size: list[int]
    trims: list[int]
    means: list[float]


def _sorted(cell: IntArray, marks: FloatArray, ids: IntArray, n_cells: int, scheme: Scheme) -> Sorted:
    """Return the cells' marks sorted as :func:`~.engine.marks.aggregate` sorts them, trimmed and averaged."""
    order = np.lexsort((np.arange(len(cell)), marks, cell))
    cell, marks, ids = cell[order], marks[order], ids[order]
    size = np.bincount(cell, minlength=n_cells)
    start = np.cumsum(size) - size
    agg = scheme.aggregation
    trims = (np.where(size > agg.trim_when_more_than, agg.trim_each_side, 0) if agg.method == "trimmed"
             else np.zeros_like(size))
    position = np.arange(len(cell)) - start[cell]
    keep = (position >= trims[cell]) & (position < (size - trims)[cell])
    sums = np.bincount(cell[keep], weights=marks[keep], minlength=n_cells)
    kept = size - 2 * trims
    means = np.divide(sums, kept, out=np.full(n_cells, np.nan), where=kept > 0)
    return Sorted(ids.tolist(), marks.tolist(), start.tolist(), size.tolist(), trims.tolist(), means.tolist())


class Kept(Sequence[tuple[int, float]]):
    """The (ballot, mark) pairs a cell kept, as a view of the meeting's sorted lists: the stored detail needs only
    their number, so the pairs — a few million in a province — are made only if someone reads them."""

    __slots__ = ("ids", "marks", "start", "stop")

    def __init__(self, ids: list[int], marks: list[float], start: int, stop: int) -> None:
        self.ids, self.marks, self.start, self.stop = ids, marks, start, stop

    def __len__(self) -> int:
        return self.stop - self.start

    def __iter__(self) -> Iterator[tuple[int, float]]:
        return zip(self.ids[self.start:self.stop], self.marks[self.start:self.stop], strict=True)

    def __getitem__(self, i: Any) -> Any:
        return tuple(self)[i]


def _aggregate(s: Sorted, c: int) -> Aggregate | None:
    """Return cell ``c`` as the engine's :class:`~.engine.marks.Aggregate` (None when it is empty)."""
    n = s.size[c]
    if not n:
        return None
    a, k = s.start[c], s.trims[c]
    b = a + n
    ids, marks = s.ids, s.marks
    if not k:
        return Aggregate(s.means[c], Kept(ids, marks, a, b), (), ())
    return Aggregate(s.means[c], Kept(ids, marks, a + k, b - k), tuple(zip(ids[a:a + k], marks[a:a + k], strict=True)),
                     tuple(zip(ids[b - k:b], marks[b - k:b], strict=True)))


def _invalid(b: Ballots, base: Scheme) -> tuple[BoolArray, list[list[tuple[int, str]]]]:
    """Return the valid mask and, per subject, its invalid ballots in the order the per-subject path lists them:
    those the item rules set aside first, then unknown groups and grades (each in ballot order)."""
    known = (b.group >= 0) & (b.grade >= 0)
    rules, n_items = base.invalid, b.items.shape[1]
    pre = np.zeros(len(known), dtype=bool)
    if rules.same_mark_on_all_items and n_items >= rules.min_items_for_same_mark:
        pre = known & b.has_items & (np.nanmax(b.items, axis=1, initial=-np.inf) ==
                                     np.nanmin(b.items, axis=1, initial=np.inf))
    listed: list[list[tuple[int, str]]] = [[] for _ in range(int(b.subject.max(initial=-1)) + 1)]
    for i in np.flatnonzero(pre).tolist():
        listed[int(b.subject[i])].append((int(b.ids[i]), "same_mark"))
    for i in np.flatnonzero(~known).tolist():
        listed[int(b.subject[i])].append((int(b.ids[i]), "unknown_group" if b.group[i] < 0 else "unknown_grade"))
    return known & ~pre, listed


@dataclass(frozen=True)
class Scored:
    """A meeting scored at once: each subject's engine result, and the panel's alpha."""

    results: dict[int, SubjectResult]
    alpha: adapter.PanelAlpha


@dataclass(frozen=True)
class Cells:
    """A meeting's valid marks sorted by (subject, group) cell — overall and per item — with each subject's valid
    ballots per grade and its ballots in all."""

    overall: Sorted
    by_item: list[Sorted]
    distribution: list[list[int]]
    n_ballots: list[int]


def _cells(data: adapter.MeetingInput, b: Ballots, ok: BoolArray) -> Cells:
    scheme = data.scheme
    n_s, n_g, n_i = len(data.ballots), len(scheme.groups), b.items.shape[1]
    cell = b.subject[ok] * n_g + b.group[ok]
    defaults = np.array([g.default_points for g in scheme.scale.grades])
    overall = _sorted(cell, defaults[b.grade[ok]], b.ids[ok], n_s * n_g, scheme)
    with_items = b.has_items[ok]
    by_item = [_sorted(cell[with_items], b.items[ok][with_items, j], b.ids[ok][with_items], n_s * n_g, scheme)
               for j in range(n_i)]
    n_k = len(scheme.scale.labels)
    dist = np.bincount(b.subject[ok] * n_k + b.grade[ok], minlength=n_s * n_k)
    return Cells(overall, by_item, dist.reshape(n_s, n_k).tolist(), np.bincount(b.subject, minlength=n_s).tolist())


def _results(data: adapter.MeetingInput, cells: Cells, listed: list[list[tuple[int, str]]]
             ) -> dict[int, SubjectResult]:
    scheme = data.scheme
    n_g = len(scheme.groups)
    labels = scheme.scale.labels
    overall, by_item = cells.overall, cells.by_item
    out = {}
    for s, sid in enumerate(data.ballots):
        per_group: list[PerGroup] = []
        for g, group in enumerate(scheme.groups):
            c = s * n_g + g
            per_group.append((group.code, group.label, group.weight, overall.size[c], _aggregate(overall, c),
                              [_aggregate(it, c) for it in by_item]))
        invalid = listed[s] if s < len(listed) else []
        pre = [x for x in invalid if x[1] == "same_mark"]
        res = assemble(scheme, sid, cells.n_ballots[s] - len(pre), invalid[len(pre):], per_group,
                       dict(zip(labels, cells.distribution[s], strict=True)))
        out[sid] = adapter.with_item_invalid(res, pre)
    return out


def _alpha(counts: IntArray, level: Any, values: FloatArray | None = None) -> float | None:
    """Return alpha over the rows of ``counts`` holding two ratings or more, as :func:`.adapter._alpha` does."""
    pairable = counts[counts.sum(axis=1) >= 2]
    if not len(pairable):
        return None
    value = alpha_of_counts(pairable.astype(float), level, values)
    return None if value is None or math.isnan(value) else value


def _panel_alpha(data: adapter.MeetingInput, b: Ballots, ok: BoolArray) -> adapter.PanelAlpha:
    """Return :func:`.adapter.panel_alphas` of the valid ballots, counted with numpy."""
    scheme = data.scheme
    n_s, n_k, n_g = len(data.ballots), len(scheme.scale.grades), len(scheme.groups)
    subject, grade, group = b.subject[ok], b.grade[ok], b.group[ok]
    overall = np.bincount(subject * n_k + grade, minlength=n_s * n_k).reshape(n_s, n_k)
    per_group = np.bincount((group * n_s + subject) * n_k + grade, minlength=n_g * n_s * n_k).reshape(n_g, n_s, n_k)
    by_group = {g.label: _alpha(per_group[i], "ordinal") for i, g in enumerate(scheme.groups) if per_group[i].any()}
    sizes = overall.sum(axis=1)
    return adapter.PanelAlpha(_alpha(overall, "ordinal"), int((sizes >= 2).sum()), int(sizes.sum()), by_group,
                              _item_alpha(b.items[ok][b.has_items[ok]], subject[b.has_items[ok]], n_s)
                              if scheme.items else None)


def _item_alpha(marks: FloatArray, subject: IntArray, n_subjects: int) -> float | None:
    """Return the interval alpha over the item marks (rows: ballots with items), a unit being one item of one
    subject, units subject by subject and the categories the distinct marks of pairable units, as
    :func:`.adapter.panel_alphas` has them."""
    n_items = marks.shape[1]
    unit = (subject[:, None] * n_items + np.arange(n_items)[None, :]).ravel()
    values = marks.ravel()
    pairable = np.bincount(unit, minlength=n_subjects * n_items) >= 2
    if not pairable.any():
        return None
    unit, values = unit[pairable[unit]], values[pairable[unit]]
    cats, cat = np.unique(values, return_inverse=True)
    rank = np.cumsum(pairable) - 1
    counts = np.bincount(rank[unit] * len(cats) + cat.ravel(), minlength=int(pairable.sum()) * len(cats))
    return _alpha(counts.reshape(-1, len(cats)), "interval", cats.astype(float))


@dataclass(frozen=True)
class _Prepared:
    data: adapter.MeetingInput
    cells: Cells
    listed: list[list[tuple[int, str]]]
    alpha: adapter.PanelAlpha


def _prepare(meeting: Any, base: Scheme, panel: Sequence[Any], subject_of: Mapping[int, int],
             rows: Sequence[adapter.BallotValues], paper: bool) -> _Prepared | None:
    data, item_code = adapter.mapping(meeting, base, panel, subject_of)
    if paper or len(set(item_code.values())) != len(data.scheme.items):
        return None
    b = _arrays(data, item_code, subject_of, rows)
    if b is None or not _exact(b, data.scheme):
        return None
    ok, listed = _invalid(b, base)
    return _Prepared(data, _cells(data, b, ok), listed, _panel_alpha(data, b, ok))


def score_meeting(meeting: Any, base: Scheme, row: ScoringScheme, panel: Sequence[Any],
                  subject_of: Mapping[int, int], rows: Sequence[adapter.BallotValues], paper: bool,
                  subjects: Sequence[int] | None = None) -> Iterator[tuple[int, SubjectResult, dict[str, Any]]] | None:
    """Return what :func:`.services.score_meeting` yields for the meeting (rows as :func:`.adapter.build_input`
    takes them), or None when the meeting needs the per-subject path (see the module docstring); ``paper`` says
    whether it has accepted paper ballots."""
    p = _prepare(meeting, base, panel, subject_of, rows, paper)
    if p is None:
        return None
    results = _results(p.data, p.cells, p.listed)
    wanted = None if subjects is None else set(subjects)
    return ((sid, res, services.result_fields(res, p.data, row, p.alpha, [], []))
            for sid, res in results.items() if wanted is None or sid in wanted)


def meeting_rows(meeting: Any, base: Scheme, row: ScoringScheme, panel: Sequence[Any],
                 subject_of: Mapping[int, int], rows: Sequence[adapter.BallotValues], paper: bool,
                 subjects: Sequence[int] | None, now: Any
                 ) -> list[tuple[int, dict[str, tuple[str, str, bool]], Any]] | None:
    """Return (subject, :func:`.services.wanted_proposals`, :func:`.upsert.stored` row) for the subjects
    :func:`score_meeting` would yield, written straight from the cells (:mod:`.stored_rows`), or None where the
    meeting needs the per-subject path."""
    p = _prepare(meeting, base, panel, subject_of, rows, paper)
    if p is None:
        return None
    return stored_rows.rows(p.data, row, p.alpha, p.cells, p.listed, None if subjects is None else set(subjects),
                            now)
