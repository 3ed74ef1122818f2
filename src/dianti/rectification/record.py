"""整改's lines in a secretary's record (:mod:`dianti.campaigns.record`): the rectification each appraisal led to and
how it ended — closed (销号) and how long it took, carried over to a later year, still running (overdue or not) — or
that none was needed. A case not yet issued (a draft, or one withdrawn before issue) is the committee's draft, shown
to staff only. And the point staff's home block: the cases their points supervise."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _

from dianti.campaigns.models import Phase
from dianti.core.components import Audience, Fact, HomePanel
from dianti.core.reads import may_read
from dianti.core.scope import scope_for

from .models import Case, State
from .selectors import SUPERVISE_EVERY_DAYS, point_cases

_UNISSUED = (State.DRAFT, State.WITHDRAWN)
HOME_CASES = 10


def _ended(case: Case) -> tuple[str, str]:
    """Return (how the case stands or ended, its tone)."""
    if case.state == State.CLOSED:
        days = case.days_to_close
        return (_("已销号（用时 %(n)d 天）") % {"n": days} if days is not None else _("已销号")), "ok"
    if case.state == State.CARRIED_OVER:
        return _("转入 %(year)s 年度继续整改") % {"year": case.carried_to_year or "—"}, "warn"
    if case.is_overdue:
        return _("已逾期（期限 %(date)s）") % {"date": formats.date_format(case.deadline, "DATE_FORMAT")}, "bad"
    return _("%(state)s（期限 %(date)s）") % {"state": case.get_state_display(),
                                            "date": formats.date_format(case.deadline, "DATE_FORMAT")}, "warn"


def facts(subjects: list[Any], audience: str, viewer: Any) -> dict[int, list[Fact]]:
    cases: dict[int, list[Case]] = {}
    for case in Case.objects.filter(subject__in=[s.pk for s in subjects]).order_by("created_at", "id"):
        cases.setdefault(case.subject_id, []).append(case)
    readable = audience != Audience.PUBLIC and may_read(viewer, "rectification_case")
    out: dict[int, list[Fact]] = {}
    for s in subjects:
        listed = [c for c in cases.get(s.pk, []) if audience == Audience.STAFF or c.state not in _UNISSUED]
        if not listed:
            if s.campaign.phase in (Phase.RECTIFICATION, Phase.ARCHIVED):  # cases are opened before 整改
                out[s.pk] = [Fact("rectification", _("整改"), _("无需整改"), tone="ok")]
            continue
        lines = []
        for case in listed:
            value, tone = _ended(case)
            mine = audience == Audience.SELF or (audience == Audience.STAFF
                                                 and scope_for(viewer).can_view_path(case.org_path))
            url = reverse("rectification_case", args=[case.pk]) if readable and mine else ""
            lines.append(Fact("rectification", _("整改"), value, url=url, tone=tone, note=case.number))
        out[s.pk] = lines
    return out


def home(user: Any) -> list[HomePanel]:
    """Point staff: the running cases their points supervise, each with its last visit."""
    if "point_staff" not in scope_for(user).roles:
        return []
    cases = list(point_cases(user)[:HOME_CASES])
    return [HomePanel("rectification/_home_points.html", {"cases": cases, "every": SUPERVISE_EVERY_DAYS}, order=20)]
