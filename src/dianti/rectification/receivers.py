"""What the rectification step does when other steps tell it something (its component's ``subscribes``):
a confirmed 整改通知 proposal opens a draft case at once (the committee then writes the problems out and issues
the notice)."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from dianti.appraisal.models import ActionProposal

from . import drafts, services

log = logging.getLogger(__name__)
DEFAULT_DAYS = 90


def open_case_for_proposal(*, actor: Any, proposal_id: int, action: str, org_path: str) -> None:
    """Subscriber of ``proposal_confirmed`` (in the confirmation's transaction: the case opens with it, or neither)."""
    if action != ActionProposal.Action.RECTIFICATION:
        return
    proposal = ActionProposal.objects.select_related("subject", "campaign").get(pk=proposal_id)
    try:
        services.case_open(actor=actor, subject=proposal.subject, problems=[drafts.problem_from_proposal(proposal)],
                           proposal=proposal,
                           deadline=timezone.localdate() + dt.timedelta(days=DEFAULT_DAYS))
    except (ValidationError, PermissionDenied) as exc:  # a case is already open, or the campaign is archived
        log.info("no case opened for proposal %s: %s", proposal.pk, exc)
