"""Scoped reads for the shared kernel: the audit log, jobs and the home summary."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, QueryDict

from . import scope, stats
from .models import AuditEvent, Job, Notification


@dataclass(frozen=True)
class AuditFilters:
    q: str = ""
    action: str = ""
    actor: str = ""
    since: dt.date | None = None
    until: dt.date | None = None

    @classmethod
    def from_query(cls, query: QueryDict) -> AuditFilters:
        def date(name: str) -> dt.date | None:
            try:
                return dt.date.fromisoformat(query.get(name, ""))
            except ValueError:
                return None

        return cls(q=query.get("q", "").strip(), action=query.get("action", "").strip(),
                   actor=query.get("actor", "").strip(), since=date("since"), until=date("until"))


def audit_events(user: Any, f: AuditFilters) -> QuerySet[AuditEvent]:
    """Return the audit records inside the user's manage scope, newest first, filtered."""
    qs = scope.restrict(AuditEvent.objects.all(), user, "org_path", manage=True)
    if f.q:
        qs = qs.filter(target_repr__icontains=f.q)
    if f.action:
        qs = qs.filter(action=f.action)
    if f.actor:
        qs = qs.filter(actor_name__icontains=f.actor)
    if f.since:
        qs = qs.filter(at__date__gte=f.since)
    if f.until:
        qs = qs.filter(at__date__lte=f.until)
    return qs.order_by("-at", "-id")


def audit_actions(user: Any) -> list[str]:
    return list(
        scope.restrict(AuditEvent.objects.all(), user, "org_path", manage=True)
        .order_by("action").values_list("action", flat=True).distinct()
    )


def job_get(user: Any, pk: int) -> Job:
    job = Job.objects.filter(pk=pk).first()
    if job is None or (job.created_by_id != user.pk and not user.is_superuser):
        raise Http404("找不到该任务")
    return job


#: A wide root (a province or a city, :func:`scope.is_wide`) is counted for the home page at most once every this
#: many seconds (counting its people alone reads about a million index entries); a county's and anything below it
#: are counted on every visit, so a county's figures move as soon as its people act.
WIDE_STATS_SECONDS = 60


def home_summary(user: Any) -> dict[str, Any]:
    """Return what a person's home page shows: their 待办 (fresh, most urgent first), the blocks the steps add for
    them (a secretary's own campaigns, the cases a point's staff supervise) and — for staff, who run or oversee a
    subtree — each organization their roles sit on with the cycle in numbers (labelled, in cycle order)."""
    from . import components, todo
    from .directory import directory

    sc = scope.scope_for(user)
    staff = sc.is_admin or sc.is_approver
    roots = []
    for org in directory().top_orgs(user)[:5] if staff else []:
        wide = scope.is_wide(org.path)
        counts = stats.recent(org.path, WIDE_STATS_SECONDS) if wide else stats.compute(org.path)
        roots.append((org, [(label, counts[key], key) for key, label in components.stat_labels() if key in counts]))
    from . import events

    failures = events.failures_for(user).count() if sc.is_admin else 0
    return {"roots": roots, "scope": sc, "staff": staff, "todo": todo.fresh(user),
            "panels": components.home_panels(user), "failures": failures,
            "outbound_failed": outbound_failed_count(user) if sc.is_admin else 0}


def notifications_for(user: Any) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")


def unread_count(user: Any) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def jobs_of(user: Any) -> QuerySet[Job]:
    """Return the background jobs ``user`` started, newest first."""
    return Job.objects.filter(created_by=user).order_by("-created_at", "-id")


def outbound_for(user: Any, *, status: str = "", channel: str = "", batch: str = "") -> QuerySet[Any]:
    """Return the outbound messages of the subtree the user manages (the recipient's organization, or the
    message's), newest first, filtered by status, channel and message (batch). A role that only views a subtree
    (a secretary, an evaluator) reads none: the log names the villagers told of a case."""
    from .models import OutboundMessage

    qs = scope.restrict(OutboundMessage.objects.all(), user, "org_path", manage=True)
    if status in OutboundMessage.Status.values:
        qs = qs.filter(status=status)
    if channel:
        qs = qs.filter(channel=channel)
    if batch:
        qs = qs.filter(batch=batch)
    return qs.order_by("-created_at", "-id")


def outbound_failed_count(user: Any) -> int:
    """Return how many outbound messages of the user's subtree failed in the last week (the home page's flash)."""
    from django.utils import timezone

    since = timezone.now() - dt.timedelta(days=7)
    return outbound_for(user, status="failed").filter(created_at__gte=since).count()
