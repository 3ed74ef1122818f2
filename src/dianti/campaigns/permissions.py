"""Named permission checks for campaigns (党委点名 and the topic). Services call them; views and the API rely on them.

A campaign belongs to its convener's subtree: those who see that subtree see the campaign, its admins (or the
admins above) run it. Who approves the list or moves a phase back is a rule of :mod:`dianti.core.rules`. A campaign
outside the user's subtree answers as missing (404); one they see but may not run is refused (403).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

from dianti.core.scope import OutOfScope, scope_for
from dianti.orgs.permissions import can_manage_org

from .models import Campaign


def can_create_campaign(user: Any) -> bool:
    """Any admin may convene a campaign (of an organization in their manage scope, which the form offers)."""
    return scope_for(user).is_admin


def can_view_campaign(user: Any, campaign: Campaign) -> bool:
    return scope_for(user).can_view_path(campaign.org_path)


def can_manage_campaign(user: Any, campaign: Campaign) -> bool:
    """Whether the user runs the campaign: an admin of its convener (or above); the system too."""
    return can_manage_org(user, campaign.convener)


def ensure_can_create_campaign(user: Any) -> None:
    if not can_create_campaign(user):
        raise PermissionDenied("只有管理员可以发起述职活动")


def ensure_can_view_campaign(user: Any, campaign: Campaign | None) -> Campaign:
    """Return ``campaign`` if the user may see it; otherwise answer as if it did not exist."""
    if campaign is None or not can_view_campaign(user, campaign):
        raise OutOfScope("找不到该述职活动，或您无权查看")
    return campaign


def ensure_can_manage_campaign(user: Any, campaign: Campaign, refusal: str) -> None:
    """Refuse (403, with ``refusal``: what only the convener's admins may do) unless the user runs the campaign."""
    if not can_manage_campaign(user, campaign):
        raise PermissionDenied(refusal)
