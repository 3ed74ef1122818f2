"""What appraisal adds to the campaign's phase guards (registered in :meth:`AppraisalConfig.ready`)."""

from __future__ import annotations

from django.utils.translation import ngettext, pgettext

from dianti.campaigns.models import Campaign

from .models import ActionProposal

SHOWN = 5


def proposals_decided(campaign: Campaign) -> list[str]:
    """Return, for 进入整改, the proposals still pending (each organization with its action), or nothing."""
    pending = (ActionProposal.objects.filter(campaign=campaign, status=ActionProposal.Status.PENDING)
               .select_related("subject__organization").order_by("subject__order", "subject_id", "action"))
    n = pending.count()
    if not n:
        return []
    names = [f"{p.subject.organization.display_name}（{p.get_action_display()}）" for p in pending[:SHOWN]]
    more = pgettext("after a shortened list of names", "等") if n > SHOWN else ""
    return [ngettext("还有 %(n)d 条处理建议尚未决定：%(names)s", "还有 %(n)d 条处理建议尚未决定：%(names)s", n)
            % {"n": n, "names": pgettext("list separator", "、").join(names) + more}]
