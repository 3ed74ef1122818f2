"""Named permission checks for the public portal. The public reads only what has been made public:

- a campaign whose list of subjects is published (公示) — :func:`is_published`;
- each result once it is published (``appraisal.public_reads.public_results``), a withdrawal said as such;
- a rectification once its notice is issued, and of it only its state, dates and progress
  (``rectification.selectors.public_cases``);
- the opinions moderation left visible, by their text alone (``voices.selectors.public_voices``), any phone or ID
  number typed into them hidden (``portal/templatetags/public.py``: ``redact``).

Nothing here needs a login, and nothing unpublished answers otherwise than "not published yet" (404).
"""

from __future__ import annotations

from django.http import Http404

from dianti.campaigns.models import Campaign
from dianti.orgs.models import Organization


def is_published(campaign: Campaign) -> bool:
    """Whether the public may read the campaign: its list of subjects has been approved and published."""
    return campaign.list_status == Campaign.ListStatus.PUBLISHED


def ensure_published(campaign: Campaign | None) -> Campaign:
    """Return ``campaign`` if the public may read it; otherwise answer 404, the same as for an id never used."""
    if campaign is None or not is_published(campaign):
        raise Http404("该名单尚未公示")
    return campaign


def ensure_public_org(code: str) -> Organization:
    """Return the active organization with ``code`` (its record lists only what was published); else 404."""
    org = Organization.objects.filter(code=code, is_active=True).select_related("parent", "secretary").first()
    if org is None:
        raise Http404("找不到该组织")
    return org
