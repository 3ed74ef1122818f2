"""Named permission checks for rectification cases. Services call them; views and the API rely on them.

The issuing committee's admins (and the admins above them) manage a case; the subject's secretary answers it;
staff of the points in its subtree supervise it. Nobody else touches it. Who may see a case is
:func:`~dianti.rectification.selectors.visible_cases` (a query); :func:`can_view_case` asks the same of one case.
A case the user cannot see answers as missing (404); one they see but may not act on is refused (403).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from dianti.core.scope import OutOfScope, scope_for
from dianti.orgs.models import Role, RoleGrant
from dianti.orgs.permissions import is_system

from .models import Case


def can_manage_case(user: Any, case: Case) -> bool:
    return is_system(user) or scope_for(user).can_manage_path(case.issuer_path)


def is_case_secretary(user: Any, case: Case) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    secretary = case.subject.secretary
    return secretary is not None and secretary.user_id == user.pk


def is_point_staff_over(user: Any, case: Case) -> bool:
    """Whether the user holds the point-staff role on an organization above (or at) the case's organization."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    paths = RoleGrant.objects.filter(user=user, role=Role.POINT_STAFF).values_list("organization__path", flat=True)
    return any(case.org_path.startswith(p) for p in paths)


def can_view_case(user: Any, case: Case) -> bool:
    return (is_system(user) or scope_for(user).can_manage_path(case.org_path) or is_case_secretary(user, case)
            or is_point_staff_over(user, case))


def can_supervise(user: Any, case: Case) -> bool:
    return is_system(user) or is_point_staff_over(user, case) or can_manage_case(user, case)


def ensure_can_view_case(user: Any, case: Case) -> None:
    if not can_view_case(user, case):
        raise OutOfScope(_("找不到该整改，或您无权查看"))


def ensure_can_manage_case(user: Any, case: Case) -> None:
    if not can_manage_case(user, case):
        ensure_can_view_case(user, case)
        raise PermissionDenied(_("只有下发整改通知单的党委（或其上级）的管理员可以办理该整改"))


def ensure_is_secretary(user: Any, case: Case) -> None:
    if not (is_system(user) or is_case_secretary(user, case)):
        ensure_can_view_case(user, case)
        raise PermissionDenied(_("只有该组织的书记本人可以作出整改承诺和报告进展"))


def ensure_can_supervise(user: Any, case: Case) -> None:
    if not can_supervise(user, case):
        ensure_can_view_case(user, case)
        raise PermissionDenied(_("只有本辖区民情直报点、观察点的工作人员或管理员可以填写督查记录"))


def can_open_cases(user: Any, campaign: Any) -> bool:
    """Whether the user may open cases from a campaign's results: an admin of its convener (or above)."""
    from dianti.campaigns.permissions import can_manage_campaign

    return can_manage_campaign(user, campaign)


def ensure_can_open_cases(user: Any, campaign: Any) -> None:
    if not can_open_cases(user, campaign):
        raise PermissionDenied(_("只有召集组织的管理员可以开立整改"))
