"""Kernel API: authentication for staff endpoints and the public aggregate stats."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router
from ninja.errors import HttpError
from ninja.security import HttpBearer, SessionAuth

from . import reads, stats
from .dbrouter import replica_reads_api
from .tokens import user_for_token


def _operation(request: HttpRequest) -> str:
    match = request.resolver_match
    return match.view_name if match is not None else ""


class TokenAuth(HttpBearer):
    """A script's bearer token; its user then passes the read rules of the operation (core/reads.py)."""

    def authenticate(self, request: HttpRequest, token: str) -> Any | None:
        user = user_for_token(token)
        if user is not None:
            request.user = user
            reads.ensure(user, _operation(request))
        return user


class ReadRuleSessionAuth(SessionAuth):
    """The browser session; its user then passes the read rules of the operation (core/reads.py)."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any | None:
        user = super().authenticate(request, key)
        if user is not None:
            reads.ensure(user, _operation(request))
        return user


#: Staff endpoints accept a bearer token (scripts) or the browser session, each checked against core/reads.py.
staff_auth = [TokenAuth(), ReadRuleSessionAuth()]

router = Router(tags=["stats"])


@router.get("/stats", auth=None, summary="某组织及其下级的汇总数据（仅计数，不含个人信息）")
@replica_reads_api
def subtree_stats(request: HttpRequest, org: str) -> dict[str, Any]:
    from .directory import directory

    found = directory().org_by_code(org)
    if found is None:
        raise HttpError(404, f"找不到组织编码“{org}”")
    path, name = found
    return {"org": org, "name": name, **stats.compute(path)}


@router.get("/rules", auth=None, summary="制度规则表：每项重要操作由哪一级办理（本级、上级、本人、系统），是否双人审核")
def rules_table(request: HttpRequest) -> list[dict[str, str]]:
    from . import rules

    return rules.table()
