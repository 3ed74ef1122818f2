"""评议考核: the score of record, its review and publication, proposals, the annual assessment and star grades."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dianti.campaigns.models import Phase
from dianti.core.components import Component, Export, NavEntry, register
from dianti.core.events import IN_TRANSACTION, Event

from . import bulk, demo, importers, record, services, stats, todo
from .guards import proposals_decided
from .selectors import meeting_scores

register(Component(
    label="appraisal", name=_("评议考核"), order=50,
    urls="dianti.appraisal.urls", prefix="appraisal/",
    api="dianti.appraisal.routes.router", api_prefix="/appraisal",
    nav=(NavEntry(_("评议考核"), "appraisal_index", lambda user, sc: sc.is_admin, 50),),
    figures=stats.FIGURES,
    stat_labels={"appraised": _("已公布评议（人）")},
    exports=(Export(_("述职活动评议结果"), "appraisal_campaign_export", "campaign", "appraisal_index"),
             Export(_("述职会评议结果"), "appraisal_meeting_export", "meeting", "appraisal_index")),
    demo=demo.load,
    demo_bulk=bulk.fill,
    jobs={"import.annual_assessment": importers.import_annual},
    todo=todo.for_user,
    record=record.facts,
    # The meetings step shows the score of record, never one of its own: it asks for it here.
    provides={"meeting_scores": meeting_scores},
    publishes=(Event("proposal_confirmed", IN_TRANSACTION, ("proposal_id", "action", "org_path"),
                     "处置建议已确认", "确认与其后果同成同败：确认整改通知即开立整改，否则都不发生"),),
    subscribes={"meeting_closed": services.on_meeting_closed},
    phase_guards=((Phase.APPRAISAL, Phase.RECTIFICATION, proposals_decided),),
    permissions="dianti.appraisal.permissions",
))
