"""Excel export of the audit log."""

from __future__ import annotations

import json
from collections.abc import Iterable

from django.http import HttpResponse
from django.utils import timezone

from .excel import workbook, xlsx_response
from .models import AuditEvent


def audit_xlsx(events: Iterable[AuditEvent]) -> HttpResponse:
    rows = ((timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"), e.actor_name, e.action, e.target_repr,
             json.dumps(e.changes, ensure_ascii=False), e.note) for e in events)
    return xlsx_response(workbook(("时间", "操作人", "操作", "对象", "变更", "备注"), rows, "审计日志"), "审计日志.xlsx")
