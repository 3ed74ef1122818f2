"""The campaign phase machine: 点名 → 点题 → 述职 → 评议 → 整改 → 归档.

Each allowed move is declared once in :data:`TRANSITIONS` with who may make it and what it needs. A guard returns
the list of what is missing, in words the user reads ("还有 2 个述职对象没有题目：丰义村、雪水港村"); an empty list
means the move may go ahead. Moving forward is for the convening committee's admins; moving back one step (to fix
a mistake) is for the level above, so a committee cannot quietly rewind its own campaign.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext, gettext_lazy, ngettext, pgettext

from dianti.core import components, rules

from .models import Campaign, Phase, Subject

Guard = Callable[[Campaign], list[str]]


def _names(subjects: Any, limit: int = 5) -> str:
    names = [s.organization.display_name for s in subjects[:limit]]
    more = pgettext("after a shortened list of names", "等") if len(names) == limit else ""
    return pgettext("list separator", "、").join(names) + more


def _subjects_missing(campaign: Campaign, exclude_status: list[str], message: Callable[[int], str]) -> list[str]:
    missing = campaign.subjects.exclude(status__in=exclude_status).select_related("organization")
    count = missing.count()
    return [message(count) % {"n": count, "names": _names(list(missing[:5]))}] if count else []


def _list_published(c: Campaign) -> list[str]:
    problems = []
    if not c.subjects.exists():
        problems.append(gettext("还没有点名任何述职对象"))
    if c.list_status != Campaign.ListStatus.PUBLISHED:
        problems.append(gettext("述职对象名单尚未审批公示"))
    return problems


def _all_topics(c: Campaign) -> list[str]:
    S = Subject.Status
    return _subjects_missing(c, [S.TOPIC_SET, S.REPORTED, S.APPRAISED], lambda n: ngettext(
        "还有 %(n)d 个述职对象没有题目：%(names)s", "还有 %(n)d 个述职对象没有题目：%(names)s", n))


def _all_reported(c: Campaign) -> list[str]:
    S = Subject.Status
    return _subjects_missing(c, [S.REPORTED, S.APPRAISED], lambda n: ngettext(
        "还有 %(n)d 个述职对象尚未述职：%(names)s", "还有 %(n)d 个述职对象尚未述职：%(names)s", n))


def _all_appraised(c: Campaign) -> list[str]:
    return _subjects_missing(c, [Subject.Status.APPRAISED], lambda n: ngettext(
        "还有 %(n)d 个述职对象的评议结果尚未公布：%(names)s", "还有 %(n)d 个述职对象的评议结果尚未公布：%(names)s", n))


def _rectification_done(c: Campaign) -> list[str]:
    open_ = c.subjects.filter(rectification=Subject.Rectification.OPEN).select_related("organization")
    n = open_.count()
    return [ngettext("还有 %(n)d 项整改未销号或结转：%(names)s", "还有 %(n)d 项整改未销号或结转：%(names)s", n)
            % {"n": n, "names": _names(list(open_[:5]))}] if n else []


def _nothing(c: Campaign) -> list[str]:
    return []


def contributed_guards(source: str, target: str) -> list[Guard]:
    """Return the guards later steps of the cycle add to the move ``source`` → ``target`` (campaigns cannot import
    them): each step declares them in its component (``phase_guards``) — appraisal adds "every proposal decided" to
    进入整改."""
    return [guard for c in components.components() for s, t, guard in c.phase_guards
            if (str(s), str(t)) == (str(source), str(target))]


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    label: str
    forward: bool
    guard: Guard

    def missing(self, campaign: Campaign) -> list[str]:
        """Return what the move still needs: its own guard's list, then the contributed guards' lists."""
        extra = contributed_guards(self.source, self.target)
        return self.guard(campaign) + [m for g in extra for m in g(campaign)]


P = Phase
TRANSITIONS: dict[tuple[str, str], Transition] = {
    (t.source, t.target): t
    for t in [
        Transition(P.NOMINATE, P.TOPICS, gettext_lazy("进入点题"), True, _list_published),
        Transition(P.TOPICS, P.REPORTING, gettext_lazy("进入述职"), True, _all_topics),
        Transition(P.REPORTING, P.APPRAISAL, gettext_lazy("进入评议"), True, _all_reported),
        Transition(P.APPRAISAL, P.RECTIFICATION, gettext_lazy("进入整改"), True, _all_appraised),
        Transition(P.RECTIFICATION, P.ARCHIVED, gettext_lazy("归档"), True, _rectification_done),
        Transition(P.TOPICS, P.NOMINATE, gettext_lazy("退回点名"), False, _nothing),
        Transition(P.REPORTING, P.TOPICS, gettext_lazy("退回点题"), False, _nothing),
        Transition(P.APPRAISAL, P.REPORTING, gettext_lazy("退回述职"), False, _nothing),
        Transition(P.RECTIFICATION, P.APPRAISAL, gettext_lazy("退回评议"), False, _nothing),
    ]
}


def rule_of(transition: Transition) -> str:
    """The row of core/rules.py that says who may make ``transition``."""
    return "campaign.phase_forward" if transition.forward else "campaign.phase_back"


def may_make(user: Any, campaign: Campaign, transition: Transition) -> bool:
    """Forward moves: the convener's admins. Backward moves: the level above (see core/rules.py)."""
    return rules.allows(user, rule_of(transition), rules.Context(body_path=campaign.org_path))


def available(user: Any, campaign: Campaign) -> list[tuple[Transition, list[str]]]:
    """Return the moves out of the current phase this user may make, each with what is still missing."""
    return [(t, t.missing(campaign)) for (src, _), t in TRANSITIONS.items()
            if src == campaign.phase and may_make(user, campaign, t)]
