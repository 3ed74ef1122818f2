"""Named permission checks for 群众点题 (opinions, topics, points). Services call them; views and the API rely on them.

Admins over an organization sort its opinions and topics; staff of a contact point (民情直报点, 观察点) relay
opinions for the organizations their point serves; the convener's admins choose a subject's topic. Something outside
the user's subtree answers as missing (404); something they see but may not change is refused (403).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from dianti.campaigns.models import Subject
from dianti.core.scope import OutOfScope, scope_for
from dianti.orgs.models import ContactPoint, Organization
from dianti.orgs.permissions import can_manage_org, ensure_can_manage

from .models import Topic


def relay_points(actor: Any) -> QuerySet[ContactPoint]:
    """Return the points ``actor`` staffs (as a person attached to them): the points they relay opinions through."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return ContactPoint.objects.none()
    return ContactPoint.objects.filter(staff__user=actor).select_related("organization").distinct()


def ensure_can_record(actor: Any, organization: Organization, point: ContactPoint | None) -> ContactPoint | None:
    """Return the point to file the opinion under, or refuse.

    Admins over the organization may record (through any point, or none). Point staff relay for the organizations
    their points serve — the point's organization and everything under it — and nothing outside them; when they
    name no point, the point of theirs that serves the organization is taken.
    """
    if can_manage_org(actor, organization):
        if point is not None and not organization.path.startswith(point.org_path):
            raise ValidationError({"point": f"“{point.name}”不服务于“{organization.name}”"})
        return point
    mine = relay_points(actor)
    serving = [p for p in mine if organization.path.startswith(p.org_path) and (point is None or p.pk == point.pk)]
    if serving:
        return serving[0]
    if mine:
        raise PermissionDenied(f"您所在的点位不服务于“{organization.name}”，不能为其录入意见")
    ensure_can_manage(actor, organization)
    return point


def can_view_topic(user: Any, topic: Topic) -> bool:
    return scope_for(user).can_view_path(topic.org_path)


def can_view_point(user: Any, point: ContactPoint) -> bool:
    return scope_for(user).can_view_path(point.org_path)


def can_view_subject(user: Any, subject: Subject) -> bool:
    """Whether the user sees a subject's topic workbench: the campaign is in their subtree."""
    return scope_for(user).can_view_path(subject.campaign.org_path)


def can_choose_topic(user: Any, subject: Subject) -> bool:
    """Whether the user decides a subject's topic (and mines its opinions): an admin of the campaign's body."""
    return scope_for(user).can_manage_path(subject.campaign.org_path)


def ensure_can_view_topic(user: Any, topic: Topic | None) -> Topic:
    if topic is None or not can_view_topic(user, topic):
        raise OutOfScope("找不到该话题，或您无权查看")
    return topic


def ensure_can_view_point(user: Any, point: ContactPoint | None) -> ContactPoint:
    if point is None or not can_view_point(user, point):
        raise OutOfScope(_("找不到该点位，或您无权查看"))
    return point


def ensure_can_view_subject(user: Any, subject: Subject | None) -> Subject:
    if subject is None or not can_view_subject(user, subject):
        raise OutOfScope(_("找不到该述职对象，或您无权查看"))
    return subject


def ensure_can_choose_topic(user: Any, subject: Subject | None) -> Subject:
    subject = ensure_can_view_subject(user, subject)
    if not can_choose_topic(user, subject):
        raise PermissionDenied("只有召集组织的管理员可以为述职对象点题")
    return subject
