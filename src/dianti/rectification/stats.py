"""Figures 整改 owns: cases open, overdue and closed, by the subtree of the committee that issued them (the
campaign's convener, where the rest of the year's funnel counts) and the year of the campaign that found the
problems."""

from __future__ import annotations

from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from dianti.core.figures import Drill, Figure, Grouping, Row

from .models import ACTIVE, Case, State
from .selectors import overdue_q

#: Issued and not yet closed or carried over (drafts are not yet rectifications).
OPEN = Q(state__in=[s for s in ACTIVE if s != State.DRAFT])
YEAR = F("campaign__year")


def rectifications_open(g: Grouping) -> list[Row]:
    return g.rows(Case.objects.filter(OPEN), "issuer_path", year=YEAR)


def rectifications_overdue(g: Grouping) -> list[Row]:
    """Open cases past their deadline (marked overdue, or still running with the deadline passed)."""
    return g.rows(Case.objects.filter(overdue_q()), "issuer_path", year=YEAR)


def rectifications_closed(g: Grouping) -> list[Row]:
    return g.rows(Case.objects.filter(state=State.CLOSED), "issuer_path", year=YEAR)


def _cases(**extra: str):  # type: ignore[no-untyped-def]
    return lambda code, year, bucket: {"org": code, "year": str(year), **extra}


FIGURES = (
    Figure("rectifications_open", _("整改中"), _("件"), rectifications_open,
           drill=Drill("rectification_list", _cases(state="active"))),
    Figure("rectifications_overdue", _("整改逾期"), _("件"), rectifications_overdue,
           drill=Drill("rectification_list", _cases(overdue="1"))),
    Figure("rectifications_closed", _("已销号"), _("件"), rectifications_closed,
           drill=Drill("rectification_list", _cases(state=State.CLOSED.value))),
)
