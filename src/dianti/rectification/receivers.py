"""Listen to the appraisal step: a confirmed 整改通知 proposal opens a draft case at once (the committee then
writes the problems out and issues the notice)."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

log = logging.getLogger(__name__)
DEFAULT_DAYS = 90


def open_case_for_proposal(sender: Any, proposal: Any, actor: Any = None, **kwargs: Any) -> None:
    from dianti.appraisal.models import ActionProposal

    from . import drafts, services

    if proposal.action != ActionProposal.Action.RECTIFICATION:
        return
    try:
        services.case_open(actor=actor, subject=proposal.subject, problems=[drafts.problem_from_proposal(proposal)],
                           proposal=proposal,
                           deadline=timezone.localdate() + dt.timedelta(days=DEFAULT_DAYS))
    except (ValidationError, PermissionDenied) as exc:  # a case is already open, or the campaign is archived
        log.info("no case opened for proposal %s: %s", proposal.pk, exc)


def connect() -> None:
    try:
        from dianti.appraisal.signals import proposal_confirmed
    except ImportError:  # the appraisal step does not send it (yet): cases are opened from the campaign page
        return
    proposal_confirmed.connect(open_case_for_proposal, dispatch_uid="rectification.open_case_for_proposal")
