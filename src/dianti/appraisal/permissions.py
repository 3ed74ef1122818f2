"""Named permission checks for 评议考核 (results, proposals, scoring schemes, the annual assessment). Services call
them; views and the API rely on them.

Who submits, publishes, withdraws or confirms is a rule of :mod:`dianti.core.rules` (services call ``rules.ensure``);
these checks answer the plainer questions: who uses the appraisal pages at all, who sees a subject's result, who
edits a scheme, which county's assessment the user can see. What lies outside the user's subtree answers as missing
(404); what they see but may not change is refused (403).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from dianti.campaigns.models import Subject
from dianti.core.scope import OutOfScope, scope_for
from dianti.orgs.models import Organization
from dianti.orgs.permissions import can_view_org, is_system

from .models import SubjectResult


def is_appraisal_staff(user: Any) -> bool:
    """Whether the user works with results at all: an admin or an approver (审批人)."""
    sc = scope_for(user)
    return sc.is_admin or sc.is_approver


def ensure_appraisal_staff(user: Any) -> None:
    if not is_appraisal_staff(user):
        raise PermissionDenied(_("只有管理员可以使用评议考核"))


def can_view_results_of(user: Any, subject: Subject) -> bool:
    """Whether the user sees the subject's result in full (with its explanation): the campaign is in their subtree."""
    return scope_for(user).can_view_path(subject.campaign.org_path)


def can_read_own_result(user: Any, subject: Subject, result: SubjectResult | None) -> bool:
    """Whether the subject's own secretary may read the result: once it is published, and only the figures."""
    own = subject.secretary is not None and subject.secretary.user_id == getattr(user, "pk", None)
    return own and result is not None and result.status == SubjectResult.Status.PUBLISHED


def can_edit_scheme(user: Any, organization: Organization | None) -> bool:
    """Schemes owned by an organization are edited by its admins; the shared default only by superusers."""
    if is_system(user):
        return True
    sc = scope_for(user)
    return sc.everything if organization is None else sc.can_manage_path(organization.path)


def ensure_can_edit_scheme(user: Any, organization: Organization | None, key: str) -> None:
    if not can_edit_scheme(user, organization):
        raise PermissionDenied(_("您无权修改评分方案“%(key)s”") % {"key": key})


def ensure_can_view_county(user: Any, county: Organization | None) -> Organization:
    """Return the county if the user may see its annual assessment; otherwise answer as if it did not exist."""
    if county is None or not can_view_org(user, county):
        raise OutOfScope(_("找不到该县的年度考核"))
    return county
