"""The public record of an organization's secretaries (履职档案, :mod:`dianti.campaigns.record`): no login, no name,
published lists and published results only."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from dianti.campaigns import record
from dianti.core.components import Audience
from dianti.core.dbrouter import replica_reads

from . import permissions


@replica_reads
def org_record(request: HttpRequest, code: str) -> HttpResponse:
    org = permissions.ensure_public_org(code)
    return render(request, "portal/record.html", {
        "org": org, "years": record.build(record.public_subjects(org), Audience.PUBLIC),
        "empty": _("该组织还没有公示的点题述职记录。")})
