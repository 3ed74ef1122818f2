"""Named permission checks for meetings (述职会). Services call them; views and the API rely on them.

The convener's subtree sees a meeting; the convener's admins (or the admins above) run it; a subject's secretary
uploads their own report. The ballot pages need no check here: the code on the slip is the key (see
``docs/ballot-secrecy.md``). A meeting outside the user's subtree answers as missing (404); one they see but may
not run is refused (403).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

from dianti.core.scope import OutOfScope, scope_for
from dianti.orgs.permissions import can_manage_org, is_system

from .models import AgendaItem, Meeting


def can_view_meeting(user: Any, meeting: Meeting) -> bool:
    return scope_for(user).can_view_path(meeting.org_path)


def can_manage_meeting(user: Any, meeting: Meeting) -> bool:
    """Whether the user runs the meeting: an admin of the campaign's convener (or above); the system too."""
    return can_manage_org(user, meeting.campaign.convener)


def is_item_secretary(user: Any, item: AgendaItem) -> bool:
    """Whether the user is the secretary who reports at this agenda item."""
    secretary = item.subject.secretary
    return secretary is not None and user is not None and secretary.user_id == getattr(user, "pk", None)


def can_upload_report(user: Any, item: AgendaItem) -> bool:
    return (is_system(user) or is_item_secretary(user, item)
            or scope_for(user).can_manage_path(item.meeting.org_path))


def ensure_can_view_meeting(user: Any, meeting: Meeting | None) -> Meeting:
    """Return ``meeting`` if the user may see it; otherwise answer as if it did not exist."""
    if meeting is None or not can_view_meeting(user, meeting):
        raise OutOfScope("找不到该述职会，或您无权查看")
    return meeting


def ensure_can_manage_meeting(user: Any, meeting: Meeting) -> None:
    if not can_manage_meeting(user, meeting):
        raise PermissionDenied("只有召集组织的管理员可以操作述职会")


def ensure_can_upload_report(user: Any, item: AgendaItem) -> None:
    if can_upload_report(user, item):
        return
    ensure_can_view_meeting(user, item.meeting)
    raise PermissionDenied("只有述职书记本人或召集组织的管理员可以上传述职报告")
