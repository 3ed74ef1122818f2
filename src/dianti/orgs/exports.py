"""Excel exports of organization and people lists (always already scoped by the caller's selector)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import HttpResponse

from dianti.core.dbrouter import replica_reads
from dianti.core.excel import workbook, xlsx_response
from dianti.core.exports import save_output
from dianti.core.jobs import Progress
from dianti.core.models import Job
from dianti.core.scope import scope_for

from .models import Organization, Person, mask_phone

ORG_HEADERS = ("组织编码", "组织名称", "简称", "上级组织编码", "组织类别", "层级", "领域", "书记")


def orgs_workbook(orgs: Iterable[Organization]) -> bytes:
    qs = orgs.select_related("parent", "secretary") if hasattr(orgs, "select_related") else orgs
    if hasattr(qs, "iterator"):
        qs = qs.iterator(chunk_size=2000)
    rows = ((o.code, o.name, o.short_name, o.parent.code if o.parent else "", o.get_kind_display(),
             o.get_level_display(), o.get_field_display(), o.secretary.name if o.secretary else "") for o in qs)
    return workbook(ORG_HEADERS, rows, "组织")


def orgs_xlsx(orgs: Iterable[Organization]) -> HttpResponse:
    return xlsx_response(orgs_workbook(orgs), "组织列表.xlsx")


@replica_reads
def orgs_job(job: Job, progress: Progress) -> dict[str, Any]:
    """The roster as a background job (more rows than a request should make): the requester's scope, the same
    search."""
    from .selectors import org_matches

    progress(0, job.params.get("rows", 0))
    orgs = org_matches(job.created_by, job.params.get("q", "")).order_by("depth", "path")
    return save_output(job, orgs_workbook(orgs), "组织列表.xlsx")


def people_xlsx(user: Any, people: Iterable[Person]) -> HttpResponse:
    sc = scope_for(user)
    rows = ((p.name, p.get_gender_display(), p.phone if sc.can_manage_path(p.org_path) else mask_phone(p.phone),
             p.is_party_member, p.organization.code, p.organization.name) for p in people)
    return xlsx_response(workbook(("姓名", "性别", "手机号", "是否党员", "所属组织编码", "所属组织"), rows, "人员"),
                         "人员列表.xlsx")
