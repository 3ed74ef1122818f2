"""Deadlines of rectification: reminders before a deadline, overdue marking, and escalation town → county.

Run daily as this step's daily sweep (``daily`` in its component, run by :mod:`dianti.core.daily`), or by hand with
``dianti remind_rectification``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import (
    Case,
    Escalation,
    Measure,
    State,
)
from .workflow import (  # the shared engine of every case move
    ESCALATE_AFTER_DAYS,
    REMIND_DAYS,
    cn_date,
    event,
    locked,
    move,
    tell_issuer,
    tell_secretary,
)


@dataclass(frozen=True)
class _Late:
    obj: Case | Measure
    what: str
    days: int
    level: int  # the level it should have reached by now


def _escalate(case: Case, level: int, items: list[_Late]) -> None:
    """Tell one level (the issuing committee, or the level above it) about a case's late items, in one message."""
    above = level == Escalation.ABOVE
    title = _("整改逾期%(where)s：%(org)s") % {"org": case.subject.organization.display_name,
                                              "where": _("（上报）") if above else ""}
    lines = "；".join(_("%(what)s已逾期 %(days)d 天") % {"what": i.what, "days": i.days} for i in items)
    body = f"{case.number}：{lines}。"
    tell_issuer(case, "rectification_escalated", title, body, above=above)
    event(case, "escalate", _("系统"), body + (_("已上报上级党委组织部门。") if above else _("已报发文党委。")))


def deadline_sweep(today: dt.date | None = None) -> dict[str, int]:
    """Run once a day: remind secretaries of deadlines within three days; mark cases overdue when their deadline
    passes; escalate late measures and overdue cases to the issuing committee at once and to the level above
    (town → county) after a week. Each reminder and each escalation is sent once per deadline."""
    today = today or timezone.localdate()
    counts = {"reminded": 0, "overdue": 0, "escalated": 0}
    soon = today + dt.timedelta(days=REMIND_DAYS)
    for case in Case.objects.filter(state=State.ISSUED, deadline__gte=today, deadline__lte=soon).exclude(
            reminded_for=F("deadline")).select_related("subject__secretary", "subject__organization"):
        with transaction.atomic():
            tell_secretary(case, "rectification_reminder", _("整改期限临近：%(number)s") % {"number": case.number},
                            _("请尽快提交整改承诺，整改期限：%(d)s。") % {"d": cn_date(case.deadline)})
            Case.objects.filter(pk=case.pk).update(reminded_for=case.deadline)
        counts["reminded"] += 1
    running = Q(case__state=State.IN_PROGRESS) | Q(case__state=State.OVERDUE, case__resume_state=State.IN_PROGRESS)
    for m in Measure.objects.filter(running, percent__lt=100, deadline__gte=today, deadline__lte=soon).exclude(
            reminded_for=F("deadline")).select_related("case__subject__secretary"):
        with transaction.atomic():
            tell_secretary(m.case, "rectification_reminder", _("整改措施即将到期：%(m)s") % {"m": m.text[:30]},
                            _("责任人 %(o)s，完成时限 %(d)s，当前进度 %(p)d%%。") % {
                                "o": m.owner, "d": cn_date(m.deadline), "p": m.percent})
            Measure.objects.filter(pk=m.pk).update(reminded_for=m.deadline)
        counts["reminded"] += 1
    for case in Case.objects.filter(state__in=[State.ISSUED, State.COMMITTED, State.IN_PROGRESS],
                                    deadline__lt=today).exclude(overdue_for=F("deadline")):
        with transaction.atomic():
            case = locked(case)
            move(case, "overdue", None, _("整改期限 %(d)s 已过") % {"d": cn_date(case.deadline)},
                  overdue_for=case.deadline)
            tell_secretary(case, "rectification_overdue", _("整改已逾期：%(number)s") % {"number": case.number},
                            _("整改期限 %(d)s 已过，请尽快完成并说明情况。") % {"d": cn_date(case.deadline)})
        counts["overdue"] += 1
    counts["escalated"] = _escalate_late(today)
    return counts


def _escalate_late(today: dt.date) -> int:
    """Escalate what is late: at once to the issuing committee, after a week to the level above; one message per
    case and level, each item once per level. Return how many cases were escalated."""
    def level(days: int) -> int:
        return Escalation.ABOVE if days >= ESCALATE_AFTER_DAYS else Escalation.ISSUER

    pending: dict[int, tuple[Case, list[_Late]]] = {}
    for case in Case.objects.filter(state=State.OVERDUE, deadline__lt=today).select_related(
            "subject__organization"):
        days = (today - case.deadline).days
        if case.escalation < level(days):
            pending.setdefault(case.pk, (case, []))[1].append(_Late(case, _("整改"), days, level(days)))
    for m in Measure.objects.filter(case__state__in=[State.IN_PROGRESS, State.OVERDUE], percent__lt=100,
                                    deadline__lt=today).select_related("case__subject__organization"):
        days = (today - m.deadline).days
        if m.escalation < level(days):
            pending.setdefault(m.case_id, (m.case, []))[1].append(
                _Late(m, _("措施“%(m)s”") % {"m": m.text[:30]}, days, level(days)))
    for case, items in pending.values():
        with transaction.atomic():
            for lvl in (Escalation.ISSUER, Escalation.ABOVE):
                batch = [i for i in items if i.obj.escalation < lvl <= i.level]
                if batch:
                    _escalate(case, lvl, batch)
            for i in items:
                type(i.obj).objects.filter(pk=i.obj.pk).update(escalation=i.level)
    return len(pending)
