"""What became of an opinion: the steps a villager sees with their tracking code.

received → grouped into a topic → chosen as a secretary's topic → meeting → result → rectification. Every step of
the cycle adds its own lines (``tracking`` in its component; this step's are :func:`steps`) and, below them, a
panel of its own (``tracking_panel``).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from dianti.core.components import TrackingStep, components

from .models import AssignedTopic, MiningState, Opinion

Step = TrackingStep


def _received(op: Opinion) -> list[Step]:
    detail = _("%(org)s 已收到您的意见（%(channel)s）") % {"org": op.organization.name,
                                                           "channel": op.get_channel_display()}
    steps = [Step(_("已受理"), detail, True, op.created_at)]
    if op.status == Opinion.Status.HIDDEN:
        steps.append(Step(_("未公开"), _("经审核，这条意见不在公开页面显示。"), True))
    return steps


def _grouped(op: Opinion) -> list[Step]:
    if op.duplicate_of_id:
        return [Step(_("已归并"), _("与另一条相同的意见合并处理。"), True)]
    if op.topic is None:
        if _sorted_since(op):
            return [Step(_("归类"), _("已梳理：暂时没有其他人反映相同的问题，这条意见单独保留，工作人员都能看到；"
                                    "有人反映相近的问题时会归入同一话题。"), False)]
        return [Step(_("归类"), _("工作人员正在分类梳理。"), False)]
    detail = _("归入话题“%(title)s”，共 %(people)s 人反映") % {"title": op.topic.title, "people": op.topic.people}
    # When it joined its topic is not recorded; the topic's updated_at moves with every 我也关心 and heat recompute
    # (it read 12月8日 under a 点题 of 12月7日), so the date is the later of the opinion's and the topic's making.
    return [Step(_("已归类"), detail, True, max(op.created_at, op.topic.created_at))]


def _sorted_since(op: Opinion) -> bool:
    """Return True when the miner has looked at the opinion (a run or an assign after it came in) and placed it in
    no topic."""
    return MiningState.objects.filter(organization_id=op.organization_id, campaign_id=op.campaign_id,
                                      updated_at__gte=op.created_at).exists()


def _chosen(op: Opinion) -> list[Step]:
    if op.topic_id is None:
        return []
    assignment = (AssignedTopic.objects.filter(topic_id=op.topic_id).select_related("subject", "subject__campaign")
                  .first())
    if assignment is None:
        return [Step(_("点题"), _("尚未被确定为述职题目。"), False)]
    s = assignment.subject
    detail = _("成为%(org)s书记%(name)s的述职题目：“%(topic)s”") % {
        "org": s.organization.display_name, "name": s.secretary_name, "topic": s.topic}
    return [Step(_("已点题"), detail, True, assignment.assigned_at)]


def steps(opinion: Opinion) -> list[Step]:
    """This step's lines: received, grouped, chosen as a topic."""
    return _received(opinion) + _grouped(opinion) + _chosen(opinion)


def timeline(opinion: Opinion) -> list[Step]:
    """Every step's lines, in the order of the cycle."""
    return [step for c in components() if c.tracking is not None for step in c.tracking(opinion)]


def panels(opinion: Opinion) -> list[tuple[str, dict[str, Any]]]:
    """(template, context) of every step's panel that has something to show for the opinion."""
    shown = []
    for c in components():
        if c.tracking_panel is not None and (context := c.tracking_panel.context(opinion)) is not None:
            shown.append((c.tracking_panel.template, context))
    return shown
