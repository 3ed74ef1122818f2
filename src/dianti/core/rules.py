"""The institution's rules: who may do which consequential act, at which level. Declared once, here.

点题述职 works by 压力传导 — the level above oversees the level below. So every act that decides something about
people (approving a list of subjects, publishing scores, confirming star grades, closing a rectification case,
moving a campaign back) names, in :data:`RULES`, the *level* that may do it, measured from the organization whose
business it is (its *body*: a campaign's convener, a case's issuing committee, an assessment's county):

``own``       本级 — an admin of the body, or of a body above it (the level above may always step in);
``above``     上级 — an admin strictly above the body; where nothing is above the body in the system (no admin
              holds a role on any organization above it — a county that runs the platform on its own), a person
              holding the approver role (审批人) at the body. Admins of the body itself never qualify;
``secretary`` 本人 — the secretary of the subject the act is about (their commitment, their progress);
``system``    系统 — only the platform (the daily deadline sweep).

A rule with ``four_eyes`` also refuses the person who made the thing being decided (who submitted the list or the
results, who computed the assessment), whatever their level: nobody approves their own work.

Services call :func:`ensure` (raises ``PermissionDenied``, a 403, with a sentence naming who may);
pages call :func:`allows` to show a button only to those who may press it and :func:`who` to say whom it waits for.
``actor=None`` is the system (demo loader, migrations, sweeps) and passes. The matrix test
(``core/tests/test_rules_matrix.py``) walks every row here × every named role × own level / level above / other
branch through services, pages and the API; a row without a scenario there fails the suite.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import paths
from .directory import directory
from .scope import scope_for


class Level(StrEnum):
    OWN = "own"
    ABOVE = "above"
    SECRETARY = "secretary"
    SYSTEM = "system"


LEVEL_LABELS: dict[Level, Promise] = {
    Level.OWN: _("本级管理员（或上级）"),
    Level.ABOVE: _("上级管理员；无上级时为本级审批人"),
    Level.SECRETARY: _("述职对象的书记本人"),
    Level.SYSTEM: _("系统自动"),
}


@dataclass(frozen=True)
class Rule:
    action: str
    label: str | Promise
    level: Level
    body: str | Promise  # whose business it is, in words: the level is measured from this organization
    four_eyes: bool = False


CONVENER, ISSUER, COUNTY = _("召集述职活动的党组织"), _("下发整改通知单的党委"), _("县级党委")

RULES: dict[str, Rule] = {r.action: r for r in [
    # 党委点名: the convener draws up the list; the level above approves and publishes it (or sends it back).
    Rule("campaign.list_submit", _("提交述职对象名单"), Level.OWN, CONVENER),
    Rule("campaign.list_approve", _("审批并公示述职对象名单"), Level.ABOVE, CONVENER, four_eyes=True),
    Rule("campaign.list_return", _("退回述职对象名单"), Level.ABOVE, CONVENER),
    # The phase machine: forward for the convener, backward only for the level above.
    Rule("campaign.phase_forward", _("推进述职活动阶段"), Level.OWN, CONVENER),
    Rule("campaign.phase_back", _("退回述职活动阶段"), Level.ABOVE, CONVENER),
    # The heat formula's knobs, set once by the county for every campaign under it.
    Rule("campaign.heat_scheme_set", _("设定本县群众点题的呼声热度权重"), Level.OWN, COUNTY),
    # Whether villagers prove their phone by SMS code before a named opinion or a "我也关心" counts as verified.
    Rule("voices.phone_codes_set", _("开启或关闭本县群众意见的手机短信验证"), Level.OWN, COUNTY),
    # 评: the convener submits the engine's results; the level above approves and publishes (公示) or withdraws.
    Rule("appraisal.results_submit", _("提交评议结果送审"), Level.OWN, CONVENER),
    Rule("appraisal.results_return", _("退回评议结果"), Level.ABOVE, CONVENER),
    Rule("appraisal.results_publish", _("审核通过并公示评议结果"), Level.ABOVE, CONVENER, four_eyes=True),
    Rule("appraisal.results_withdraw", _("撤回已公示的评议结果"), Level.ABOVE, CONVENER),
    Rule("appraisal.proposal_decide", _("确认或不采纳处置建议"), Level.OWN, CONVENER),
    # 述职会: a rehearsal (模拟测评) of the convener's meeting, started and wiped by the convener's admins.
    Rule("meeting.rehearsal_start", _("开始模拟测评"), Level.OWN, CONVENER),
    Rule("meeting.rehearsal_wipe", _("清除模拟测评"), Level.OWN, CONVENER),
    # 考: star grades (晋位升级) are confirmed above the county that computed them.
    Rule("appraisal.stars_confirm", _("确认年度考核等次和星级"), Level.ABOVE, COUNTY, four_eyes=True),
    # 整改: the issuing committee runs the case; the secretary answers it; escalated cases go up a level.
    Rule("rectification.issue", _("下发整改通知单"), Level.OWN, ISSUER),
    Rule("rectification.commit", _("提交整改承诺"), Level.SECRETARY, ISSUER),
    Rule("rectification.approve", _("审核通过承诺"), Level.OWN, ISSUER),
    Rule("rectification.return", _("退回承诺"), Level.OWN, ISSUER),
    Rule("rectification.submit", _("申请验收"), Level.SECRETARY, ISSUER),
    Rule("rectification.close", _("验收销号"), Level.OWN, ISSUER),
    Rule("rectification.close@escalated", _("已上报县委的整改验收销号"), Level.ABOVE, ISSUER),
    Rule("rectification.reject", _("验收不通过"), Level.OWN, ISSUER),
    Rule("rectification.overdue", _("逾期"), Level.SYSTEM, ISSUER),
    Rule("rectification.extend", _("调整整改期限"), Level.OWN, ISSUER),
    Rule("rectification.extend@escalated", _("调整已上报县委的整改期限"), Level.ABOVE, ISSUER),
    Rule("rectification.reopen", _("重新打开已销号的整改"), Level.ABOVE, ISSUER),
    Rule("rectification.carry_over", _("整改转下年度"), Level.OWN, ISSUER),
    Rule("rectification.carry_over@escalated", _("已上报县委的整改转下年度"), Level.ABOVE, ISSUER),
    Rule("rectification.withdraw", _("撤销拟定的整改"), Level.OWN, ISSUER),
]}


@dataclass(frozen=True)
class Context:
    """What a decision is about: the body's path, who made the thing being decided, the subject's secretary."""

    body_path: str
    made_by_id: int | None = None
    secretary_user_id: int | None = None

    @cached_property
    def above_in_system(self) -> bool:
        """Asked once per context: a page that checks several acts of one body queries it once."""
        return above_in_system(self.body_path)


def _parent(path: str) -> str:
    return path[: -paths.SEGMENT]


def above_in_system(body_path: str) -> bool:
    """Whether some admin holds a role above ``body_path``: then that level oversees it; if not, the body is the
    top of the system and its approver (审批人) is the second pair of eyes."""
    d = directory()
    return d.any_holder(roles=d.admin_roles, paths=paths.ancestors(body_path))


def _level_met(user: Any, rule: Rule, ctx: Context) -> bool:
    sc = scope_for(user)
    if rule.level == Level.SYSTEM:
        return False
    if rule.level == Level.SECRETARY:
        return ctx.secretary_user_id is not None and getattr(user, "pk", None) == ctx.secretary_user_id
    if rule.level == Level.OWN:
        return sc.can_manage_path(ctx.body_path)
    if sc.everything:
        return True
    if sc.can_manage_path(_parent(ctx.body_path)):
        return True  # an admin above: their own role makes the body one with a level above, no need to ask
    # Otherwise the level above decides when there is one; the body's own approver only at the top of the system.
    return ctx.body_path in sc.approve_roots and not ctx.above_in_system


def refusal(user: Any, action: str, ctx: Context) -> str | None:
    """Return why ``user`` may not do ``action`` in ``ctx`` (a sentence for the page), or None if they may."""
    rule = RULES[action]
    if user is None:
        return None
    if not _level_met(user, rule, ctx):
        return gettext("“%(act)s”只能由%(who)s办理") % {"act": rule.label, "who": who(action, ctx)}
    if rule.four_eyes and ctx.made_by_id is not None and getattr(user, "pk", None) == ctx.made_by_id:
        return gettext("“%(act)s”须由提交人以外的人办理（双人审核）：请%(who)s办理") % {
            "act": rule.label, "who": who(action, ctx)}
    return None


def allows(user: Any, action: str, ctx: Context) -> bool:
    return refusal(user, action, ctx) is None


def ensure(user: Any, action: str, ctx: Context) -> None:
    """Raise ``PermissionDenied`` (403, naming who may) unless ``user`` may do ``action`` in ``ctx``.

    The rules are asked about what the user can already see (a selector found it for them), so saying no is no
    leak; something outside their subtree never gets this far (:class:`~dianti.core.scope.OutOfScope`, a 404)."""
    reason = refusal(user, action, ctx)
    if reason is not None:
        raise PermissionDenied(reason)


def _org_name(path: str) -> str:
    return directory().org_name(path)


def who(action: str, ctx: Context) -> str:
    """Say who may do ``action`` here, naming the organization: "海盐县委的管理员（上级）"."""
    rule = RULES[action]
    if rule.level == Level.SECRETARY:
        return gettext("述职对象的书记本人")
    if rule.level == Level.SYSTEM:
        return gettext("系统")
    if rule.level == Level.OWN:
        return gettext("%(org)s的管理员") % {"org": _org_name(ctx.body_path)}
    if ctx.above_in_system:
        return gettext("%(org)s（上级）的管理员") % {"org": _org_name(_parent(ctx.body_path))}
    return gettext("%(org)s的审批人（提交人以外）") % {"org": _org_name(ctx.body_path)}


def deciders(action: str, ctx: Context) -> list[Any]:
    """Return the users a waiting ``action`` waits for (to tell them): the admins (or approvers) it names."""
    rule, d = RULES[action], directory()
    if rule.level == Level.OWN:
        holders = d.holders(roles=d.admin_roles, paths=[ctx.body_path])
    elif rule.level == Level.ABOVE and ctx.above_in_system:
        holders = d.holders(roles=d.admin_roles, paths=[_parent(ctx.body_path)])
    elif rule.level == Level.ABOVE:
        holders = d.holders(roles=[d.approver_role], paths=[ctx.body_path])
    else:
        return []
    users = {u.pk: u for u in holders if u.pk != ctx.made_by_id}
    return list(users.values())


def table(actions: Iterable[str] | None = None) -> list[dict[str, str]]:
    """Return the declared table as rows for pages, the API and ``docs/rules.md``."""
    return [{"action": r.action, "label": str(r.label), "level": r.level.value, "level_label": str(
        LEVEL_LABELS[r.level]), "body": str(r.body), "four_eyes": "yes" if r.four_eyes else "no"}
        for r in (RULES[a] for a in (actions if actions is not None else RULES))]
