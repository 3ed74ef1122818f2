"""评议考核's lines in a secretary's record (:mod:`dianti.campaigns.record`): the score of record with its
satisfaction rate and ballots, the panel's reliability (Krippendorff's α as the engine stored it, read against
Krippendorff's thresholds), the actions confirmed on it, and the organization's annual comprehensive assessment of
that year — grade band, star grade, rank in the county and among its peers.

What may be shown is this step's to decide: a result not yet published (公示) only to staff who see the campaign's
results (:func:`.permissions.can_view_results_of`), marked as such; an annual assessment not yet confirmed only to
staff, marked 待确认. The secretary and the public read published results and confirmed assessments only.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from dianti.core.components import Audience, Fact
from dianti.core.reads import may_read

from .engine.alpha import reading
from .models import ActionProposal, AnnualAssessment, AssessmentRound, SubjectResult
from .permissions import can_view_results_of

READINGS = {"reliable": (gettext_lazy("可靠"), "ok"), "tentative": (gettext_lazy("可作初步参考"), "warn"),
            "unreliable": (gettext_lazy("评议人分歧较大"), "bad")}


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:.1f}%"


def _result_facts(s: Any, r: SubjectResult, audience: str, viewer: Any) -> list[Fact]:
    published = r.status == SubjectResult.Status.PUBLISHED
    full = audience == Audience.STAFF and can_view_results_of(viewer, s)
    if not (published or full):
        return [Fact("score", _("评议得分"), _("尚未公布"))]
    url = ""
    if audience != Audience.PUBLIC and may_read(viewer, "appraisal_subject"):
        url = reverse("appraisal_subject", args=[s.pk])
    status = "" if published else r.get_status_display()
    score = "—" if r.score is None else f"{r.score:.2f}"
    lines = [Fact("score", _("评议得分"), score, url=url, tone="" if published else "warn", note=status),
             Fact("satisfaction", _("满意率"), _pct(r.satisfaction),
                  note=_("有效票 %(n)d 张") % {"n": r.ballots})]
    read = reading(r.alpha)
    if read is not None:
        label, tone = READINGS[read]
        lines.append(Fact("alpha", _("评议一致性 α"), f"{r.alpha:.3f}", tone=tone, note=str(label)))
    return lines


def _annual_facts(a: AnnualAssessment, confirmed: bool, audience: str) -> list[Fact]:
    if (not confirmed and audience != Audience.STAFF) or a.total is None:
        return []
    pending = "" if confirmed else "；" + _("待确认")
    if a.provisional:  # a component missing: shown, never banded, ranked or starred (the engine's rule)
        missing = pgettext("list separator", "、").join(a.missing)
        return [Fact("annual", _("年度综合考核"), _("%(total).1f 分（暂定）") % {"total": a.total}, tone="warn",
                     note=_("缺少：%(parts)s") % {"parts": missing} + pending),
                Fact("stars", _("星级"), "—", note=_("暂定，不评星级"))]
    value = _("%(total).1f 分 · %(band)s") % {"total": a.total, "band": a.band or "—"}
    ranks = []
    if a.rank:
        ranks.append(_("县内第 %(rank)d / %(of)d 名") % {"rank": a.rank, "of": a.rank_of})
    if a.peer_rank:
        ranks.append(_("同级第 %(rank)d / %(of)d 名") % {"rank": a.peer_rank, "of": a.peer_count})
    note = "，".join(ranks) + (pending if ranks else pending.lstrip("；"))
    stars = "★" * a.stars if a.stars else _("无星级")
    return [Fact("annual", _("年度综合考核"), value, tone="" if confirmed else "warn", note=note),
            Fact("stars", _("星级"), stars, note="" if confirmed else _("待确认"))]


def _assessments(subjects: list[Any]) -> dict[int, tuple[AnnualAssessment, bool]]:
    """{subject id: (its organization's assessment of the campaign's year, confirmed?)} in two queries."""
    orgs = {s.organization_id for s in subjects}
    years = {s.campaign.year for s in subjects}
    found = {(a.organization_id, a.year): a for a in AnnualAssessment.objects.filter(
        organization__in=orgs, year__in=years, computed_at__isnull=False)}
    confirmed = [(path, year) for path, year in AssessmentRound.objects.filter(
        year__in=years, confirmed_at__isnull=False).values_list("county__path", "year")]
    out = {}
    for s in subjects:
        a = found.get((s.organization_id, s.campaign.year))
        if a is not None:
            out[s.pk] = (a, any(a.org_path.startswith(p) and a.year == y for p, y in confirmed))
    return out


def facts(subjects: list[Any], audience: str, viewer: Any) -> dict[int, list[Fact]]:
    ids = [s.pk for s in subjects]
    results = {r.subject_id: r for r in SubjectResult.objects.filter(subject__in=ids)}
    confirmed: dict[int, list[str]] = {}
    if audience != Audience.PUBLIC:
        for subject_id, action in (ActionProposal.objects.filter(subject__in=ids, status=ActionProposal.Status.CONFIRMED)
                                   .order_by("action").values_list("subject_id", "action")):
            confirmed.setdefault(subject_id, []).append(str(ActionProposal.Action(action).label))
    assessed = _assessments(subjects)
    out: dict[int, list[Fact]] = {}
    for s in subjects:
        lines: list[Fact] = []
        r = results.get(s.pk)
        if r is not None:
            lines += _result_facts(s, r, audience, viewer)
            shown = r.status == SubjectResult.Status.PUBLISHED or (
                audience == Audience.STAFF and can_view_results_of(viewer, s))
            if confirmed.get(s.pk) and shown:
                lines.append(Fact("actions", _("处置"), "、".join(confirmed[s.pk]), tone="bad"))
        if s.pk in assessed:
            lines += _annual_facts(*assessed[s.pk], audience)
        out[s.pk] = lines
    return out
