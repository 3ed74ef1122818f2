"""Campaign endpoints for staff (党委点名): campaigns, their subjects and the chain roll-up, a secretary's own
subjects and an organization's responsibility list — always scoped. The writes are in :mod:`.api_writes`; :mod:`.routes` mounts both."""

from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import paginate

from dianti.core.api import staff_auth, subtree_of
from dianti.core.apidoc import choice_of, one_of
from dianti.core.pagination import ApiPages, Mapped
from dianti.orgs import selectors as org_selectors

from . import selectors
from .api_schemas import (
    CampaignDetailOut,
    CampaignOut,
    MySubjectOut,
    ResponsibilityOut,
    SubjectOut,
    campaign_out,
    responsibility_out,
    subject_out,
)
from .models import Campaign, Category, Phase, Subject

router = Router(tags=["campaigns"], auth=staff_auth)


@router.get("", response=list[CampaignOut], summary="述职活动",
            description="本人可见的述职活动（召集组织在本人组织及其下级），按年度从新到旧。")
@paginate(ApiPages)
def campaign_list(request: HttpRequest,
                  year: int | None = Query(None, description="年度，如 2026", ge=2000, le=2100),
                  phase: choice_of(Phase) | None = Query(None, description=one_of("阶段", Phase)),
                  list_status: choice_of(Campaign.ListStatus) | None = Query(
                      None, description=one_of("名单状态", Campaign.ListStatus)),
                  org: str = Query("", description="组织编码：只列该组织及其下级召集的活动", max_length=32),
                  q: str = Query("", description="活动名称或召集组织名称的一部分", max_length=100)) -> Mapped:
    f = selectors.CampaignFilters(year=year, phase=phase or "", list_status=list_status or "",
                                  within=subtree_of(request.user, org) if org else "", q=q.strip())
    return Mapped(selectors.campaign_rows(request.user, f), campaign_out)


@router.get("/mine", response=list[MySubjectOut], summary="本人的点题述职",
            description="本人作为书记被点名的述职对象（各年度），含题目、得分和整改状态。")
def my_subjects(request: HttpRequest) -> list[dict[str, object]]:
    return [{**subject_out(s), "campaign": s.campaign_id, "campaign_title": s.campaign.title,
             "year": s.campaign.year, "phase": s.campaign.phase} for s in selectors.my_subjects(request.user)]


@router.get("/responsibilities/{code}", response=list[ResponsibilityOut], summary="党建责任清单",
            description="一个组织的党建责任事项（点题时参考），按年度从新到旧。")
@paginate(ApiPages)
def responsibility_list(request: HttpRequest, code: str,
                        year: int | None = Query(None, description="只列该年度", ge=2000, le=2100)) -> Mapped:
    org = org_selectors.org_get(request.user, code)
    rows = selectors.responsibilities(org, year)
    return Mapped(rows.order_by("-year", "id"), lambda r: responsibility_out(r, org.code))


@router.get("/{campaign_id}", response=CampaignDetailOut, summary="述职活动详情",
            description="一项述职活动：全部述职对象与下级述职活动的汇总。")
def campaign_detail(request: HttpRequest, campaign_id: int) -> dict[str, object]:
    c = selectors.campaign_get(request.user, campaign_id)
    subjects = [subject_out(s) for s in selectors.subjects_of(c)]
    rows, _totals = selectors.rollup(c)
    rollup = [{"campaign": campaign_out(r.campaign, r.subjects), "subjects": r.subjects, "topics_set": r.topics_set,
               "reported": r.reported, "appraised": r.appraised, "rectification_open": r.rectification_open,
               "rectification_closed": r.rectification_closed} for r in rows]
    return {**campaign_out(c, len(subjects)), "subject_list": subjects, "rollup": rollup}


@router.get("/{campaign_id}/subjects", response=list[SubjectOut], summary="述职对象名单",
            description="一项述职活动的述职对象，按名单顺序；可按状态、类别和组织或书记筛选。")
@paginate(ApiPages)
def subject_list(request: HttpRequest, campaign_id: int,
                 status: choice_of(Subject.Status) | None = Query(None, description=one_of("状态", Subject.Status)),
                 category: choice_of(Category) | None = Query(None, description=one_of("点名类别", Category)),
                 q: str = Query("", description="组织名称、组织编码或书记姓名", max_length=100)) -> Mapped:
    c = selectors.campaign_get(request.user, campaign_id)
    return Mapped(selectors.subjects_filtered(c, status or "", category or "", q.strip()), subject_out)
