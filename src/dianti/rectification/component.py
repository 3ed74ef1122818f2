"""整改: notices, commitments, measures, supervision and 销号 — and what the people see of it."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dianti.core.components import Component, Export, NavEntry, TrackingPanel, register
from dianti.core.events import ON_COMMIT, Event

from . import bulk, deadlines, demo, receivers, record, retention, stats, todo, tracking

register(Component(
    label="rectification", name=_("整改"), order=60,
    urls="dianti.rectification.urls", prefix="rectification/",
    public_urls="dianti.rectification.urls_public", public_prefix="r/",
    api="dianti.rectification.routes.router", api_prefix="/rectification",
    nav=(NavEntry(_("整改"), "rectification_list",
                  lambda user, sc: sc.is_admin or bool(sc.roles & {"secretary", "point_staff"}), 60),),
    figures=stats.FIGURES,
    stat_labels={"rectifications_open": _("整改中（件）"), "rectifications_overdue": _("整改逾期（件）"),
                 "rectifications_closed": _("已销号（件）")},
    exports=(Export(_("整改通知单"), "rectification_notice", "case", "rectification_list"),),
    demo=demo.load,
    demo_bulk=bulk.fill,
    tracking=tracking.rectification_steps,
    tracking_panel=TrackingPanel("rectification/_track_panel.html", tracking.panel_context),
    todo=todo.for_user,
    record=record.facts,
    home=record.home,
    retention={"observation_devices": retention.observation_devices},
    daily={"deadline_sweep": deadlines.deadline_sweep},
    publishes=(Event("case_moved", ON_COMMIT,
                     ("case_id", "subject_id", "move", "public", "label", "note", "org_path"), "整改进展变化",
                     "整改状态写定后才告诉群众：回滚的操作不通知任何人；通知失败不撤销整改操作"),),
    subscribes={"proposal_confirmed": receivers.open_case_for_proposal},
    permissions="dianti.rectification.permissions",
))
