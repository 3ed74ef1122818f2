"""Organization endpoints: the tree, search, one organization with its members, roles and points, and the people
register — for staff (bearer token or session), always scoped like the pages; and the spreadsheet import."""

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, File, Query, Router, Schema, UploadedFile
from ninja.errors import HttpError
from ninja.pagination import paginate

from dianti.core.api import JobOut, job_out, staff_auth
from dianti.core.apidoc import one_of
from dianti.core.pagination import ApiPages, Mapped

from . import channels, importers, selectors
from .models import ContactPoint, Membership, Organization, Person, PersonChannel, Position, Role, mask_phone
from .permissions import can_see_full_phone

router = Router(tags=["organizations"], auth=staff_auth)


class OrgOut(Schema):
    code: str = Field(description="组织编码（全国党组织编码或本地编码）")
    name: str = Field(description="组织全称")
    short_name: str = Field(description="简称，如“通元镇”")
    kind: str = Field(description=one_of("组织类别", Organization.Kind))
    level: str = Field(description=one_of("层级", Organization.Level))
    field: str = Field(description=one_of("领域", Organization.Field))
    parent: str | None = Field(description="上级组织的编码；顶级组织为 null")
    depth: int = Field(description="在组织树中的深度（顶级为 1）")


class TreeNodeOut(OrgOut):
    grassroots: int = Field(description="其下级（含本级）的基层党组织数")
    has_children: bool = Field(description="是否有下级组织")


class SecretaryOut(Schema):
    name: str = Field(description="书记姓名")
    phone: str = Field(description="手机号；只有该组织的管理员看到完整号码，其他人看到 138****5678")


class RoleOut(Schema):
    user: str = Field(description="账号的姓名（或登录名）")
    role: str = Field(description=one_of("角色", Role))
    role_label: str = Field(description="角色名称")


class PointOut(Schema):
    id: int = Field(description="直报点编号")
    kind: str = Field(description=one_of("类型", ContactPoint.Kind))
    name: str = Field(description="名称")
    place: str = Field(description="地点")


class OrgDetailOut(OrgOut):
    secretary: SecretaryOut | None = Field(description="书记；未设书记为 null")
    children: list[TreeNodeOut] = Field(description="直属下级组织")
    roles: list[RoleOut] = Field(description="在本组织上授予的平台角色")
    points: list[PointOut] = Field(description="本组织的民情直报点与观察点")


class PersonOut(Schema):
    id: int = Field(description="人员编号")
    name: str = Field(description="姓名")
    gender: str = Field(description="性别：M 男、F 女，未填为空")
    phone: str = Field(description="手机号；只有其组织的管理员看到完整号码，其他人看到 138****5678")
    party_member: bool = Field(description="是否党员")
    organization: str = Field(description="所属组织编码")
    organization_name: str = Field(description="所属组织名称")


class MembershipOut(Schema):
    organization: str = Field(description="组织编码")
    organization_name: str = Field(description="组织名称")
    position: str = Field(description=one_of("职务", Position))
    position_label: str = Field(description="职务名称")
    since: dt.date | None = Field(description="任职时间；未填为 null")


class MemberOut(Schema):
    person: PersonOut = Field(description="人员")
    position: str = Field(description=one_of("在本组织的职务", Position))
    position_label: str = Field(description="职务名称")


class PersonDetailOut(PersonOut):
    memberships: list[MembershipOut] = Field(description="在您可见的组织中的任职")


def _org(o: Organization) -> dict[str, object]:
    return {"code": o.code, "name": o.name, "short_name": o.short_name, "kind": o.kind, "level": o.level,
            "field": o.field, "parent": o.parent.code if o.parent_id and o.parent else None, "depth": o.depth}


def _org_get(request: HttpRequest, code: str) -> Organization:
    """Return the organization if the user may see it; else 404 with the selector's Chinese reason (ninja's own
    404 would answer a bare "Not Found")."""
    try:
        return selectors.org_get(request.user, code)
    except Http404 as exc:
        raise HttpError(404, str(exc)) from None


def _nodes(request: HttpRequest, org: Organization) -> list[dict[str, object]]:
    return [{**_org(n.org), "parent": org.code, "grassroots": n.grassroots, "has_children": n.has_children}
            for n in selectors.tree_children(request.user, org)]


def _person(user: Any, p: Person, org: Organization | None = None) -> dict[str, object]:
    """Map a person; ``org`` is their organization when the caller has it (a members page), saving a query."""
    phone = p.phone if can_see_full_phone(user, p) else mask_phone(p.phone)
    org = org or p.organization
    return {"id": p.pk, "name": p.name, "gender": p.gender, "phone": phone, "party_member": p.is_party_member,
            "organization": org.code, "organization_name": org.name}


def _membership(m: Membership) -> dict[str, object]:
    return {"organization": m.organization.code, "organization_name": m.organization.name, "position": m.position,
            "position_label": m.get_position_display(), "since": m.since}


@router.get("/tree", response=list[TreeNodeOut], summary="组织树",
            description="root 的直属下级组织；不填 root 则为本人可见的顶级组织（本人角色所在的组织）。")
def tree(request: HttpRequest,
         root: str | None = Query(None, description="上级组织编码", max_length=32)) -> list[dict[str, object]]:
    if root:
        return _nodes(request, _org_get(request, root))
    return [{**_org(o), "grassroots": 0, "has_children": o.child_counter > 0} for o in selectors.top_orgs(request.user)]


@router.get("/search", response=list[OrgOut], summary="搜索组织", description="按名称、简称或编码查找本人可见的组织。")
@paginate(ApiPages)
def search(request: HttpRequest, q: str = Query(..., description="名称、简称或编码的一部分", max_length=100)) -> Mapped:
    return Mapped(selectors.org_search_rows(request.user, q), _org)


@router.get("/people", response=list[PersonOut], summary="人员名册",
            description="本人管理范围内的人员（仅管理员）；可按组织（含下级）和姓名或手机号后四位查找。")
@paginate(ApiPages)
def people(request: HttpRequest,
           org: str = Query("", description="组织编码：只列该组织及其下级的人员", max_length=32),
           q: str = Query("", description="姓名的一部分，或手机号后四位", max_length=50)) -> Mapped:
    within = _org_get(request, org) if org else None
    return Mapped(selectors.people_search(request.user, q, within), lambda p: _person(request.user, p))


@router.get("/people/{person_id}", response=PersonDetailOut, summary="人员详情", description="一位人员及其任职。")
def person(request: HttpRequest, person_id: int) -> dict[str, object]:
    p = selectors.person_get(request.user, person_id)
    return {**_person(request.user, p),
            "memberships": [_membership(m) for m in selectors.person_memberships(request.user, p)]}


@router.post("/import/{kind}", response=JobOut, summary="导入组织或人员",
             description="上传按模板填写的 .xlsx 或 .csv（kind：orgs 组织、people 人员），在后台导入；返回任务，"
                         "用 GET /api/v1/jobs/{id} 查看进度和结果。要么全部成功，要么一条也不写入。")
def import_file(request: HttpRequest, kind: str,
                file: UploadedFile = File(..., description="要导入的文件（.xlsx 或 .csv，至多 20 MB）")) -> dict[str, object]:
    return job_out(importers.import_submit(actor=request.user, kind=kind, upload=file))


@router.get("/{code}", response=OrgDetailOut, summary="组织详情", description="一个组织：书记、直属下级、平台角色和直报点。")
def detail(request: HttpRequest, code: str) -> dict[str, object]:
    org = _org_get(request, code)
    sec = org.secretary
    secretary = None
    if sec is not None:
        secretary = {"name": sec.name, "phone": sec.phone if can_see_full_phone(request.user, sec) else mask_phone(sec.phone)}
    roles = [{"user": g.user.get_full_name() or g.user.get_username(), "role": g.role,
              "role_label": g.get_role_display()} for g in selectors.org_roles(org)]
    points = [{"id": p.pk, "kind": p.kind, "name": p.name, "place": p.place} for p in org.points.all()]
    return {**_org(org), "secretary": secretary, "children": _nodes(request, org), "roles": roles, "points": points}


@router.get("/{code}/members", response=list[MemberOut], summary="组织的成员", description="按职务排序（书记、副书记、委员、党员……）。")
@paginate(ApiPages)
def members(request: HttpRequest, code: str) -> Mapped:
    org = _org_get(request, code)
    return Mapped(selectors.org_members(org), lambda m: {
        "person": _person(request.user, m.person, org), "position": m.position,
        "position_label": m.get_position_display()})


class ChannelOut(Schema):
    medium: str = Field(description=one_of("渠道", PersonChannel.Medium))
    address: str = Field(description="联系方式（中间打码）")
    verified: bool = Field(description="是否已核实（未核实的不发送）")
    opted_out: bool = Field(description="本人是否已退订（退订的不发送）")


def _channel(c: PersonChannel) -> dict[str, object]:
    return {"medium": c.medium, "address": c.masked_address, "verified": c.verified_at is not None,
            "opted_out": c.opted_out_at is not None}


class ChannelIn(Schema):
    medium: str = Field(description=one_of("渠道", PersonChannel.Medium))
    address: str = Field(description="手机号、openid、钉钉或企业微信的用户 ID、电子邮件地址", max_length=200)
    verified: bool = Field(False, description="已与本人核实")


class ChannelActIn(Schema):
    medium: str = Field(description=one_of("渠道", PersonChannel.Medium))
    action: str = Field(description="verify 核实、opt_out 退订、opt_in 恢复接收")


@router.get("/people/{person_id}/channels", response=list[ChannelOut], summary="人员的通知渠道",
            description="一位人员登记的短信、微信、钉钉、企业微信、电子邮件联系方式及其核实、退订状态。")
def person_channels(request: HttpRequest, person_id: int) -> list[dict[str, object]]:
    return [_channel(c) for c in channels.channels_of(selectors.person_get(request.user, person_id))]


@router.post("/people/{person_id}/channels", response=list[ChannelOut], summary="登记或办理通知渠道",
             description="与人员页面“通知渠道”相同：带 address 为登记（更改后需重新核实），带 action 为核实、退订或恢复。")
def person_channel_act(request: HttpRequest, person_id: int, body: ChannelIn | ChannelActIn) -> list[dict[str, object]]:
    person = selectors.person_get(request.user, person_id)
    if isinstance(body, ChannelIn):
        channels.person_channel_set(actor=request.user, person=person, medium=body.medium, address=body.address,
                                    verified=body.verified)
    else:
        channel = person.channels.filter(medium=body.medium).first()
        if channel is None:
            raise HttpError(404, "该人员没有登记这个渠道")
        if body.action == "verify":
            channels.person_channel_verify(actor=request.user, channel=channel)
        elif body.action in ("opt_out", "opt_in"):
            channels.person_channel_opt(actor=request.user, channel=channel, opted_out=body.action == "opt_out")
        else:
            raise HttpError(400, "action 只能是 verify、opt_out 或 opt_in")
    return [_channel(c) for c in channels.channels_of(person)]
