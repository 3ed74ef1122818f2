"""Scoped reads for 评议考核: results per campaign, meeting and subject (with what the charts draw), proposals, and
the annual assessment with each organization's history. The scoring schemes are read in :mod:`.scheme_reads`, the
public (公示) figures of published results in :mod:`.public_reads`.

Staff reads start from the user's scope (the campaign convener's path); a secretary may read their own published
result; the public reads figures of published results only — never a ballot, never the explanation trace.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from dianti.campaigns.models import Campaign, Phase, Subject
from dianti.core import paths, scope
from dianti.meetings.models import Meeting
from dianti.orgs.models import Organization
from dianti.orgs.permissions import ensure_can_view_org

from .engine.marks import STATUS_TEXT
from .models import ActionProposal, AnnualAssessment, ScoringScheme, SubjectResult
from .permissions import can_read_own_result, can_view_results_of

# ---------------------------------------------------------------------------------------------------------------
# Results

APPRAISABLE = [Phase.REPORTING, Phase.APPRAISAL, Phase.RECTIFICATION, Phase.ARCHIVED]


@dataclass
class ResultRow:
    """A subject of a campaign or meeting with its result (None before computing) and its proposals."""

    subject: Subject
    result: SubjectResult | None
    proposals: list[ActionProposal] = field(default_factory=list)

    @property
    def uncertain(self) -> bool:
        return bool(self.result and self.result.detail.get("uncertain"))

    def _uncertain_on(self, rate: str) -> list[str]:
        """Return the actions of the rules on this rate whose outcome is uncertain, as the engine stored them."""
        return list(((self.result.detail or {}).get(rate) or {}).get("uncertain", [])) if self.result else []

    @property
    def satisfaction_uncertain(self) -> list[str]:
        return self._uncertain_on("satisfaction")

    @property
    def dissatisfaction_uncertain(self) -> list[str]:
        return self._uncertain_on("dissatisfaction")


def visible_campaigns(user: Any) -> QuerySet[Campaign]:
    """Return the campaigns the user may see, with counts of subjects, results by status and pending proposals."""
    S = SubjectResult.Status
    return (scope.restrict(Campaign.objects.all(), user, "org_path").select_related("convener")
            .annotate(n_subjects=Count("subjects", distinct=True),
                      n_computed=Count("subjects__result", distinct=True),
                      n_submitted=Count("subjects__result", filter=Q(subjects__result__status=S.SUBMITTED),
                                        distinct=True),
                      n_published=Count("subjects__result", filter=Q(subjects__result__status=S.PUBLISHED),
                                        distinct=True),
                      n_pending=Count("proposals", filter=Q(proposals__status=ActionProposal.Status.PENDING),
                                      distinct=True))
            .filter(phase__in=APPRAISABLE).order_by("-year", "org_path"))


def result_rows(subjects: Iterable[Subject]) -> list[ResultRow]:
    """Return a :class:`ResultRow` of each subject (from :func:`campaign_subjects` or :func:`meeting_subjects`, or a
    page of them), their proposals read in one query."""
    listed = list(subjects)
    proposals: dict[int, list[ActionProposal]] = defaultdict(list)
    for p in ActionProposal.objects.filter(subject__in=[s.pk for s in listed]).order_by("action"):
        proposals[p.subject_id].append(p)
    return [ResultRow(s, getattr(s, "result", None), proposals[s.pk]) for s in listed]


def campaign_subjects(campaign: Campaign) -> QuerySet[Subject]:
    """Return the campaign's subjects in list order with what a result row shows."""
    return campaign.subjects.select_related("organization", "result", "result__scheme").order_by("order", "id")


def meeting_subjects(meeting: Meeting) -> QuerySet[Subject]:
    """Return the meeting's subjects in agenda order with what a result row shows."""
    return (Subject.objects.filter(agenda_items__meeting=meeting)
            .select_related("organization", "result", "result__scheme").order_by("agenda_items__order", "id"))


def campaign_rows(campaign: Campaign) -> list[ResultRow]:
    """Return every subject of the campaign with its result and proposals (two queries)."""
    return result_rows(campaign_subjects(campaign))


def meeting_rows(meeting: Meeting) -> list[ResultRow]:
    """Return the meeting's subjects in agenda order with their results (two queries)."""
    return result_rows(meeting_subjects(meeting))


def meeting_scores(meeting: Meeting) -> dict[int, float | None]:
    """Return {subject id: score of record} for the subjects the meeting heard whose result is computed (one query).

    Registered with the meetings step (``meetings.selectors.SCORE_PROVIDERS``), so the meeting page, its API and
    its minutes print the very figure the appraisal pages do; a subject missing here has no result yet.
    """
    return dict(SubjectResult.objects.filter(subject__agenda_items__meeting=meeting)
                .values_list("subject_id", "score"))


def subject_get(user: Any, pk: int) -> tuple[Subject, SubjectResult | None, bool]:
    """Return (subject, result, full) for a staff member in scope (full=True) or the subject's own secretary once
    the result is published (full=False: figures without the explanation trace)."""
    subject = (Subject.objects.select_related("campaign", "campaign__convener", "organization", "secretary")
               .filter(pk=pk).first())
    if subject is None:  # the same words as for a subject out of reach: an answer must not tell which it was
        raise Http404("找不到该评议结果，或您无权查看")
    result = SubjectResult.objects.select_related("scheme", "meeting").filter(subject=subject).first()
    if can_view_results_of(user, subject):
        return subject, result, True
    if can_read_own_result(user, subject, result):
        return subject, result, False
    raise Http404("找不到该评议结果，或您无权查看")


def as_percent(x: float | None) -> float | None:
    """Return the share ``x`` (0–1) as a percentage to one decimal (None stays None)."""
    return None if x is None else round(x * 100, 1)


def result_view(result: SubjectResult) -> dict[str, Any]:
    """Return what the subject page shows and charts draw, from the stored detail (no engine call)."""
    d = result.detail or {}
    labels = d.get("group_labels", {})
    total = d.get("n_valid") or 0
    dist = d.get("distribution", {})
    grades = d.get("grades") or list(dist)
    defined = {r["code"]: r for r in (result.scheme.data.get("rules", []) if result.scheme_id else [])}
    rules = [{"code": r["code"], "action": r["action"], "status": r["status"], "text": STATUS_TEXT.get(r["status"], ""),
              "value": as_percent(r["rate"]["value"]), "low": as_percent(r["rate"]["low"]), "high": as_percent(r["rate"]["high"]),
              "grades": "+".join(r["rate"]["grades"]), "metric": defined.get(r["code"], {}).get("metric", ""),
              "op": defined.get(r["code"], {}).get("op", ""),
              "threshold": as_percent(defined.get(r["code"], {}).get("threshold"))} for r in d.get("rules", [])]
    return {
        "groups": [{"code": g["code"], "label": labels.get(g["code"], g["code"]), "weight": round(g["weight"] * 100, 1),
                    "used_weight": round(g["used_weight"] * 100, 1), "n": g["n_valid"], "score": g["score"],
                    "items": g.get("items", {})} for g in d.get("groups", [])],
        "distribution": [{"grade": k, "n": dist.get(k, 0),
                          "pct": round(dist.get(k, 0) * 100 / total, 1) if total else None} for k in grades],
        "items": [{"code": k, "label": d.get("item_labels", {}).get(k, k), "score": v}
                  for k, v in d.get("items", {}).items() if v is not None],
        "satisfaction": {k: as_percent(d.get("satisfaction", {}).get(k)) for k in ("value", "low", "high")},
        "dissatisfaction": {k: as_percent(d.get("dissatisfaction", {}).get(k)) for k in ("value", "low", "high")},
        "confidence": round((d.get("satisfaction", {}).get("confidence") or 0.95) * 100),
        "rules": rules,
        "flags": d.get("flags", []),
        "rater_flags": d.get("rater_flags", []) + d.get("meeting", {}).get("rater_flags", []),
        "alpha": d.get("meeting", {}).get("alpha", {}),
        "notes": d.get("notes", []),
        "scheme": d.get("scheme", {}),
        "invalid": d.get("invalid", []),
    }


def chart_rows(subjects: QuerySet[Subject]) -> list[dict[str, Any]]:
    """Return the campaign/meeting chart data: one entry per subject of ``subjects`` (:func:`campaign_subjects`,
    :func:`meeting_subjects`) with a score, best first — every subject, not a page, in one query of the figures
    alone (no result's stored detail but the uncertain flags the chart marks)."""
    out = [{"name": short or name, "score": round(score, 2), "sat": as_percent(sat), "low": as_percent(low), "high": as_percent(high),
            "uncertain": bool(uncertain)}
           for short, name, score, sat, low, high, uncertain in subjects.filter(result__score__isnull=False)
           .values_list("organization__short_name", "organization__name", "result__score", "result__satisfaction",
                        "result__satisfaction_low", "result__satisfaction_high",
                        "result__detail__satisfaction__uncertain")]
    return sorted(out, key=lambda x: -x["score"])


@dataclass(frozen=True)
class ResultCounts:
    """How far a campaign's results have come: subjects, results computed, by status, and computed by a version
    of a scheme other than the current one."""

    subjects: int
    by_status: dict[str, int]
    outdated: int

    @property
    def computed(self) -> int:
        return sum(self.by_status.values())


def result_counts(subjects: QuerySet[Subject], current: ScoringScheme) -> ResultCounts:
    """Return :class:`ResultCounts` of ``subjects`` against the ``current`` scheme row (two queries)."""
    by_status = {s: 0 for s in SubjectResult.Status.values}
    total = 0
    for status, n in subjects.order_by().values_list("result__status").annotate(n=Count("pk")):
        total += n
        if status is not None:
            by_status[status] = n
    computed = subjects.filter(result__isnull=False)
    outdated = (computed.exclude(result__scheme_id=current.pk) if current.pk else computed).count()
    return ResultCounts(total, by_status, outdated)


def meeting_result(meeting: Meeting) -> SubjectResult | None:
    """Return one result computed at ``meeting``: they share its panel's agreement (alpha) and rater flags."""
    return SubjectResult.objects.select_related("scheme").filter(meeting=meeting).order_by("pk").first()


def satisfaction_thresholds(scheme: ScoringScheme | None) -> list[dict[str, Any]]:
    """Return the scheme's rules on the satisfaction rate as lines to draw: [{"label": "约谈", "value": 60.0}]."""
    if scheme is None:
        return []
    satisfied = sorted(g["label"] for g in scheme.data.get("scale", []) if g.get("satisfied"))
    return [{"label": f"{r['op']} {r['threshold'] * 100:g}% → {r['action']}", "value": round(r["threshold"] * 100, 1)}
            for r in scheme.data.get("rules", []) if sorted(r.get("grades", [])) == satisfied]


# ---------------------------------------------------------------------------------------------------------------
# Proposals


def proposals(user: Any, *, status: str = "", action: str = "", campaign: int | None = None
              ) -> QuerySet[ActionProposal]:
    """Return the proposals of campaigns the user manages, newest campaign first, filtered."""
    qs = scope.restrict(ActionProposal.objects.all(), user, "org_path", manage=True).select_related(
        "subject", "subject__organization", "subject__result", "campaign", "decided_by")
    if status:
        qs = qs.filter(status=status)
    if action:
        qs = qs.filter(action=action)
    if campaign:
        qs = qs.filter(campaign_id=campaign)
    return qs.order_by("-campaign__year", "campaign__org_path", "subject__order", "action")


def proposal_get(user: Any, pk: int) -> ActionProposal:
    found = proposals(user).filter(pk=pk).first()
    if found is None:
        raise Http404("找不到该处置建议，或您无权处理")
    return found


def confirmed_rectifications(campaign: Campaign | None = None) -> QuerySet[ActionProposal]:
    """Return the confirmed proposals whose action is a rectification notice — what the 整改 step opens cases for."""
    qs = ActionProposal.objects.filter(status=ActionProposal.Status.CONFIRMED,
                                       action=ActionProposal.Action.RECTIFICATION)
    return qs.filter(campaign=campaign) if campaign is not None else qs


# ---------------------------------------------------------------------------------------------------------------
# Annual assessment


def annual_years(user: Any) -> list[int]:
    """Return the years to offer, newest first: those with assessments or campaigns in scope, and this year."""
    assessed = scope.restrict(AnnualAssessment.objects.all(), user, "org_path").values_list("year", flat=True)
    campaigns = scope.restrict(Campaign.objects.all(), user, "org_path").values_list("year", flat=True)
    return sorted({*assessed, *campaigns, timezone.localdate().year}, reverse=True)


def annual_list(user: Any, year: int, within: Organization | None = None) -> QuerySet[AnnualAssessment]:
    """Return the year's assessments in the user's scope (optionally under ``within``), by county rank."""
    qs = scope.restrict(AnnualAssessment.objects.filter(year=year), user, "org_path")
    if within is not None:
        qs = qs.filter(org_path__gte=within.path, org_path__lt=paths.successor(within.path))
    return qs.select_related("organization", "organization__parent", "scheme").order_by("rank", "org_path")


def org_for(user: Any, code: str) -> Organization:
    return ensure_can_view_org(user, Organization.objects.filter(code=code).select_related("parent").first())


def annual_history(org: Organization) -> list[AnnualAssessment]:
    """Return the organization's assessments, oldest year first."""
    return list(AnnualAssessment.objects.filter(organization=org).select_related("scheme", "organization")
                .order_by("year"))


def appraisal_history(org: Organization) -> list[SubjectResult]:
    """Return the organization's published appraisals over the years, oldest first."""
    return list(SubjectResult.objects.filter(subject__organization=org, status=SubjectResult.Status.PUBLISHED)
                .select_related("subject", "subject__campaign").order_by("subject__campaign__year", "published_at"))
