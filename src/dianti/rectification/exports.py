"""The case list as an Excel workbook."""

from __future__ import annotations

from collections.abc import Iterable

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from dianti.core import excel

from .models import Case


def cases_xlsx(cases: Iterable[Case]) -> HttpResponse:
    headers = [_("文号"), _("发文单位"), _("组织"), _("书记"), _("述职活动"), _("状态"), _("是否逾期"), _("下发日期"),
               _("整改期限"), _("措施数"), _("销号日期"), _("用时（天）"), _("销号理由")]
    rows = []
    for c in cases:
        rows.append([c.number, c.issuer.display_name, c.subject.organization.name, c.subject.secretary_name,
                     c.campaign.title, c.get_state_display(), c.is_overdue, c.issued_on, c.deadline,
                     getattr(c, "n_measures", None), timezone.localdate(c.closed_at) if c.closed_at else None,
                     c.days_to_close, c.close_reason])
    return excel.xlsx_response(excel.workbook(headers, rows, title=_("整改台账")),
                               _("整改台账-%(d)s.xlsx") % {"d": timezone.localdate().isoformat()})
