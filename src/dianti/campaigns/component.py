"""党委点名: campaigns, their phases and the list of secretaries who must report."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from dianti.core.components import Component, Export, NavEntry, register
from dianti.core.events import ON_COMMIT, Event

from . import bulk, demo, heat, importers, record, reminders, stats, todo


def _reports(user: Any, sc: Any) -> bool:
    """Secretaries, and anyone who is the secretary of some subject (a town admin who is also a town secretary)."""
    from .models import Subject

    return "secretary" in sc.roles or Subject.objects.filter(secretary__user=user).exists()


register(Component(
    label="campaigns", name=_("党委点名"), order=20,
    urls="dianti.campaigns.urls", prefix="campaigns/",
    api="dianti.campaigns.routes.router", api_prefix="/campaigns",
    nav=(NavEntry(_("述职活动"), "campaign_list", lambda user, sc: sc.is_admin, 10),
         NavEntry(_("我的述职"), "my_campaigns", _reports, 30)),
    figures=stats.FIGURES,
    stat_labels={"campaigns": _("述职活动（项）"), "subjects": _("点名书记（人）")},
    exports=(Export(_("述职活动一览"), "campaigns_export"), Export(_("述职对象名单"), "subjects_export", "campaign", "campaign_list")),
    demo=demo.load,
    demo_bulk=bulk.fill,
    jobs={"import.responsibilities": importers.import_responsibilities, heat.REHEAT_JOB: heat.reheat_job},
    daily={"deadline_reminders": reminders.deadline_reminders},
    todo=todo.for_user,
    record=record.facts,
    home=record.home,
    publishes=(Event("topic_assigned", ON_COMMIT, ("subject_id", "topic", "org_path"), "述职题目已确定",
                     "题目写定后才告诉别人：回滚的点题不通知任何人"),
               Event("heat_weights_changed", ON_COMMIT, ("campaign_id", "org_path"), "呼声热度权重已修改",
                     "权重保存后才重算话题热度：重算失败不撤销县里的设置，可重试")),
    permissions="dianti.campaigns.permissions",
))
