"""The case state machine: 拟定 → 已下发 → 已承诺 → 整改中 → 待验收 → 已销号, or 已逾期 (and back), 转下年度.

Every allowed move is declared once in :data:`MOVES` with where it goes from; who may make it is the row
``rectification.<move>`` of :mod:`dianti.core.rules` (``rectification.<move>@escalated`` once the case has been
reported above the issuing committee, where that row exists). A case that went overdue
remembers the state it was in (``resume_state``): the secretary may still make that state's moves (commit late,
submit for verification late), and an extension of the deadline puts it back there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from dianti.core import rules

from .models import Case, Escalation, State

MANAGER, SECRETARY, SYSTEM = "manager", "secretary", "system"
_WHO = {rules.Level.OWN: MANAGER, rules.Level.ABOVE: MANAGER, rules.Level.SECRETARY: SECRETARY,
        rules.Level.SYSTEM: SYSTEM}


@dataclass(frozen=True)
class Move:
    name: str
    label: str | Promise
    sources: tuple[str, ...]
    target: str | None  # None: back to the state the case was in before it went overdue (or stay)
    resume_from: tuple[str, ...] = ()  # when overdue, allowed if it was in one of these
    note_required: bool = False
    public: bool = True  # shown on the villagers' tracking pages and told to them


S = State
_ALL_OPEN = (S.ISSUED, S.COMMITTED, S.IN_PROGRESS, S.AWAITING, S.OVERDUE)
MOVES: dict[str, Move] = {m.name: m for m in [
    Move("issue", _("下发整改通知单"), (S.DRAFT,), S.ISSUED),
    Move("commit", _("提交整改承诺"), (S.ISSUED,), S.COMMITTED, resume_from=(S.ISSUED,), public=False),
    Move("approve", _("审核通过承诺"), (S.COMMITTED,), S.IN_PROGRESS, resume_from=(S.COMMITTED,)),
    Move("return", _("退回承诺"), (S.COMMITTED,), S.ISSUED, resume_from=(S.COMMITTED,),
         note_required=True, public=False),
    Move("submit", _("申请验收"), (S.IN_PROGRESS,), S.AWAITING, resume_from=(S.IN_PROGRESS,)),
    Move("close", _("验收销号"), (S.AWAITING,), S.CLOSED, note_required=True),
    Move("reject", _("验收不通过"), (S.AWAITING,), S.IN_PROGRESS, note_required=True),
    Move("overdue", _("逾期"), (S.ISSUED, S.COMMITTED, S.IN_PROGRESS), S.OVERDUE),
    Move("extend", _("调整整改期限"), (S.ISSUED, S.COMMITTED, S.IN_PROGRESS, S.OVERDUE), None,
         note_required=True),
    Move("reopen", _("重新打开"), (S.CLOSED,), S.IN_PROGRESS, note_required=True),
    Move("carry_over", _("转下年度"), _ALL_OPEN, S.CARRIED_OVER, note_required=True),
    Move("withdraw", _("撤销"), (S.DRAFT,), S.WITHDRAWN, note_required=True, public=False),
]}


def allowed(case: Case, move: Move) -> bool:
    """Return whether ``move`` may be made from the case's current state (who may make it is checked apart)."""
    if case.state in move.sources:
        return True
    return case.state == S.OVERDUE and case.resume_state in move.resume_from


def target_of(case: Case, move: Move) -> str:
    if move.target is not None:
        return move.target
    return case.resume_state or case.state if case.state == S.OVERDUE else case.state


def rule_for(case: Case, move: Move) -> str:
    """The row of core/rules.py that governs ``move`` on ``case`` now."""
    name = f"rectification.{move.name}"
    escalated = f"{name}@escalated"
    return escalated if case.escalation >= Escalation.ABOVE and escalated in rules.RULES else name


def who(move: Move) -> str:
    """Whose kind of move it is (manager, secretary or system), from its rule's level."""
    return _WHO[rules.RULES[f"rectification.{move.name}"].level]


def context(case: Case) -> rules.Context:
    secretary = case.subject.secretary
    return rules.Context(body_path=case.issuer_path,
                         secretary_user_id=secretary.user_id if secretary is not None else None)


def available(case: Case, user: Any, kind: str) -> list[Move]:
    """Return the moves of ``kind`` (manager or secretary) that ``user`` may make on the case now."""
    ctx = context(case)
    return [m for m in MOVES.values()
            if who(m) == kind and allowed(case, m) and rules.allows(user, rule_for(case, m), ctx)]
