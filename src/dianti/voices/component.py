"""群众点题: opinions from the QR page and offline channels, mined into topics; the people's tracking page."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dianti.core.components import Component, Export, NavEntry, register

from . import bulk, demo, importers, mining_bridge, receivers, record, retention, stats, todo, tracking

register(Component(
    label="voices", name=_("群众点题"), order=30,
    urls="dianti.voices.urls", prefix="voices/",
    public_urls="dianti.voices.urls_public", public_prefix="v/",
    api="dianti.voices.routes.router", api_prefix="/voices",
    nav=(NavEntry(_("群众意见"), "voices_queue", lambda user, sc: sc.is_admin or "point_staff" in sc.roles, 20),),
    figures=stats.FIGURES,
    stat_labels={"opinions": _("群众意见（条）"), "topics_assigned": _("已点题（人）"), "participants": _("参与（人次）")},
    stat_help={"opinions_sorted": _("已分类的意见（条）")},
    exports=(Export(_("意见征集二维码海报"), "voices_poster", "organization", "org_tree"),
             Export(_("联系点二维码海报"), "voices_point_poster", "contact point", "org_tree")),
    demo=demo.load,
    demo_bulk=bulk.fill,
    jobs={"import.opinions": importers.import_opinions, "voices.mine": mining_bridge.mine_job,
          "voices.train": mining_bridge.train_job},
    job_queues={"voices.mine": "heavy", "voices.train": "heavy"},
    tracking=tracking.steps,
    retention={"opinion_devices": retention.opinion_devices, "support_devices": retention.support_devices,
               "support_phones": retention.support_phones},
    todo=todo.for_user,
    record=record.facts,
    subscribes={"topic_assigned": receivers.tell_authors_topic_assigned,
                "case_moved": receivers.tell_people_case_moved,
                "heat_weights_changed": receivers.reheat_campaign_topics},
    permissions="dianti.voices.permissions",
))
