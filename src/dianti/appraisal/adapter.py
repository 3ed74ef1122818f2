"""From a closed meeting's ballots to the engine's inputs, and the panel figures only a whole meeting can give.

The engine scores plain :class:`~.engine.Ballot` values under a :class:`~.engine.Scheme`; a meeting stores
:class:`~dianti.meetings.models.Ballot` rows carrying an agenda item, a panel group, a grade and optional item
marks. This module maps one to the other (:func:`meeting_input`), and computes what needs every subject of the
meeting at once: Krippendorff's alpha of the panel (:func:`panel_alphas`) and rater flags (:func:`paper_flags`).

Mapping rules (each is written into the result's explanation when it applies):

* Groups. When every panel group of the meeting names a group of the scheme (by label or code), the scheme's
  weights apply, and a scheme group the meeting did not seat is renormalised away by the engine and flagged.
  Otherwise the weights set when the meeting was scheduled apply (they are validated to sum to 100 %).
* Grades. A meeting grade that is on the scheme's scale maps to itself; when the labels differ but the number of
  grades is the same, grades map by position (best to best) and the mapping is noted; otherwise computing refuses.
* Items. Item marks are optional at a meeting (the phone form lets an evaluator give only the grade; paper ballots
  carry only the grade), so a ballot with no item marks is a *grade-only* ballot: valid, counted in the score and
  the rates, left out of the item scores. The scheme's item rules (incomplete items, every item the same mark)
  apply to the ballots that do carry item marks; they are checked here with the engine's own
  :func:`~.engine.marks.invalid_reason` and merged into the engine's result as invalid ballots.

Stored text (notes, explanations) is written in Chinese like the engine's own explanations: it is a record of how
a number was reached, kept as computed, not interface text.

Alpha without rater identity. Ballots are secret: a row carries its group, never the code or the person, so the
classic raters × subjects matrix cannot be built. Krippendorff's alpha does not need it: the coincidence matrix
counts pairs of values *within* each unit, whoever gave them (Krippendorff 2011, section A). The meeting's panel
alpha therefore takes the subjects heard as the units and the grades of the valid ballots on each as the values
(ordinal, on the scheme's scale): it says how far the evaluators agree about how the secretaries compare. It is also
computed within each panel group, and over the item marks (interval; a unit is one item of one subject).

Rater flags need the rater. Phone ballots cannot be linked across subjects by design (their token is a hash of the
secret code and the agenda item). An accepted paper ballot can: its serial number (on the paper, not on a person)
ties its grades together, so paper ballots get the engine's identical-ballot and severity flags, named by serial.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from dianti.meetings.models import Ballot as BallotRow
from dianti.meetings.models import Meeting, PanelGroup, PaperEntry
from dianti.meetings.paper import paper_ballot_token

from .engine import Ballot, Scheme, krippendorff_alpha, rater_flags, score_subject
from .engine.marks import invalid_reason
from .engine.results import SubjectResult
from .engine.scheme import EvaluatorGroup, Item
from .engine.scoring import invalid_flag

ITEM_RULES = ("incomplete_items", "same_mark")


@dataclass
class MeetingInput:
    """One meeting made ready for the engine: the effective scheme, ballots per subject and the notes to explain."""

    meeting: Meeting
    base: Scheme
    scheme: Scheme                      # the scheme as applied to this meeting (groups, items, item rules off)
    ballots: dict[int, list[Ballot]]    # subject id → ballots
    group_labels: dict[str, str]
    weights_from: str                   # "scheme" or "meeting"
    grade_map: dict[str, str]
    notes: list[str] = field(default_factory=list)
    group_code: dict[int, str] = field(default_factory=dict)  # panel group id → the scheme group it counts as


def _groups(base: Scheme, panel: Sequence[PanelGroup]) -> tuple[tuple[EvaluatorGroup, ...], dict[int, str], str]:
    by_name = {g.label: g for g in base.groups} | {g.code: g for g in base.groups}
    if panel and all(pg.name in by_name for pg in panel):
        return base.groups, {pg.pk: by_name[pg.name].code for pg in panel}, "scheme"
    groups = tuple(EvaluatorGroup(pg.name, pg.name, float(pg.weight) / 100) for pg in panel)
    return groups, {pg.pk: pg.name for pg in panel}, "meeting"


def _grades(base: Scheme, meeting: Meeting) -> dict[str, str]:
    labels = base.scale.labels
    grades = list(meeting.grades)
    if all(g in labels for g in grades):
        return {g: g for g in grades}
    if len(grades) == len(labels):
        return dict(zip(grades, labels, strict=True))
    raise ValidationError(_("述职会的等次（%(meeting)s）与评分方案的等次（%(scheme)s）对不上，请先调整评分方案或改用其他方案")
                          % {"meeting": "、".join(grades), "scheme": "、".join(labels)})


def _items(base: Scheme, meeting: Meeting) -> tuple[tuple[Item, ...], dict[str, str]]:
    by_name = {i.label: i for i in base.items} | {i.code: i for i in base.items}
    items = tuple(by_name.get(name, Item(name, name)) for name in meeting.items)
    return items, {name: item.code for name, item in zip(meeting.items, items, strict=True)}


def paper_serials(meeting: Meeting) -> dict[str, int]:
    """Return {ballot token: paper serial} for the meeting's accepted paper ballots.

    The meetings app stores an accepted paper ballot under :func:`~dianti.meetings.paper.paper_ballot_token`;
    recomputing it is the only link from a ballot back to its paper.
    """
    out = {}
    for serial, grades in PaperEntry.objects.filter(meeting=meeting, accepted=True).values_list("serial", "grades"):
        for item_id in grades:
            out[paper_ballot_token(meeting.pk, serial, item_id)] = serial
    return out


def meeting_input(meeting: Meeting, base: Scheme) -> MeetingInput:
    """Return the meeting's ballots mapped for the engine under ``base`` (rules in the module docstring)."""
    serials = paper_serials(meeting) if meeting.paper_entries.exists() else {}
    rows = (BallotRow.objects.filter(meeting=meeting).order_by("pk")
            .values_list("pk", "item_id", "group_id", "grade", "scores", "token"))
    return build_input(meeting, base, list(meeting.groups.all()), dict(meeting.agenda.values_list("pk", "subject_id")),
                       rows, serials)


BallotValues = tuple[int, int, int, str, Any, str]  # pk, agenda item id, panel group id, grade, item marks, token


def subject_input(meeting: Meeting, base: Scheme, subject_id: int) -> MeetingInput:
    """Return the meeting mapped as :func:`meeting_input` does with only ``subject_id``'s ballots: enough to score
    that subject again (its explanation), not for the panel's alpha or rater flags."""
    subject_of = dict(meeting.agenda.values_list("pk", "subject_id"))
    rows = (BallotRow.objects.filter(meeting=meeting, item__subject_id=subject_id).order_by("pk")
            .values_list("pk", "item_id", "group_id", "grade", "scores", "token"))
    return build_input(meeting, base, list(meeting.groups.all()), subject_of, rows, {})


def build_input(meeting: Meeting, base: Scheme, panel: Sequence[PanelGroup], subject_of: Mapping[int, int],
                rows: Iterable[BallotValues], serials: Mapping[str, int]) -> MeetingInput:
    """Return the meeting's ballots mapped for the engine from rows already read: its panel groups, {agenda item:
    subject}, its ballot rows in primary-key order and {token: paper serial} of its accepted paper ballots.

    :func:`meeting_input` reads these for one meeting; :mod:`.recompute` reads them for many meetings at once, one
    query per table, and both map them here, so both paths score the same engine inputs.
    """
    data, item_code = mapping(meeting, base, panel, subject_of)
    group_code = data.group_code
    grade_map = data.grade_map
    for pk, item_id, group_id, grade, scores, token in rows:
        marks = {item_code[k]: float(v) for k, v in (scores or {}).items() if k in item_code and v is not None}
        serial = serials.get(token)
        data.ballots[subject_of[item_id]].append(Ballot(
            id=pk, group=group_code.get(group_id, f"?{group_id}"), grade=grade_map.get(grade, grade),
            items=marks or None, rater=f"纸质选票{serial}号" if serial else None))
    return data


def mapping(meeting: Meeting, base: Scheme, panel: Sequence[PanelGroup], subject_of: Mapping[int, int]
            ) -> tuple[MeetingInput, dict[str, str]]:
    """Return the meeting made ready for the engine without its ballots (an empty list per subject, in agenda
    order), and {meeting item name: scheme item code}: the groups, grades and items mapped by the rules of the
    module docstring, with the notes they call for."""
    groups, group_code, weights_from = _groups(base, panel)
    grade_map = _grades(base, meeting)
    items, item_code = _items(base, meeting)
    scheme = replace(base, groups=groups, items=items,
                     invalid=replace(base.invalid, incomplete_items=False, same_mark_on_all_items=False))
    notes = []
    if weights_from == "meeting":
        notes.append("本场评议人类别与评分方案不一致，按述职会设定的权重计算："
                     + "，".join(f"{g.label} {g.weight:.0%}" for g in groups))
    if any(k != v for k, v in grade_map.items()):
        notes.append("述职会等次按顺序对应评分方案等次：" + "，".join(f"{k}→{v}" for k, v in grade_map.items()))
    ballots: dict[int, list[Ballot]] = {s: [] for s in subject_of.values()}
    return MeetingInput(meeting, base, scheme, ballots, {g.code: g.label for g in groups}, weights_from, grade_map,
                        notes, group_code), item_code


def score(data: MeetingInput, subject_id: int) -> SubjectResult:
    """Return the engine's result for one subject, with the scheme's item rules applied to ballots with items."""
    full = replace(data.scheme, invalid=data.base.invalid)
    pre: list[tuple[int | str, str]] = []
    kept = []
    for b in data.ballots.get(subject_id, []):
        reason = invalid_reason(b, full) if b.items else None
        if reason in ITEM_RULES:
            pre.append((b.id, str(reason)))
        else:
            kept.append(b)
    return with_item_invalid(score_subject(kept, data.scheme, subject=subject_id), pre)


def with_item_invalid(result: SubjectResult, pre: Sequence[tuple[int | str, str]]) -> SubjectResult:
    """Return ``result`` with the ballots the item rules set aside before scoring (``pre``) counted as invalid."""
    if not pre:
        return result
    invalid = tuple(pre) + result.invalid
    flags = tuple(f for f in result.flags if f.code != "invalid_ballots")
    flags += (invalid_flag(len(invalid)),)
    return replace(result, n_ballots=result.n_ballots + len(pre), invalid=invalid, flags=flags)


def _alpha(columns: Sequence[Sequence[object]], level: Any, scheme: Scheme) -> float | None:
    """Return alpha with units as columns of values (padded into the raters × units matrix the engine takes)."""
    columns = [list(c) for c in columns if len(c) >= 2]
    if not columns:
        return None
    depth = max(len(c) for c in columns)
    matrix = [[c[r] if r < len(c) else None for c in columns] for r in range(depth)]
    value = krippendorff_alpha(matrix, level, scale=scheme.scale if level == "ordinal" else None)
    return None if value is None or math.isnan(value) else value


@dataclass(frozen=True)
class PanelAlpha:
    """Krippendorff's alpha of a meeting's panel: overall (ordinal grades), per group, and over item marks."""

    panel: float | None
    units: int
    values: int
    by_group: dict[str, float | None]
    items: float | None

    def to_dict(self) -> dict[str, Any]:
        return {"panel": self.panel, "level": "ordinal", "units": self.units, "values": self.values,
                "by_group": self.by_group, "items": self.items, "items_level": "interval"}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], groups: Sequence[EvaluatorGroup]) -> PanelAlpha:
        """Return the alpha stored by :meth:`to_dict`, its groups back in the scheme's order (a JSON column may
        keep its keys in any order)."""
        stored = data.get("by_group") or {}
        return cls(data.get("panel"), data.get("units", 0), data.get("values", 0),
                   {g.label: stored[g.label] for g in groups if g.label in stored}, data.get("items"))

    def text(self) -> str:
        """Return the figures and what they mean, in Chinese, for the explanation."""
        def fmt(a: float | None) -> str:
            return "无法计算（评分无差异或样本不足）" if a is None else f"{a:.3f}"

        parts = [f"本场评议一致性（Krippendorff α，序数，以本场 {self.units} 位述职对象为单元、"
                 f"{self.values} 张有效票的等次为取值）= {fmt(self.panel)}"]
        parts += [f"  {g}：α = {fmt(a)}" for g, a in self.by_group.items()]
        if self.items is not None:
            parts.append(f"  分项打分（区间尺度，单元为“对象×分项”）：α = {fmt(self.items)}")
        parts.append("  α 不需要知道每张票是谁投的：它只比较同一对象所得各票之间的差异，选票保密不影响计算。"
                     "α ≥ 0.8 可靠，0.667–0.8 可作初步参考，更低说明评议人之间分歧较大。")
        return "\n".join(parts)


def panel_alphas(data: MeetingInput, results: Mapping[int, SubjectResult]) -> PanelAlpha:
    """Return the meeting's panel alpha from the valid ballots of ``results`` (see the module docstring)."""
    valid: dict[int, list[Ballot]] = {}
    for sid, res in results.items():
        bad = {bid for bid, _ in res.invalid}
        valid[sid] = [b for b in data.ballots.get(sid, []) if b.id not in bad]
    overall = [[b.grade for b in bs] for bs in valid.values()]
    by_group = {}
    for g in data.scheme.groups:
        cols = [[b.grade for b in bs if b.group == g.code] for bs in valid.values()]
        if any(cols):
            by_group[g.label] = _alpha(cols, "ordinal", data.scheme)
    item_cols = [[b.items[i.code] for b in bs if b.items and i.code in b.items]
                 for bs in valid.values() for i in data.scheme.items]
    return PanelAlpha(_alpha(overall, "ordinal", data.scheme), sum(1 for c in overall if len(c) >= 2),
                      sum(len(c) for c in overall), by_group,
                      _alpha(item_cols, "interval", data.scheme) if data.scheme.items else None)


def paper_flags(data: MeetingInput) -> list[dict[str, Any]]:
    """Return the engine's rater flags over the paper ballots that can be tied together by serial."""
    linked = {sid: [b for b in bs if b.rater] for sid, bs in data.ballots.items()}
    if not any(linked.values()):
        return []
    return [{"rater": f.rater, "kind": f.kind, "subjects": list(f.subjects), "value": f.value, "message": f.message}
            for f in rater_flags({s: bs for s, bs in linked.items() if bs}, data.scheme)]


def flags_by_subject(flags: Sequence[Mapping[str, Any]]) -> dict[int, list[Mapping[str, Any]]]:
    """Return the rater flags that name a subject, per subject (severity flags name none: meeting-wide)."""
    out: dict[int, list[Mapping[str, Any]]] = defaultdict(list)
    for f in flags:
        for s in f["subjects"]:
            out[int(s)].append(f)
    return out
