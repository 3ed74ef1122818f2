"""The rectification lines on a villager's tracking page (this step's ``tracking`` in its component):
the notice, the commitment, the latest progress, verification and 销号 — what became of what they said."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from dianti.core.components import TrackingStep as Step

from . import selectors
from .models import Case, CaseEvent, State


def _detail(case: Case, e: CaseEvent) -> tuple[str, str]:
    org = case.subject.organization.display_name
    labels = {
        "issue": (_("整改通知"), _("%(issuer)s向%(org)s下发党建工作整改通知单（%(number)s），要求于%(deadline)s前完成整改。")),
        "approve": (_("整改承诺"), _("%(org)s书记作出整改承诺（三责联诺），党委审核通过，开始整改。")),
        "progress": (_("整改进展"), "%(note)s"),
        "submit": (_("申请验收"), _("%(org)s整改措施已全部完成，申请验收。")),
        "reject": (_("验收未通过"), _("验收未通过，继续整改：%(note)s")),
        "close": (_("已销号"), _("经验收，整改完成销号：%(note)s")),
        "reopen": (_("重新整改"), _("整改重新打开：%(note)s")),
        "overdue": (_("已逾期"), _("整改已超过期限，已报上级督办。")),
        "extend": (_("期限调整"), "%(note)s"),
        "carry_over": (_("转下年度"), _("整改转入下一年度继续推进：%(note)s")),
    }
    label, text = labels.get(e.kind, (e.kind, "%(note)s"))
    from .workflow import cn_date

    return label, text % {"issuer": case.issuer.display_name, "org": org, "number": case.number,
                          "deadline": cn_date(case.deadline), "note": e.note}


def rectification_steps(opinion: Any) -> list[Step]:
    case = selectors.case_for_opinion(opinion)
    if case is None:
        return []
    events = list(case.events.filter(public=True).order_by("at", "id"))
    last_progress = max((e.pk for e in events if e.kind == "progress"), default=None)
    steps = [Step(*_detail(case, e), True, e.at) for e in events if e.kind != "progress" or e.pk == last_progress]
    if case.state not in (State.CLOSED, State.CARRIED_OVER):
        steps.append(Step(_("销号"), _("整改完成并经党委验收后销号。"), False))
    return steps


def panel_context(opinion: Any) -> dict[str, Any] | None:
    """The context of the panel under the steps (``tracking_panel``): the case behind the opinion, how far its
    measures are, and a way to tell the committee what one sees."""
    case = selectors.case_for_opinion(opinion)
    return {"case": case, "opinion": opinion, "percent": selectors.progress_percent(case) if case else 0}
