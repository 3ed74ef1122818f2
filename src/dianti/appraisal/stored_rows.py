"""The rows a meeting scored at once stores (:func:`.vectorised.meeting_rows`), written straight from its cells'
figures: what :func:`.services.result_fields` and :func:`.upsert.stored` make of the engine's results, to the
byte, without making the engine's result objects and the detail's dictionaries subject by subject.

A province's recompute spent most of its CPU on Python per subject: the engine's :func:`~.engine.scoring.assemble`
(a few dozen small objects), the detail as dictionaries, then encoding 4 kB of JSON. Most of that repeats: a rate
and its interval, a rule's outcome with its text, the flags on a group's size and the panel's part of the detail
depend only on a few whole numbers (or on nothing of the subject), and a province has few distinct ones. Here each
is made once per meeting by the engine's own functions (:func:`~.engine.scoring.rule_outcome`,
:func:`~.engine.scoring.uncertain_flag`, :func:`~.engine.scoring.group_flags`, :func:`~.engine.results.rate_dict`
…) and encoded once; what is left per subject is its own figures — each group's mean and trims from the meeting's
sorted cells, the score and item scores combined with ``math.fsum`` exactly as :func:`~.engine.scoring.assemble`
combines them — and joining the pieces. The per-subject path stays the reference: ``test_stored_rows.py``
compares the rows byte for byte, and the engine's own result for each subject stays one call away
(:func:`.vectorised.score_meeting`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from . import adapter, services
from .engine import Scheme
from .engine.results import Rate, RuleOutcome, flag_dict, outcome_dict, proposals_of, rate_dict
from .engine.scoring import NO_VALID_BALLOTS, group_flags, invalid_flag, rule_outcome, uncertain_flag
from .models import ScoringScheme, SubjectResult
from .upsert import ENCODER, RESULT_FIELDS, stored

FloatArray = npt.NDArray[np.float64]


def _n(x: float | None) -> str:
    """Return a number as :data:`.upsert.ENCODER` writes it (only whole numbers and finite floats come here)."""
    return "null" if x is None else repr(x)


def _aggregate(ov: Any, a: int, n: int, k: int, mean: float) -> str:
    """Return a cell's aggregate as the engine's to_dict has it (the ballots dropped, the number kept)."""
    if not n:
        return "null"
    if not k:
        return f'{{"mean":{mean!r},"dropped_low":[],"dropped_high":[],"n_kept":{n}}}'
    low, high = _pairs(ov.ids, ov.marks, a, a + k), _pairs(ov.ids, ov.marks, a + n - k, a + n)
    return f'{{"mean":{mean!r},"dropped_low":[{low}],"dropped_high":[{high}],"n_kept":{n - 2 * k}}}'


def _pairs(ids: list[int], marks: list[float], a: int, b: int) -> str:
    if b == a + 1:
        return f"[{ids[a]},{marks[a]!r}]"
    return ",".join(f"[{i},{m!r}]" for i, m in zip(ids[a:b], marks[a:b], strict=True))


class _Once:
    """The pieces of a meeting's results that depend on a few whole numbers, made and encoded once each."""

    def __init__(self, scheme: Scheme) -> None:
        self.scheme = scheme
        labels = scheme.scale.labels
        self.index = {label: i for i, label in enumerate(labels)}
        self.rules = scheme.action_rules
        self.rule_grades = [[self.index[x] for x in r.grades] for r in self.rules]
        self.satisfied = [self.index[x] for x in scheme.scale.satisfied]
        self.dissatisfied = [self.index[x] for x in scheme.scale.dissatisfied]
        self._rates: dict[tuple[tuple[str, ...], int, int], tuple[Rate, str]] = {}
        self._outcomes: dict[tuple[int, int, int], tuple[RuleOutcome, str, str | None]] = {}
        self._group_flags: dict[tuple[int, ...], list[str]] = {}
        self._invalid: dict[int, str] = {}
        self._combined: dict[tuple[bool, ...], tuple[float, list[float]]] = {}
        self.no_valid = ENCODER.encode(flag_dict(NO_VALID_BALLOTS))

    def rate(self, grades: tuple[str, ...], count: int, total: int) -> tuple[Rate, str]:
        key = (grades, count, total)
        got = self._rates.get(key)
        if got is None:
            r = Rate.of(grades, count, total, self.scheme.confidence)
            got = self._rates[key] = (r, ENCODER.encode(rate_dict(r))[:-1])  # open: "uncertain" may follow
        return got

    def outcome(self, i: int, count: int, total: int) -> tuple[RuleOutcome, str, str | None]:
        key = (i, count, total)
        got = self._outcomes.get(key)
        if got is None:
            o = rule_outcome(self.rules[i], self.rate(self.rules[i].grades, count, total)[0])
            flag = ENCODER.encode(flag_dict(uncertain_flag(o))) if o.status == "uncertain" else None
            got = self._outcomes[key] = (o, ENCODER.encode(outcome_dict(o)), flag)
        return got

    def group_flags(self, sizes: tuple[int, ...]) -> list[str]:
        got = self._group_flags.get(sizes)
        if got is None:
            got = self._group_flags[sizes] = [ENCODER.encode(flag_dict(f)) for f in group_flags(self.scheme, sizes)]
        return got

    def invalid(self, n: int) -> str:
        got = self._invalid.get(n)
        if got is None:
            got = self._invalid[n] = ENCODER.encode(flag_dict(invalid_flag(n)))
        return got

    def combined(self, weights: Sequence[float], present: tuple[bool, ...]) -> tuple[float, list[float]]:
        """Return Σ w over the groups present and each group's used weight, as :func:`~.engine.scoring._combine`
        has them (0 where absent); the sum is 0 when none is."""
        got = self._combined.get(present)
        if got is None:
            total = math.fsum(w for w, p in zip(weights, present, strict=True) if p)
            used = [w / total if p else 0.0 for w, p in zip(weights, present, strict=True)] if total else []
            got = self._combined[present] = (total, used)
        return got


def _combine_all(once: _Once, weights: Sequence[float], means: FloatArray) -> tuple[list[float | None], FloatArray]:
    """Return each row's weighted score of ``means`` (subjects × groups, NaN where a group is empty) and the used
    weights, as :func:`~.engine.scoring._combine` computes them subject by subject: the used weights of each
    pattern of empty groups once, their products with the means (the same IEEE products), summed by ``math.fsum``
    (an empty group adds an exact 0.0, which leaves a correctly rounded sum as it is)."""
    present = ~np.isnan(means)
    used = np.zeros(means.shape)
    totals = np.zeros(len(means))
    patterns, inverse = np.unique(present, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    for p, pattern in enumerate(patterns.tolist()):
        total, weights_used = once.combined(weights, tuple(pattern))
        if total:
            used[inverse == p] = weights_used
        totals[inverse == p] = total
    sums = map(math.fsum, np.where(present, means * used, 0.0).tolist())
    return [x if t else None for x, t in zip(sums, totals.tolist(), strict=True)], used


def _present(figures: Any, shape: tuple[int, int]) -> FloatArray:
    """Return a cell's means as subjects × groups, NaN where it holds no mark."""
    means: FloatArray = np.where(np.array(figures.size) > 0, np.array(figures.means), np.nan).reshape(shape)
    return means


def _rate_text(shown: str, outcomes: Sequence[RuleOutcome], grades: set[str]) -> str:
    uncertain = [o.rule.action for o in outcomes if o.status == "uncertain" and set(o.rate.grades) == grades]
    return f'{shown},"uncertain":{ENCODER.encode(uncertain)}}}'


class _Meeting:
    """The meeting's figures and what every subject's detail repeats, encoded once."""

    def __init__(self, data: adapter.MeetingInput, row: ScoringScheme, alpha: adapter.PanelAlpha, cells: Any,
                 listed: list[list[tuple[int, str]]]) -> None:
        scheme = self.scheme = data.scheme
        self.once = _Once(scheme)
        self.cells, self.listed = cells, listed
        groups, items = scheme.groups, scheme.items
        self.n_g, self.n_i = len(groups), len(items)
        shape = (len(data.ballots), self.n_g)
        weights = [g.weight for g in groups]
        self.score, self.used = _combine_all(self.once, weights, _present(cells.overall, shape))
        self.item_scores = [_combine_all(self.once, weights, _present(it, shape))[0] for it in cells.by_item]
        self.group_head = [ENCODER.encode({"code": g.code, "weight": g.weight})[:-1] + ',"used_weight":'
                           for g in groups]
        self.item_key = [ENCODER.encode(i.code) + ":" for i in items]
        self.label_key = [ENCODER.encode(label) + ":" for label in scheme.scale.labels]
        self._grades: dict[tuple[int, ...], _Grades] = {}
        self.shared = ENCODER.encode(services.detail_shared(data, row, alpha, []))[1:-1]
        self.head = ('{"subject":%d,"scheme_version":' + ENCODER.encode(scheme.version).replace("%", "%%")
                     + ',"n_ballots":')
        self.reason = {r: ENCODER.encode(r) for r in ("same_mark", "unknown_group", "unknown_grade")}
        self.group_texts = self._group_texts()
        counts = np.array(cells.distribution, dtype=np.int64).reshape(len(data.ballots), len(scheme.scale.labels))
        self.rule_counts = np.stack([counts[:, idx].sum(axis=1) for idx in self.once.rule_grades], axis=1).tolist() \
            if self.once.rules else [[] for _ in data.ballots]
        self.totals = counts.sum(axis=1).tolist()
        self.sat_counts = counts[:, self.once.satisfied].sum(axis=1).tolist()
        self.dis_counts = counts[:, self.once.dissatisfied].sum(axis=1).tolist()

    def _group_texts(self) -> list[str]:
        """Return every (subject, group) cell's group as the engine's to_dict has it, in one pass over the cells."""
        ov = self.cells.overall
        items = [[t if n else "null" for t, n in zip(map(repr, it.means), it.size, strict=True)]
                 for it in self.cells.by_item]
        keyed = [[key + t for t in texts] for key, texts in zip(self.item_key, items, strict=True)]
        item_objects = ["{" + ",".join(parts) + "}" for parts in zip(*keyed, strict=True)] if keyed \
            else ["{}"] * len(ov.size)
        heads = self.group_head * (len(ov.size) // max(1, self.n_g))
        used = map(repr, self.used.ravel().tolist())
        return [f'{head}{u},"n_valid":{n},"score":{_n(mean) if n else "null"},'
                f'"aggregate":{_aggregate(ov, a, n, k, mean)},"items":{obj}}}'
                for head, u, n, mean, a, k, obj in zip(heads, used, ov.size, ov.means, ov.start, ov.trims,
                                                       item_objects, strict=True)]

    def groups(self, s: int) -> tuple[str, list[int]]:
        """Return subject ``s``'s groups as the engine's to_dict has them, and each group's valid ballots."""
        a, b = s * self.n_g, (s + 1) * self.n_g
        return ",".join(self.group_texts[a:b]), self.cells.overall.size[a:b]

    def grades(self, s: int) -> _Grades:
        """Return what subject ``s``'s valid ballots per grade decide (the same for every subject with its counts)."""
        key = (self.totals[s], self.sat_counts[s], self.dis_counts[s], *self.rule_counts[s])
        got = self._grades.get(key)
        if got is None:
            got = self._grades[key] = _Grades.of(self.once, self.scheme, *key)
        return got

    def flags(self, s: int, grades: _Grades) -> str:
        """Return subject ``s``'s flags in the engine's order (:func:`~.engine.scoring.assemble`)."""
        once = self.once
        invalid = self.listed[s] if s < len(self.listed) else []
        pre = sum(1 for x in invalid if x[1] == "same_mark")
        flags = [*once.group_flags(tuple(self.cells.overall.size[s * self.n_g:(s + 1) * self.n_g])),
                 *grades.uncertain_flags]
        if len(invalid) > pre:
            flags.append(once.invalid(len(invalid) - pre))
        if grades.total == 0:
            flags.append(once.no_valid)
        if pre:  # the ballots the item rules set aside join the count (adapter.with_item_invalid)
            flags = [f for f in flags if not f.startswith('{"code":"invalid_ballots"')] + [once.invalid(len(invalid))]
        return ",".join(flags)

    def detail(self, s: int, sid: int) -> tuple[str, _Grades, int, int]:
        """Return subject ``s``'s stored detail, what its grades decide, its valid and invalid ballots."""
        grades = self.grades(s)
        invalid = self.listed[s] if s < len(self.listed) else []
        n_ballots = self.cells.n_ballots[s]
        n_valid = n_ballots - len(invalid)
        a, b = s * self.n_g, (s + 1) * self.n_g
        items = ",".join([key + _n(scores[s]) for key, scores in zip(self.item_key, self.item_scores, strict=True)])
        listed = ",".join([f"[{bid},{self.reason[why]}]" for bid, why in invalid])
        distribution = ",".join([key + str(n) for key, n in zip(self.label_key, self.cells.distribution[s],
                                                                 strict=True)])
        text = (f'{self.head % sid}{n_ballots},"n_valid":{n_valid},"invalid":[{listed}],'
                f'"score":{_n(self.score[s])},"groups":[{",".join(self.group_texts[a:b])}],"items":{{{items}}},'
                f'"distribution":{{{distribution}}},{grades.text},"flags":[{self.flags(s, grades)}],{self.shared},'
                f'"rater_flags":[],"uncertain":{grades.uncertain}}}')
        return text, grades, n_valid, len(invalid)


@dataclass(frozen=True)
class _Grades:
    """What a subject's valid ballots per grade decide: its rates, the rules' outcomes (their stored text, their
    flags, the proposals they make) — made once for every subject with the same counts."""

    total: int
    sat: Rate
    dis: Rate
    text: str  # "satisfaction", "dissatisfaction" and "rules" of the detail
    uncertain_flags: list[str]
    uncertain: str
    wanted: dict[str, tuple[str, str, bool]]

    @classmethod
    def of(cls, once: _Once, scheme: Scheme, total: int, sat_count: int, dis_count: int, *rule_counts: int
           ) -> _Grades:
        picked = [once.outcome(i, count, total) for i, count in enumerate(rule_counts)]
        outcomes = [o for o, _, _ in picked]
        scale = scheme.scale
        sat, sat_text = once.rate(scale.satisfied, sat_count, total)
        dis, dis_text = once.rate(scale.dissatisfied, dis_count, total)
        text = (f'"satisfaction":{_rate_text(sat_text, outcomes, set(scale.satisfied))},'
                f'"dissatisfaction":{_rate_text(dis_text, outcomes, set(scale.dissatisfied))},'
                f'"rules":[{",".join(t for _, t, _ in picked)}]')
        return cls(total, sat, dis, text, [f for _, _, f in picked if f is not None],
                   "true" if any(o.status == "uncertain" for o in outcomes) else "false",
                   services.wanted_of(proposals_of(None, outcomes)))


def rows(data: adapter.MeetingInput, row: ScoringScheme, alpha: adapter.PanelAlpha, cells: Any,
         listed: list[list[tuple[int, str]]], wanted_subjects: set[int] | None, now: Any
         ) -> list[tuple[int, dict[str, tuple[str, str, bool]], Any]]:
    """Return (subject, proposals wanted, stored row) for the meeting's subjects (those in ``wanted_subjects``, or
    all): ``cells`` are :func:`.vectorised._cells`' figures, ``listed`` each subject's invalid ballots."""
    m = _Meeting(data, row, alpha, cells, listed)
    # What every subject's row shares goes through upsert.stored once; the figures of each are stored as they are.
    varying = ("score", "ballots", "invalid", "satisfaction", "satisfaction_low", "satisfaction_high",
               "dissatisfaction", "detail")
    shared = {"scheme": row, "meeting": data.meeting, "alpha": alpha.panel, "explanation": "",
              "status": SubjectResult.Status.DRAFT, "submitted_at": None, "submitted_by": None}
    template = stored(0, {**shared, **dict.fromkeys(varying, "{}")}, RESULT_FIELDS, now)
    positions = [RESULT_FIELDS.index(f) + 1 for f in varying]
    out = []
    for s, sid in enumerate(data.ballots):
        if wanted_subjects is not None and sid not in wanted_subjects:
            continue
        detail, grades, n_valid, n_invalid = m.detail(s, sid)
        sat = grades.sat
        values = (m.score[s], n_valid, n_invalid, sat.value, sat.low, sat.high, grades.dis.value, detail)
        if isinstance(template, list):
            stored_row: Any = template.copy()
            stored_row[0] = sid
            for i, value in zip(positions, values, strict=True):
                stored_row[i] = value
        else:
            stored_row = stored(sid, {**shared, **dict(zip(varying, values, strict=True))}, RESULT_FIELDS, now)
        out.append((sid, dict(grades.wanted), stored_row))
    return out
