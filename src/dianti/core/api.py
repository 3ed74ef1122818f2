"""Kernel API: authentication for staff endpoints, the public aggregate stats and rules, and one's own account:
who one is, one's notifications, jobs, and (for admins) the audit log.

No ``from __future__ import annotations`` in API modules: django-ninja builds its parameter models from the
annotations, and a postponed one (``dt.date | None``) cannot be resolved in ninja's namespace."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.pagination import paginate
from ninja.security import HttpBearer, SessionAuth

from . import reads, selectors, stats
from .dbrouter import replica_reads_api
from .pagination import ApiPages, Mapped
from .tokens import TokenRefused, user_for_token


def _operation(request: HttpRequest) -> str:
    match = request.resolver_match
    return match.view_name if match is not None else ""


class TokenAuth(HttpBearer):
    """个人 API 令牌：在“账号安全 → API 令牌”页面创建，请求头写 ``Authorization: Bearer dt_…``。令牌以其账号当前的
    角色办事，受同样的查看规则（core/reads.py）和制度规则（core/rules.py）约束。"""

    def authenticate(self, request: HttpRequest, token: str) -> Any | None:
        try:
            user = user_for_token(token)
        except TokenRefused as exc:
            raise AuthenticationError(401, str(exc)) from None
        request.user = user
        reads.ensure(user, _operation(request))
        return user


class ReadRuleSessionAuth(SessionAuth):
    """浏览器登录会话（Cookie），与页面相同；写操作另需 X-CSRFToken 请求头。"""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any | None:
        user = super().authenticate(request, key)
        if user is not None:
            reads.ensure(user, _operation(request))
        return user


#: Staff endpoints accept a bearer token (scripts) or the browser session, each checked against core/reads.py.
staff_auth = [TokenAuth(), ReadRuleSessionAuth()]

#: Ids in paths and filters: the database's integers (a larger number finds nothing rather than overflowing).
ID_MAX = 2**63 - 1


def subtree_of(user: Any, code: str) -> str:
    """Return the materialized path of the organization ``code`` for a list's ``org`` filter: 404 unless the user
    may see it (like any out-of-scope id: no answer tells that it exists)."""
    from .directory import directory
    from .scope import scope_for

    found = directory().org_by_code(code)
    if found is None or not scope_for(user).can_view_path(found[0]):
        raise HttpError(404, _("找不到组织“%(code)s”，或您无权查看") % {"code": code})
    return found[0]


router = Router(tags=["kernel"])


def _stats_schema() -> type[Schema]:
    """The stats answer, one field per declared count (core/components.py), each described by its name there."""
    from pydantic import create_model


    counts: dict[str, Any] = {key: (int, Field(description=f"{name}：其下级（含本级）的计数"))
                               for key, name in stats.names().items()}
    return create_model("StatsOut", __base__=Schema, org=(str, Field(description="组织编码")),
                        name=(str, Field(description="组织名称")), **counts)


@router.get("/stats", auth=None, response=_stats_schema(), summary="某组织及其下级的汇总数据",
            description="公开接口，无需登录：组织编码 org 及其下级的基层组织数、人数和各环节的计数（仅计数，不含个人信息）。")
@replica_reads_api
def subtree_stats(request: HttpRequest,
                  org: str = Query(..., description="组织编码，如 330424（海盐县）", max_length=32)) -> dict[str, Any]:
    from .directory import directory

    found = directory().org_by_code(org)
    if found is None:
        raise HttpError(404, _("找不到组织编码“%(code)s”") % {"code": org})
    path, name = found
    return {"org": org, "name": name, **stats.compute(path)}


class RuleOut(Schema):
    action: str = Field(description="操作的代号，如 campaign.list_approve")
    label: str = Field(description="操作名称")
    level: str = Field(description="由哪一级办理：own 本级、above 上级、self 本人、system 系统")
    level_label: str = Field(description="办理层级的中文说明")
    body: str = Field(description="以哪个组织为准（“本级”“上级”从这里算起）")
    four_eyes: str = Field(description="双人审核：yes 提交人不能自己审批，no 不要求")


@router.get("/rules", auth=None, response=list[RuleOut], summary="制度规则表",
            description="公开接口：每项重要操作由哪一级办理（本级、上级、本人、系统），是否双人审核。与 docs/rules.md 同源。")
def rules_table(request: HttpRequest) -> list[dict[str, str]]:
    from . import rules

    return rules.table()


class GrantOut(Schema):
    role: str = Field(description="角色：county_admin 县级管理员、town_admin 镇级管理员、approver 审批人、secretary 书记、"
                                  "point_staff 直报点工作人员、evaluator 评议人")
    organization: str = Field(description="角色所在组织的编码")
    organization_name: str = Field(description="角色所在组织的名称")


class MeOut(Schema):
    username: str = Field(description="登录名")
    name: str = Field(description="姓名")
    superuser: bool = Field(description="是否超级用户")
    grants: list[GrantOut] = Field(description="本人的角色及所在组织（可见范围是这些组织及其下级）")
    unread_notifications: int = Field(description="未读通知数")


@router.get("/me", auth=staff_auth, response=MeOut, summary="当前账号", description="令牌或会话所代表的账号、角色和可见范围。")
def me(request: HttpRequest) -> dict[str, Any]:
    from .directory import directory

    user = request.user
    names = directory()
    grants = [{"role": role, "organization": "", "organization_name": names.org_name(path), "path": path}
              for role, path in names.grants(user)]
    codes = names.org_codes([g["path"] for g in grants])
    return {"username": user.get_username(), "name": user.get_full_name(), "superuser": user.is_superuser,
            "grants": [{**g, "organization": codes.get(g["path"], "")} for g in grants],
            "unread_notifications": selectors.unread_count(user)}


class NotificationOut(Schema):
    id: int = Field(description="通知编号")
    kind: str = Field(description="通知类型，如 topic_assigned（已点题）")
    title: str = Field(description="标题")
    body: str = Field(description="内容")
    url: str = Field(description="相关页面的链接（站内路径）")
    created_at: dt.datetime = Field(description="通知时间")
    read_at: dt.datetime | None = Field(description="已读时间；未读为 null")


def _notification(n: Any) -> dict[str, Any]:
    return {"id": n.pk, "kind": n.kind, "title": n.title, "body": n.body, "url": n.url, "created_at": n.created_at,
            "read_at": n.read_at}


@router.get("/notifications", auth=staff_auth, response=list[NotificationOut], summary="本人的通知",
            description="本人收到的站内通知，新的在前；unread=true 只列未读。")
@paginate(ApiPages)
def notification_list(request: HttpRequest,
                      unread: bool = Query(False, description="只列未读通知")) -> Mapped:
    rows = selectors.notifications_for(request.user)
    return Mapped(rows.filter(read_at__isnull=True) if unread else rows, _notification)


class ReadIn(Schema):
    ids: list[int] = Field(default=[], max_length=500,
                           description="要标为已读的通知编号；为空表示全部未读通知")


class CountOut(Schema):
    count: int = Field(description="本次处理的条数")


@router.post("/notifications/read", auth=staff_auth, response=CountOut, summary="把通知标为已读",
             description="与通知页面的“标为已读”相同；只处理本人的通知。")
def notifications_read(request: HttpRequest, body: ReadIn) -> dict[str, int]:
    from .services import notifications_mark_read

    return {"count": notifications_mark_read(user=request.user, ids=body.ids)}


class JobOut(Schema):
    id: int = Field(description="任务编号")
    kind: str = Field(description="任务类型，如 export.audit、import.orgs")
    title: str = Field(description="任务名称")
    status: str = Field(description="状态：queued 排队中、running 进行中、done 已完成、failed 失败")
    progress: int = Field(description="已处理条数")
    total: int = Field(description="总条数（未知时为 0）")
    message: str = Field(description="结果说明")
    file: str | None = Field(description="完成后可下载的文件的地址（登录后下载）；没有文件为 null")
    created_at: dt.datetime = Field(description="提交时间")
    finished_at: dt.datetime | None = Field(description="完成时间")


def job_out(j: Any) -> dict[str, Any]:
    """Map a background job for the API (its file, once done, is downloaded with the session at ``file``)."""
    from django.urls import reverse

    has_file = j.status == j.Status.DONE and bool(j.output_file)
    return {"id": j.pk, "kind": j.kind, "title": j.title, "status": j.status, "progress": j.progress,
            "total": j.total, "message": j.message, "file": reverse("job_file", args=[j.pk]) if has_file else None,
            "created_at": j.created_at, "finished_at": j.finished_at}


@router.get("/jobs", auth=staff_auth, response=list[JobOut], summary="本人提交的后台任务", description="导入、导出、批量生成文书等后台任务，新的在前。")
@paginate(ApiPages)
def job_list(request: HttpRequest) -> Mapped:
    return Mapped(selectors.jobs_of(request.user), job_out)


@router.get("/jobs/{job_id}", auth=staff_auth, response=JobOut, summary="后台任务的进度", description="只能查看本人提交的任务。")
def job_status(request: HttpRequest, job_id: int) -> dict[str, Any]:
    return job_out(selectors.job_get(request.user, job_id))


class AuditOut(Schema):
    id: int = Field(description="记录编号")
    at: dt.datetime = Field(description="时间")
    actor: str = Field(description="操作人")
    action: str = Field(description="操作代号，如 campaign.create、token.revoke")
    target_type: str = Field(description="对象类型")
    target_id: str = Field(description="对象编号")
    target: str = Field(description="对象")
    changes: dict[str, Any] = Field(description="变更：字段 → [原值, 新值]")
    note: str = Field(description="备注")


def _audit(e: Any) -> dict[str, Any]:
    return {"id": e.pk, "at": e.at, "actor": e.actor_name, "action": e.action, "target_type": e.target_type,
            "target_id": e.target_id, "target": e.target_repr, "changes": e.changes, "note": e.note}


@router.get("/audit", auth=staff_auth, response=list[AuditOut], summary="审计日志", description="本人管理范围内的操作记录，新的在前（仅管理员）。")
@paginate(ApiPages)
def audit_list(request: HttpRequest,
               q: str = Query("", description="按对象名称查找", max_length=100),
               action: str = Query("", description="操作代号", max_length=64),
               actor: str = Query("", description="操作人姓名（部分即可）", max_length=150),
               since: dt.date | None = Query(None, description="起始日期，如 2026-01-01"),
               until: dt.date | None = Query(None, description="截止日期（含）")) -> Mapped:
    f = selectors.AuditFilters(q=q.strip(), action=action.strip(), actor=actor.strip(), since=since, until=until)
    return Mapped(selectors.audit_events(request.user, f), _audit)


class OutboundOut(Schema):
    id: int = Field(description="外发消息编号")
    batch: str = Field(description="所属消息（同一次通知的各收件人、各渠道共用）")
    created_at: dt.datetime = Field(description="排队时间")
    channel: str = Field(description="渠道：log 站内记录、email、sms_aliyun、sms_tencent、wechat_mp、dingtalk、wecom")
    kind: str = Field(description="消息类型，如 deadline（截止提醒）、opinion_chosen（意见成为题目）")
    title: str = Field(description="标题")
    to_name: str = Field(description="收件人")
    to_address: str = Field(description="联系方式（手机号等，中间打码）")
    person_id: int | None = Field(description="收件人的人员编号；留了手机号的群众为 null")
    status: str = Field(description="状态：queued 排队中、sending 发送中、sent 已发送、delivered 已送达、failed 失败")
    attempts: int = Field(description="已尝试次数")
    next_attempt_at: dt.datetime | None = Field(description="排队中时，下次尝试的时间")
    provider_code: str = Field(description="服务商返回码，如 OK、isv.BUSINESS_LIMIT_CONTROL")
    reason: str = Field(description="失败或重试的原因（服务商的说明）")


def _outbound(m: Any) -> dict[str, Any]:
    return {"id": m.pk, "batch": m.batch, "created_at": m.created_at, "channel": m.channel, "kind": m.kind,
            "title": m.title, "to_name": m.to_name, "to_address": m.masked_address, "person_id": m.person_id,
            "status": m.status, "attempts": m.attempts, "next_attempt_at": m.next_attempt_at,
            "provider_code": m.provider_code, "reason": m.error}


@router.get("/outbound", auth=staff_auth, response=list[OutboundOut], summary="外发消息",
            description="本级及下级组织的短信、微信等外发消息及服务商答复，新的在前；可按状态、渠道、所属消息筛选。")
@paginate(ApiPages)
def outbound_list(request: HttpRequest, status: str = Query("", description="状态，如 failed"),
                  channel: str = Query("", description="渠道，如 sms_aliyun"),
                  batch: str = Query("", description="所属消息")) -> Mapped:
    return Mapped(selectors.outbound_for(request.user, status=status, channel=channel, batch=batch), _outbound)


@router.post("/outbound/{outbound_id}/resend", auth=staff_auth, response=OutboundOut, summary="重新发送外发消息",
             description="与外发消息页面的“重新发送”相同：只适用于发送失败的消息。")
def outbound_resend(request: HttpRequest, outbound_id: int) -> dict[str, Any]:
    from .services import outbound_resend as resend

    message = selectors.outbound_for(request.user).filter(pk=outbound_id).first()
    if message is None:
        raise HttpError(404, _("找不到该消息，或您无权查看"))
    return _outbound(resend(actor=request.user, message=message))
