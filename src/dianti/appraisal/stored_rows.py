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
from typing import Any

from . import adapter, services
from .engine import Scheme
from .engine.results import Rate, RuleOutcome, flag_dict, outcome_dict, proposals_of, rate_dict
from .engine.scoring import NO_VALID_BALLOTS, group_flags, invalid_flag, rule_outcome, uncertain_flag
from .models import ScoringScheme, SubjectResult
from .upsert import ENCODER, RESULT_FIELDS, stored


def _n(x: float | None) -> str:
    """Return a number as :data:`.upsert.ENCODER` writes it (only whole numbers and finite floats come here)."""
    return "null" if x is None else repr(x)


def _pairs(ids: list[int], marks: list[float], a: int, b: int) -> str:
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
        self._wanted: dict[tuple[Any, ...], dict[str, tuple[str, str, bool]]] = {}
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

    def wanted(self, key: tuple[Any, ...], outcomes: Sequence[RuleOutcome]) -> dict[str, tuple[str, str, bool]]:
        got = self._wanted.get(key)
        if got is None:
            got = self._wanted[key] = services.wanted_of(proposals_of(None, outcomes))
        return dict(got)

    def combined(self, weights: Sequence[float], present: tuple[bool, ...]) -> tuple[float, list[float]]:
        """Return Σ w over the groups present and each group's used weight, as :func:`~.engine.scoring._combine`
        has them (0 where absent); the sum is 0 when none is."""
        got = self._combined.get(present)
        if got is None:
            total = math.fsum(w for w, p in zip(weights, present, strict=True) if p)
            used = [w / total if p else 0.0 for w, p in zip(weights, present, strict=True)] if total else []
            got = self._combined[present] = (total, used)
        return got


def _score(once: _Once, weights: Sequence[float], means: Sequence[float | None]) -> tuple[float | None, list[float]]:
    """Return the weighted score of ``means`` (None where a group is empty) and the used weights, as
    :func:`~.engine.scoring._combine` computes them."""
    present = tuple(m is not None for m in means)
    total, used = once.combined(weights, present)
    if total == 0:
        return None, [0.0] * len(means)
    return math.fsum(u * m for u, m in zip(used, means, strict=True) if m is not None), used


def _rate_text(shown: str, outcomes: Sequence[RuleOutcome], grades: set[str]) -> str:
    uncertain = [o.rule.action for o in outcomes if o.status == "uncertain" and set(o.rate.grades) == grades]
    return f'{shown},"uncertain":{ENCODER.encode(uncertain)}}}'


def rows(data: adapter.MeetingInput, row: ScoringScheme, alpha: adapter.PanelAlpha, cells: Any,
         listed: list[list[tuple[int, str]]], wanted_subjects: set[int] | None, now: Any
         ) -> list[tuple[int, dict[str, tuple[str, str, bool]], Any]]:
    """Return (subject, proposals wanted, stored row) for the meeting's subjects (those in ``wanted_subjects``, or
    all): ``cells`` are :func:`.vectorised._cells`' figures, ``listed`` each subject's invalid ballots."""
    scheme = data.scheme
    once = _Once(scheme)
    groups, items = scheme.groups, scheme.items
    n_g = len(groups)
    weights = [g.weight for g in groups]
    group_head = [ENCODER.encode({"code": g.code, "weight": g.weight})[:-1] + ',"used_weight":' for g in groups]
    item_key = [ENCODER.encode(i.code) + ":" for i in items]
    label_key = [ENCODER.encode(label) + ":" for label in scheme.scale.labels]
    sat_set, dis_set = set(scheme.scale.satisfied), set(scheme.scale.dissatisfied)
    shared = ENCODER.encode(services.detail_shared(data, row, alpha, []))[1:-1]
    head = '{"subject":%d,"scheme_version":' + ENCODER.encode(scheme.version).replace("%", "%%") + ',"n_ballots":'
    reason = {r: ENCODER.encode(r) for r in ("same_mark", "unknown_group", "unknown_grade")}
    ov, by_item = cells.overall, cells.by_item
    out = []
    for s, sid in enumerate(data.ballots):
        if wanted_subjects is not None and sid not in wanted_subjects:
            continue
        # The groups: each one's aggregate as the engine's to_dict has it, then the weighted score.
        means: list[float | None] = []
        sizes: list[int] = []
        aggs: list[str] = []
        item_means: list[list[float | None]] = []
        for g in range(n_g):
            c = s * n_g + g
            n = ov.size[c]
            sizes.append(n)
            item_means.append([it.means[c] if it.size[c] else None for it in by_item])
            if not n:
                means.append(None)
                aggs.append("null")
                continue
            mean, a, k = ov.means[c], ov.start[c], ov.trims[c]
            means.append(mean)
            b = a + n
            low = _pairs(ov.ids, ov.marks, a, a + k) if k else ""
            high = _pairs(ov.ids, ov.marks, b - k, b) if k else ""
            aggs.append(f'{{"mean":{mean!r},"dropped_low":[{low}],"dropped_high":[{high}],"n_kept":{n - 2 * k}}}')
        score, used = _score(once, weights, means)
        group_texts = []
        for g in range(n_g):
            im = ",".join(f"{item_key[j]}{_n(item_means[g][j])}" for j in range(len(items)))
            group_texts.append(f'{group_head[g]}{used[g]!r},"n_valid":{sizes[g]},"score":{_n(means[g])},'
                               f'"aggregate":{aggs[g]},"items":{{{im}}}}}')
        overall_items = ",".join(
            f"{item_key[j]}{_n(_score(once, weights, [item_means[g][j] for g in range(n_g)])[0])}"
            for j in range(len(items)))
        # The grades: distribution, rates, rules and flags, each distinct one made once.
        counts = cells.distribution[s]
        total = sum(counts)
        outcomes = []
        rule_texts = []
        uncertain_flags = []
        for i, idx in enumerate(once.rule_grades):
            o, text, flag = once.outcome(i, sum(counts[x] for x in idx), total)
            outcomes.append(o)
            rule_texts.append(text)
            if flag is not None:
                uncertain_flags.append(flag)
        sat, sat_text = once.rate(scheme.scale.satisfied, sum(counts[x] for x in once.satisfied), total)
        dis, dis_text = once.rate(scheme.scale.dissatisfied, sum(counts[x] for x in once.dissatisfied), total)
        invalid = listed[s] if s < len(listed) else []
        pre = sum(1 for x in invalid if x[1] == "same_mark")
        flags = [*once.group_flags(tuple(sizes)), *uncertain_flags]
        if len(invalid) > pre:
            flags.append(once.invalid(len(invalid) - pre))
        if total == 0:
            flags.append(once.no_valid)
        if pre:  # the ballots the item rules set aside join the count (adapter.with_item_invalid)
            flags = [f for f in flags if not f.startswith('{"code":"invalid_ballots"')] + [once.invalid(len(invalid))]
        n_ballots = cells.n_ballots[s]
        n_valid = n_ballots - len(invalid)
        listed_text = ",".join(f"[{bid},{reason[why]}]" for bid, why in invalid)
        distribution = ",".join(f"{label_key[k]}{n}" for k, n in enumerate(counts))
        detail = (f'{head % sid}{n_ballots},"n_valid":{n_valid},"invalid":[{listed_text}],"score":{_n(score)},'
                  f'"groups":[{",".join(group_texts)}],"items":{{{overall_items}}},'
                  f'"distribution":{{{distribution}}},"satisfaction":{_rate_text(sat_text, outcomes, sat_set)},'
                  f'"dissatisfaction":{_rate_text(dis_text, outcomes, dis_set)},"rules":[{",".join(rule_texts)}],'
                  f'"flags":[{",".join(flags)}],{shared},"rater_flags":[],'
                  f'"uncertain":{"true" if any(o.status == "uncertain" for o in outcomes) else "false"}}}')
        fields = {"scheme": row, "meeting": data.meeting, "score": score, "ballots": n_valid,
                  "invalid": len(invalid), "satisfaction": sat.value, "satisfaction_low": sat.low,
                  "satisfaction_high": sat.high, "dissatisfaction": dis.value, "alpha": alpha.panel,
                  "detail": detail, "explanation": "", "status": SubjectResult.Status.DRAFT, "submitted_at": None,
                  "submitted_by": None}
        wanted = once.wanted((total, *(o.rate.count for o in outcomes)), outcomes)
        out.append((sid, wanted, stored(sid, fields, RESULT_FIELDS, now)))
    return out


