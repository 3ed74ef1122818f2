"""Signals other steps of the cycle listen to.

``proposal_confirmed`` is sent inside the transaction that confirms an :class:`~.models.ActionProposal`, with
``proposal`` and ``actor``: a receiver that writes (the rectification step opening a case for an action
``rectification``) commits or rolls back together with the confirmation. Nothing is sent for dismissals.
"""

from __future__ import annotations

from django.dispatch import Signal

proposal_confirmed = Signal()
