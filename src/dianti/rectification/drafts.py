"""The draft of a notice's problems in plain language, and the check that no rule formula reaches a notice.

A confirmed 整改通知 proposal carries the rule that fired, written for staff ("一般+差票占比 >= 33.3% → 整改通知单：
一般+差票占比 60.0%（6/10，95% 区间 …）"). A secretary reads the notice, so the draft says the same thing in words
("在2021年述职评议中，“一般”和“差”的评价占 60%，超过 33% 的整改线……"), and staff make it concrete before issuing.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from dianti.appraisal.engine.results import OP_WORDS

# What only a formula contains: the rule arrow, comparison signs, and the interval of the rate.
FORMULA_MARKS = ("→", ">=", "<=", "≥", "≤", " > ", " < ", "区间")


def _rule_figures(proposal: Any) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """Return (the rule's outcome as the result stored it, the rule as the scheme defines it), or None."""
    from dianti.appraisal.models import SubjectResult

    result = SubjectResult.objects.select_related("scheme").filter(subject_id=proposal.subject_id).first()
    if result is None:
        return None
    outcome = next((r for r in (result.detail or {}).get("rules", []) if r.get("code") == proposal.rule), None)
    defined = next((r for r in (result.scheme.data.get("rules", []) if result.scheme_id else [])
                    if r.get("code") == proposal.rule), None)
    if outcome is None or defined is None or outcome.get("rate", {}).get("value") is None:
        return None
    return outcome, defined


def problem_from_proposal(proposal: Any) -> str:
    """Return the draft problem for a 整改通知 proposal, in words a secretary reads (staff edit it before issuing)."""
    subject = proposal.subject
    year, org = subject.campaign.year, subject.organization.display_name
    figures = _rule_figures(proposal)
    if figures is None:
        return _("在%(year)d年述职评议中，群众对%(org)s党组织书记履职的评价不高，需查找原因、逐条整改。") % {
            "year": year, "org": org}
    outcome, defined = figures
    rate = outcome["rate"]
    grades = "和".join(f"“{g}”" for g in rate.get("grades", []))
    return _("在%(year)d年述职评议中，%(grades)s的评价占 %(value).0f%%（%(count)d/%(total)d 票），"
             "%(cmp)s %(threshold).0f%% 的%(action)s线，群众对%(org)s党组织书记的履职满意度不高。"
             "请写明群众具体反映的问题。") % {
        "year": year, "grades": grades, "value": rate["value"] * 100, "count": rate.get("count", 0),
        "total": rate.get("total", 0), "cmp": OP_WORDS.get(defined.get("op", ""), ""),
        "threshold": float(defined.get("threshold", 0)) * 100, "action": defined.get("action", ""), "org": org}


def formula_rows(texts: list[str]) -> list[int]:
    """Return the 1-based rows of ``texts`` that still read as a rule formula."""
    return [i for i, t in enumerate(texts, start=1) if any(mark in t for mark in FORMULA_MARKS)]


def ensure_plain(texts: list[str]) -> None:
    """Refuse to issue a notice whose problems still are the rule formula: the secretary must read words."""
    rows = formula_rows(texts)
    if rows:
        raise ValidationError({"problems": _("第 %(rows)s 条问题还是评分规则的公式，请改写成具体的问题再下发") % {
            "rows": "、".join(map(str, rows))}})
