"""述职会: the meeting, the secret ballot (phones and paper), questions from the floor, the projector."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dianti.core.components import Component, Export, NavEntry, register
from dianti.core.events import IN_SAVEPOINT, Event

from . import bulk, demo, record, retention, scans, stats, todo

register(Component(
    label="meetings", name=_("述职会"), order=40,
    urls="dianti.meetings.urls", prefix="meetings/",
    public_urls="dianti.meetings.urls_public", public_prefix="m/",
    api="dianti.meetings.routes.router", api_prefix="/meetings",
    nav=(NavEntry(_("述职会"), "meeting_list", lambda user, sc: sc.is_admin, 40),),
    stats={"ballots": stats.ballots, "questions": stats.questions},
    figures=stats.FIGURES,
    figures_add={"participants": stats.attendance},
    stat_labels={"meetings": _("述职会（场）"), "ballots": _("测评票（张）")},
    stat_help={"questions": _("现场提问（条）")},
    exports=(Export(_("评议码"), "meeting_codes", "meeting", "meeting_list"), Export(_("纸质测评表"), "meeting_paper_pdf", "meeting", "meeting_list"),
             Export(_("会议纪要"), "meeting_minutes", "meeting", "meeting_list")),
    demo=demo.load,
    demo_bulk=bulk.fill,
    todo=todo.for_user,
    record=record.facts,
    retention={"hall_devices": retention.hall_devices, "paper_images": retention.paper_images},
    jobs={scans.JOB_KIND: scans.read_job},
    publishes=(Event("meeting_closed", IN_SAVEPOINT, ("meeting_id", "org_path"), "述职会结束投票",
                     "投票结束不因后续计算失败而撤销：选票已封存，计算失败记录在案，由管理员重试"),),
    permissions="dianti.meetings.permissions",
))
