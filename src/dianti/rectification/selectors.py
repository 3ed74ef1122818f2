"""Scoped reads for 整改: the cases a user may see, lists by town / state / overdue, the time it takes to close, and
the opinions behind a subject's topic (whose authors are told when the case moves)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from dianti.appraisal.models import ActionProposal
from dianti.campaigns.models import Campaign, Subject
from dianti.core import paths, scope
from dianti.orgs.models import ADMIN_ROLES, Organization, Role, RoleGrant

from .models import ACTIVE, RUNNING, Case, CaseEvent, Measure, State

_CASE_RELATED = ("subject", "subject__organization", "subject__secretary", "campaign", "issuer")


def overdue_q(today: dt.date | None = None) -> Q:
    """Cases that are late: marked overdue, or still running with the deadline passed."""
    today = today or timezone.localdate()
    return Q(state=State.OVERDUE) | Q(state__in=RUNNING, deadline__lt=today)


def _ranges(roots: list[str]) -> Q:
    q = Q(pk__in=[])
    for root in paths.minimal_roots(roots):
        q |= Q(org_path__gte=root, org_path__lt=paths.successor(root))
    return q


def visible_cases(user: Any) -> QuerySet[Case]:
    """Return the cases the user may see: admins and point staff over the organization, and its own secretary."""
    qs = Case.objects.select_related(*_CASE_RELATED)
    sc = scope.scope_for(user)
    if sc.everything:
        return qs
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    roots = list(RoleGrant.objects.filter(user=user, role__in=[*ADMIN_ROLES, Role.POINT_STAFF])
                 .values_list("organization__path", flat=True))
    return qs.filter(_ranges(roots) | Q(subject__secretary__user=user))


#: Running cases are visited by a point at least this often; a case not visited for longer is on their to-do.
SUPERVISE_EVERY_DAYS = 30
SUPERVISED = (State.IN_PROGRESS, State.AWAITING, State.OVERDUE)


def point_cases(user: Any) -> QuerySet[Case]:
    """Return the cases being worked on (commitment approved, not yet closed) under the user's point-staff grants —
    what their points supervise — each with ``last_visit`` (the latest supervision visit's date, or None)."""
    roots = list(RoleGrant.objects.filter(user=user, role=Role.POINT_STAFF)
                 .values_list("organization__path", flat=True))
    if not roots:
        return Case.objects.none()
    return (Case.objects.filter(_ranges(roots), state__in=SUPERVISED).select_related(*_CASE_RELATED)
            .annotate(last_visit=Max("supervisions__visited_on")).order_by("deadline", "id"))


def supervision_due(user: Any, today: dt.date | None = None) -> QuerySet[Case]:
    """Return :func:`point_cases` nobody from a point has visited in the last :data:`SUPERVISE_EVERY_DAYS`."""
    since = (today or timezone.localdate()) - dt.timedelta(days=SUPERVISE_EVERY_DAYS)
    return point_cases(user).filter(Q(last_visit__isnull=True) | Q(last_visit__lt=since))


def case_get(user: Any, pk: int) -> Case:
    case = visible_cases(user).filter(pk=pk).first()
    if case is None:
        raise Http404(_("找不到该整改，或您无权查看"))
    return case


@dataclass(frozen=True)
class CaseFilters:
    town: str = ""  # the issuing committee's code
    state: str = ""
    overdue: bool = False
    year: int | None = None
    q: str = ""
    mine: bool = False
    org: str = ""  # an organization's code: the cases issued within its subtree (rectification.stats)

    @classmethod
    def from_query(cls, query: Any) -> CaseFilters:
        year = query.get("year", "").strip()
        return cls(town=query.get("town", "").strip(), state=query.get("state", "").strip(),
                   overdue=bool(query.get("overdue")), year=int(year) if year.isdigit() else None,
                   q=query.get("q", "").strip(), mine=bool(query.get("mine")), org=query.get("org", "").strip())


def case_list(user: Any, f: CaseFilters) -> QuerySet[Case]:
    qs = visible_cases(user)
    if f.town:
        qs = qs.filter(issuer__code=f.town)
    if f.state == "active":
        qs = qs.filter(state__in=ACTIVE)
    elif f.state in State.values:
        qs = qs.filter(state=f.state)
    if f.overdue:
        qs = qs.filter(overdue_q())
    if f.year:
        qs = qs.filter(campaign__year=f.year)
    if f.org:
        org = Organization.objects.filter(code=f.org).only("path").first()
        qs = qs.filter(issuer_path__gte=org.path, issuer_path__lt=paths.successor(org.path)) if org else qs.none()
    if f.q:
        qs = qs.filter(Q(number__icontains=f.q) | Q(subject__organization__name__icontains=f.q)
                       | Q(subject__organization__short_name__icontains=f.q) | Q(subject__secretary_name=f.q))
    if f.mine:
        qs = qs.filter(subject__secretary__user=user)
    return qs.annotate(n_measures=Count("measures")).order_by("deadline", "id")


@dataclass
class TownRow:
    issuer: Organization
    counts: dict[str, int]
    overdue: int
    closed: int
    avg_days: float | None

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def average_days_to_close(qs: QuerySet[Case]) -> float | None:
    """Return the mean days from issue to 销号 over the closed cases of ``qs`` (None when none is closed)."""
    spans = [(c - i).total_seconds() / 86400 for i, c in
             qs.filter(state=State.CLOSED, issued_at__isnull=False, closed_at__isnull=False)
             .values_list("issued_at", "closed_at")]
    return round(sum(spans) / len(spans), 1) if spans else None


def by_town(qs: QuerySet[Case]) -> list[TownRow]:
    """Return one row per issuing committee: cases by state, overdue, closed and the average days to close."""
    base = qs.order_by()
    per_state = base.values("issuer_id", "state").annotate(n=Count("id"))
    overdue = dict(base.filter(overdue_q()).values("issuer_id").annotate(n=Count("id")).values_list("issuer_id", "n"))
    rows: dict[int, dict[str, int]] = {}
    for r in per_state:
        rows.setdefault(r["issuer_id"], {})[r["state"]] = r["n"]
    issuers = Organization.objects.in_bulk(list(rows))
    out = []
    for issuer_id, counts in rows.items():
        out.append(TownRow(issuer=issuers[issuer_id], counts=counts, overdue=overdue.get(issuer_id, 0),
                           closed=counts.get(State.CLOSED, 0),
                           avg_days=average_days_to_close(base.filter(issuer_id=issuer_id))))
    return sorted(out, key=lambda r: r.issuer.path)


def towns(user: Any) -> list[tuple[str, str]]:
    """Return (code, name) of the issuing committees whose cases the user sees, for the filter."""
    ids = visible_cases(user).order_by().values_list("issuer_id", flat=True).distinct()
    return list(Organization.objects.filter(pk__in=ids).order_by("path").values_list("code", "short_name"))


def campaigns_in_rectification(user: Any) -> list[Campaign]:
    """Campaigns in the 整改 phase whose convener the user manages: where cases are opened."""
    from dianti.campaigns.models import Phase

    qs = Campaign.objects.filter(phase=Phase.RECTIFICATION).select_related("convener").order_by("-year", "org_path")
    return list(scope.restrict(qs, user, "org_path", manage=True)[:50])


def events(case: Case) -> QuerySet[CaseEvent]:
    return case.events.select_related("actor").order_by("at", "id")


def measures(case: Case) -> list[Any]:
    """Return the problems, each with its measures (latest reports and their evidence prefetched)."""
    from django.db.models import Prefetch

    from .models import Measure, ProgressReport

    reports = ProgressReport.objects.prefetch_related("evidence").order_by("-created_at", "-id")
    return list(case.problems.prefetch_related(
        Prefetch("measures", queryset=Measure.objects.prefetch_related(Prefetch("reports", queryset=reports)))))


def proposals_without_case(campaign: Campaign) -> QuerySet[ActionProposal]:
    """Confirmed 整改通知 proposals whose subject has no case yet."""
    return (ActionProposal.objects.filter(campaign=campaign, status=ActionProposal.Status.CONFIRMED,
                                          action=ActionProposal.Action.RECTIFICATION)
            .exclude(subject__cases__state__in=ACTIVE).exclude(subject__cases__proposal__isnull=False)
            .select_related("subject", "subject__organization").order_by("subject__order"))


@dataclass
class Openable:
    subject: Subject
    proposal: ActionProposal | None
    case: Case | None


def subjects_for_opening(campaign: Campaign) -> list[Openable]:
    """Every subject of the campaign with its confirmed 整改通知 proposal (if any) and its latest case (if any)."""
    proposals = {p.subject_id: p for p in ActionProposal.objects.filter(
        campaign=campaign, status=ActionProposal.Status.CONFIRMED, action=ActionProposal.Action.RECTIFICATION)}
    latest: dict[int, Case] = {}
    for c in Case.objects.filter(campaign=campaign).order_by("created_at", "id"):
        latest[c.subject_id] = c
    subjects = campaign.subjects.select_related("organization").order_by("order", "id")
    return [Openable(s, proposals.get(s.pk), latest.get(s.pk)) for s in subjects]


def case_for_opinion(opinion: Any) -> Case | None:
    """Return the latest issued case of the subject whose topic this opinion is behind, if there is one."""
    from dianti.voices.models import AssignedTopic

    topic_id = opinion.topic_id or (opinion.duplicate_of.topic_id if opinion.duplicate_of_id else None)
    if topic_id is None:
        return None
    subject_ids = AssignedTopic.objects.filter(topic_id=topic_id).values_list("subject_id", flat=True)
    return (Case.objects.filter(subject_id__in=subject_ids).exclude(state__in=[State.DRAFT, State.WITHDRAWN])
            .select_related(*_CASE_RELATED).order_by("-issued_at", "-id").first())


def progress_percent(case: Case) -> int:
    """Return the mean progress of the case's measures (0 before the commitment)."""
    values = [m.percent for m in case.measures.all()]
    return _mean_percent(sum(values), len(values))


@dataclass(frozen=True)
class Progress:
    """How far a case's measures are: their mean progress (%), how many there are and how many are done."""

    percent: int
    measures: int
    done: int


def progress_percents(case_ids: list[int], using: str = "default") -> dict[int, Progress]:
    """Return {case id: :class:`Progress`} for the cases among ``case_ids`` that have measures, in one query (what
    :func:`progress_percent` says of each, plus how many measures are done); cases without measures are absent."""
    rows = (Measure.objects.using(using).filter(case_id__in=case_ids).order_by().values("case_id")
            .annotate(total=Sum("percent"), n=Count("id"), done=Count("id", filter=Q(percent__gte=100))))
    return {r["case_id"]: Progress(_mean_percent(r["total"], r["n"]), r["n"], r["done"]) for r in rows}


def _mean_percent(total: int, n: int) -> int:
    return round(total / n) if n else 0


def public_cases() -> QuerySet[Case]:
    """Return the cases the public may follow: those whose notice has been issued (a draft is not a rectification
    yet), with what a public line names — the organization, its parent, the issuer and the campaign. Only states,
    dates and progress are public: never the problems, measures, owners, pledges, reports or evidence."""
    return (Case.objects.filter(issued_at__isnull=False)
            .select_related("subject__organization__parent", "issuer", "campaign")
            .only("id", "state", "deadline", "issued_on", "issued_at", "closed_at", "carried_to_year", "org_path",
                  "subject__id", "subject__organization__id", "subject__organization__code",
                  "subject__organization__name", "subject__organization__short_name",
                  "subject__organization__parent__id", "subject__organization__parent__code",
                  "subject__organization__parent__name", "subject__organization__parent__short_name",
                  "issuer__id", "issuer__code", "issuer__name", "issuer__short_name",
                  "campaign__id", "campaign__title", "campaign__year"))


def moves_waiting(case: Case, user: Any) -> list[tuple[str, str]]:
    """Return (move label, who may make it) for the manager moves open now that ``user`` may not make — the level
    above's, on an escalated case — so the page says whom the case is waiting for. Reopening a closed case is the
    level above's right, not something the case waits for, so it is not listed."""
    from dianti.core import rules

    from . import states

    ctx = states.context(case)
    return [(str(m.label), rules.who(states.rule_for(case, m), ctx)) for m in states.MOVES.values()
            if states.who(m) == states.MANAGER and m.name not in ("issue", "reopen") and states.allowed(case, m)
            and not rules.allows(user, states.rule_for(case, m), ctx)]
