"""Figures 整改 owns: cases open, overdue and closed, by the subtree of the committee that issued them (the
campaign's convener, where the rest of the year's funnel counts) and the year of the campaign that found the
problems."""

from __future__ import annotations

from django.db.models import Count, F, Q
from django.utils.translation import gettext_lazy as _

from dianti.core.figures import Drill, Figure, Source

from .models import ACTIVE, Case, State
from .selectors import overdue_q

#: Issued and not yet closed or carried over (drafts are not yet rectifications).
OPEN = Q(state__in=[s for s in ACTIVE if s != State.DRAFT])
#: Cases where they count: open, overdue and closed are counted together (one query).
CASES = Source("rectification.cases", Case.objects.all, "issuer_path", F("campaign__year"))


def open_n() -> Count:
    return Count("pk", filter=OPEN)


def overdue_n() -> Count:
    """Open cases past their deadline (marked overdue, or still running with the deadline passed): as of today."""
    return Count("pk", filter=overdue_q())


def closed_n() -> Count:
    return Count("pk", filter=Q(state=State.CLOSED))


def _cases(**extra: str):  # type: ignore[no-untyped-def]
    return lambda code, year, bucket: {"org": code, "year": str(year), **extra}


FIGURES = (
    Figure("rectifications_open", _("整改中"), _("件"), source=CASES, n=open_n,
           drill=Drill("rectification_list", _cases(state="active"))),
    Figure("rectifications_overdue", _("整改逾期"), _("件"), source=CASES, n=overdue_n,
           drill=Drill("rectification_list", _cases(overdue="1"))),
    Figure("rectifications_closed", _("已销号"), _("件"), source=CASES, n=closed_n,
           drill=Drill("rectification_list", _cases(state=State.CLOSED.value))),
)
