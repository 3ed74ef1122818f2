"""A result's explanation (计算说明), rebuilt from its ballots when a page or the API shows it.

A result stores its figures and the detail its pages draw; the explanation lists every ballot each group kept, and
for a province that text would outweigh everything else the recompute writes. Ballots never change once the vote
is closed, so the text is rebuilt here, by the same engine and adapter that computed the result, from the stored
scheme version, the meeting's ballots of this subject and the panel figures stored in the detail (the alpha and
rater flags need the whole meeting). A result stored with its text (before this was so) shows that text.

Should the rebuilt score ever differ from the stored one — the engine changed since — the text says so, rather
than explain a figure it does not reproduce.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from . import adapter, scheme_reads, services
from .models import SubjectResult


def result_explanation(result: SubjectResult) -> str:
    """Return the explanation of ``result``: stored, or rebuilt from its meeting's ballots (module docstring)."""
    if result.explanation or result.meeting_id is None:
        return str(result.explanation)
    detail = result.detail or {}
    meeting = result.meeting
    data = adapter.subject_input(meeting, scheme_reads.engine_scheme(result.scheme), result.subject_id)
    res = adapter.score(data, result.subject_id)
    alpha = adapter.PanelAlpha.from_dict(detail.get("meeting", {}).get("alpha", {}), data.scheme.groups)
    flags = [*detail.get("rater_flags", []), *detail.get("meeting", {}).get("rater_flags", [])]
    text = services.explanation_text(res, data, alpha, flags)
    if res.score != result.score:
        text += "\n" + _("注意：按现存选票重算的得分（%(again)s）与存档得分（%(stored)s）不一致，请重新计算评议结果。") % {
            "again": "—" if res.score is None else f"{res.score:.2f}",
            "stored": "—" if result.score is None else f"{result.score:.2f}"}
    return text
