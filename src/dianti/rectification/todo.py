"""What needs a person's action in 整改 now: for a secretary, the notice to answer with a commitment or the
measures to finish; for the committee, commitments to review and cases asking for acceptance."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from dianti.core import rules
from dianti.core.components import Todo
from dianti.core.scope import restrict, scope_for

from . import states
from .models import Case, State

LIMIT = 50
_SECRETARY_STATES = (State.ISSUED, State.IN_PROGRESS, State.OVERDUE)
_MANAGER_STATES = (State.COMMITTED, State.AWAITING)


def for_user(user: Any) -> list[Todo]:
    if not getattr(user, "is_authenticated", False):
        return []
    items: list[Todo] = []
    mine = (Case.objects.filter(subject__secretary__user=user, state__in=_SECRETARY_STATES)
            .select_related("subject__secretary", "subject__organization")[:LIMIT])
    for case in mine:
        moves = states.available(case, user, states.SECRETARY)
        if moves:
            items.append(Todo(_("整改：%(org)s（%(state)s）") % {"org": case.subject.organization.display_name,
                                                              "state": case.get_state_display()},
                              reverse("rectification_case", args=[case.pk]),
                              why="、".join(str(m.label) for m in moves)))
    if scope_for(user).is_admin:
        waiting = (restrict(Case.objects.filter(state__in=_MANAGER_STATES), user, "org_path")
                   .select_related("subject__secretary", "subject__organization").order_by("id")[:LIMIT])
        own = set(scope_for(user).manage_roots)
        for case in waiting:
            moves = states.available(case, user, states.MANAGER)
            # The issuer's own admins are waited for; the level above only where a move is the level above's
            # (an escalated case), though it may act on the rest too.
            if moves and (case.issuer_path in own or any(
                    rules.RULES[states.rule_for(case, m)].level == rules.Level.ABOVE for m in moves)):
                items.append(Todo(_("整改：%(org)s（%(state)s）") % {
                    "org": case.subject.organization.display_name, "state": case.get_state_display()},
                    reverse("rectification_case", args=[case.pk]), why="、".join(str(m.label) for m in moves)))
    return items
