"""What needs a person's action in 整改 now.

The secretary: the notice to answer with a commitment, then the measures to finish (by the earliest unfinished
measure's deadline), then the request for acceptance. The issuing committee: the notice to issue, the commitment to
review, the acceptance asked for, and a case gone overdue; the level above only what has been escalated to it.
Point staff: the running cases in their area nobody from a point has visited lately
(:func:`.selectors.supervision_due`).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Min
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from dianti.core import rules
from dianti.core.components import Todo
from dianti.core.scope import restrict, scope_for

from . import states
from .models import Case, Measure, State
from .selectors import SUPERVISE_EVERY_DAYS, supervision_due

LIMIT = 50
_SECRETARY_STATES = (State.ISSUED, State.IN_PROGRESS, State.OVERDUE)
_MANAGER_STATES = (State.DRAFT, State.COMMITTED, State.AWAITING, State.OVERDUE)
_RELATED = ("subject__secretary", "subject__organization")
# What the committee's item asks for, by the case's state.
_MANAGER_KIND = {State.DRAFT: pgettext("to-do kind", "下发"), State.COMMITTED: pgettext("to-do kind", "审核"),
                 State.AWAITING: pgettext("to-do kind", "验收"), State.OVERDUE: pgettext("to-do kind", "督办")}


def for_user(user: Any) -> list[Todo]:
    if not getattr(user, "is_authenticated", False):
        return []
    sc = scope_for(user)
    items = _secretary(user)
    if sc.is_admin:
        items += _committee(user, sc)
    if "point_staff" in sc.roles:
        items += _to_supervise(user)
    return items


def _label(case: Case) -> str:
    return _("整改：%(org)s（%(state)s）") % {"org": case.subject.organization.display_name,
                                          "state": case.get_state_display()}


def _secretary(user: Any) -> list[Todo]:
    mine = list(Case.objects.filter(subject__secretary__user=user, state__in=_SECRETARY_STATES)
                .select_related(*_RELATED)[:LIMIT])
    if not mine:
        return []
    unfinished = {row["case"]: row for row in Measure.objects.filter(case__in=mine, percent__lt=100)
                  .values("case").annotate(n=Count("id"), first=Min("deadline"))}
    items = []
    for case in mine:
        url = reverse("rectification_case", args=[case.pk])
        moves = states.available(case, user, states.SECRETARY)
        left = unfinished.get(case.pk)
        if left and any(m.name == "submit" for m in moves):  # measures first: acceptance needs every one done
            items.append(Todo(_("完成整改措施：%(org)s（%(n)d 项未完成）") % {
                "org": case.subject.organization.display_name, "n": left["n"]}, url, left["n"],
                _("逐项报告进展并上传佐证，全部完成后申请验收"), kind=_("整改"), deadline=left["first"]))
        elif moves:
            items.append(Todo(_label(case), url, why="、".join(str(m.label) for m in moves),
                              kind=pgettext("to-do kind", "答复") if case.state == State.ISSUED or
                              case.resume_state == State.ISSUED else pgettext("to-do kind", "申请"),
                              deadline=case.deadline))
    return items


def _committee(user: Any, sc: Any) -> list[Todo]:
    waiting = (restrict(Case.objects.filter(state__in=_MANAGER_STATES), user, "org_path")
               .select_related(*_RELATED).order_by("deadline", "id")[:LIMIT])
    own = set(sc.manage_roots)
    items = []
    for case in waiting:
        moves = states.available(case, user, states.MANAGER)
        # The issuer's own admins are waited for; the level above only where a move is the level above's
        # (an escalated case), though it may act on the rest too.
        if moves and (case.issuer_path in own or any(
                rules.RULES[states.rule_for(case, m)].level == rules.Level.ABOVE for m in moves)):
            why = "、".join(str(m.label) for m in moves)
            if case.state == State.OVERDUE and case.issuer_path not in own:
                why = _("逾期未完成，已上报：%(moves)s") % {"moves": why}
            items.append(Todo(_label(case), reverse("rectification_case", args=[case.pk]), why=why,
                              kind=_MANAGER_KIND[State(case.state)], deadline=case.deadline))
    return items


def _to_supervise(user: Any) -> list[Todo]:
    return [Todo(_("督查整改：%(org)s（%(state)s）") % {"org": c.subject.organization.display_name,
                                                   "state": c.get_state_display()},
                 reverse("rectification_supervise", args=[c.pk]),
                 why=_("%(days)d 天内还没有点位走访，请实地查看并填写督查记录") % {"days": SUPERVISE_EVERY_DAYS},
                 kind=_("督查"), deadline=c.deadline) for c in supervision_due(user)[:LIMIT]]
