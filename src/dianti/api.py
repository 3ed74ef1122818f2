"""The HTTP API under /api/v1/ (django-ninja; OpenAPI at /api/v1/openapi.json, described in docs/api.md). Each step
of the cycle adds its router through its component."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Swagger
from ninja.errors import HttpError
from ninja.errors import ValidationError as RequestInvalid
from ninja.renderers import JSONRenderer

from dianti.core import apierrors
from dianti.core.api import router as core_router
from dianti.core.api import staff_auth
from dianti.core.components import components
from dianti.core.http import error_messages
from dianti.core.imports import ImportRefused

DESCRIPTION = """点题述职平台的数据接口：组织、人员、述职活动与述职对象、群众意见与话题、述职会、评议结果与考核、整改，
以及本人的通知和后台任务。页面能看的都能读，工作人员在页面上办理的事都能通过接口办理——走与页面相同的服务和规则，
只看得到本人组织及其下级的数据；测评票只有汇总，永远不能把评议人或评议码与分数对应起来。

**认证**：在“账号安全 → API 令牌”页面创建个人令牌（只显示一次），请求头写 `Authorization: Bearer dt_…`；
也可用浏览器的登录会话（写操作另需 `X-CSRFToken`）。

**列表**：`?limit=`（默认 50，最多 200）和 `?offset=` 翻页，返回 `{"items": […], "count": N, "count_capped": false}`；
超过 10,000 条时 count 为 10001、count_capped 为 true。

**出错**：一律返回 `{"detail": "原因", "errors": ["逐项问题"]}`，按用户语言书写（Accept-Language，默认简体中文）：
400 请求体不是 JSON，401 未登录或令牌无效，403 角色或制度规则不允许（detail 写明谁可以办理），404 不存在或不在您的
查看范围内，409 当前状态不能这样做，422 参数或内容不符合要求。详见 docs/api.md。"""

#: What each group of operations is about (the routers' tags).
TAGS = [
    {"name": "kernel", "description": "公共数据（汇总计数、制度规则表）和本人账号：当前账号、通知、后台任务、审计日志"},
    {"name": "organizations", "description": "组织树、组织、人员与直报点（党委点名的基础）"},
    {"name": "campaigns", "description": "党委点名：述职活动、阶段、述职对象名单及其审批、党建责任清单"},
    {"name": "voices", "description": "群众点题：意见的登记与整理、话题的梳理与点题"},
    {"name": "meetings", "description": "述职会：日程、议程、现场进程、提问、测评进度与汇总"},
    {"name": "appraisal", "description": "评议考核：评分方案、评议结果及其审核公示、处置建议、年度综合考核"},
    {"name": "rectification", "description": "整改：整改通知、三责联诺、进度、督查、销号"},
]

#: What each path parameter is, by its name (one vocabulary across the API); an operation whose verb is a path
#: parameter (``action``, ``name``, ``decision``) lists the verbs in its own description.
PATH_PARAMETERS = {
    "code": "组织编码", "campaign_id": "述职活动编号", "subject_id": "述职对象编号", "meeting_id": "述职会编号",
    "item_id": "议程项编号", "question_id": "现场提问编号", "opinion_id": "意见编号", "topic_id": "话题编号",
    "proposal_id": "处置建议编号", "case_id": "整改编号", "measure_id": "整改措施编号", "person_id": "人员编号",
    "job_id": "后台任务编号", "outbound_id": "外发消息编号", "key": "评分方案编号", "year": "年度", "kind": "导入类型：orgs 组织、people 人员",
    "action": "操作（可用的取值见本接口的说明）", "name": "操作（可用的取值见本接口的说明）",
    "decision": "处理决定（可用的取值见本接口的说明）",
}

SUCCESS = {"200": "成功", "201": "已创建", "204": "已办理，没有返回内容"}
ERROR_STATUSES = {
    "400": "请求体不是有效的 JSON，或地址中含有无效字符（如 NUL）",
    "401": "未登录，或 API 令牌无效、过期、已撤销",
    "403": "您的角色无权查看，或制度规则不允许您办理（detail 写明由谁办理）",
    "404": "不存在，或不在您的查看范围内",
    "422": "参数或请求体不符合要求（errors 逐项说明）",
}


class ReadableJSON(JSONRenderer):
    """JSON with Chinese as Chinese (UTF-8), not as \\u escapes: what a person reads in a terminal or a log."""

    json_dumps_params = {"ensure_ascii": False}


class DiantiAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: Any = None) -> Any:
        """Return django-ninja's schema with the API's description, its tags, and the error answers each
        operation may give (one ``Error`` shape; an operation that answers 409 declares it itself)."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema["info"]["description"] = DESCRIPTION
        schema["tags"] = TAGS
        schemas = schema.setdefault("components", {}).setdefault("schemas", {})
        schemas["Error"] = apierrors.ErrorOut.model_json_schema()
        ref = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        for auth in staff_auth:  # how to sign in, from each authentication's own docstring
            scheme = schema["components"].get("securitySchemes", {}).get(type(auth).__name__)
            if scheme is not None:
                scheme["description"] = " ".join((type(auth).__doc__ or "").split())
        for name, component in schemas.items():
            if name.startswith("Paged") and "items" in component.get("properties", {}):
                component["properties"]["items"]["description"] = "本页的条目"
        for operations in schema["paths"].values():
            for operation in operations.values():
                for parameter in operation.get("parameters", []):
                    if parameter["in"] == "path" and parameter["name"] in PATH_PARAMETERS:
                        parameter.setdefault("description", PATH_PARAMETERS[parameter["name"]])
                answers = operation.setdefault("responses", {})
                for code, answer in answers.items():
                    if str(code) in SUCCESS and answer.get("description") in ("OK", "Created", "No Content", ""):
                        answer["description"] = SUCCESS[str(code)]
                has_input = bool(operation.get("parameters")) or "requestBody" in operation
                codes = ["400", "404", "422"] if has_input else []
                if operation.get("security"):
                    codes += ["401", "403"]
                for code in codes:
                    answers.setdefault(code, {"description": ERROR_STATUSES[code], **ref})
        return schema


# Swagger UI from the files django-ninja ships ("ninja" is an installed app), never from a public CDN: a county's
# network may not reach one, and a page that loads script from elsewhere runs whatever that host serves. No
# validator badge either (it would send the schema to validator.swagger.io).
api = DiantiAPI(title="点题述职 API", version="1", urls_namespace="api", renderer=ReadableJSON(),
                docs=Swagger(settings={"validatorUrl": None}))
api.add_router("", core_router)
for component in components():  # each step's router, declared by its component (core/components.py)
    if component.api is not None:
        api.add_router(component.api_prefix, import_string(component.api))


def _error(request: HttpRequest, status: int, detail: str, errors: list[str] | None = None) -> HttpResponse:
    return api.create_response(request, {"detail": detail, "errors": errors or []}, status=status)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    """Every API 404 answers with the selector's own reason, in the user's language."""
    return _error(request, 404, str(exc) or _("找不到"))


@api.exception_handler(PermissionDenied)
def refused(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    """A rule of core/rules.py refused: 403 with the sentence that names who may. (Out of scope is not this: an
    OutOfScope is an Http404 first, answered above like a missing id.)"""
    return _error(request, 403, str(exc) or _("您无权办理"))


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """A service refused the input or the state: 422 with every message, in the user's language."""
    messages = error_messages(exc)
    return _error(request, 422, "；".join(messages), messages)


@api.exception_handler(RequestInvalid)
def request_invalid(request: HttpRequest, exc: RequestInvalid) -> HttpResponse:
    """A parameter or the body does not match the operation's schema: 422, each problem named in a sentence."""
    messages = apierrors.validation_messages(exc.errors)
    return _error(request, 422, "；".join(messages) or _("请求不符合要求"), messages)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """An error the operation raised with its own status (401 from authentication, 409 for a state)."""
    return _error(request, exc.status_code, apierrors.http_error_message(exc.status_code, str(exc)))


@api.exception_handler(ImportRefused)
def import_refused(request: HttpRequest, exc: ImportRefused) -> HttpResponse:
    """An upload that cannot even start (no file, wrong type, too big, not an admin): 422 with the reason."""
    return _error(request, 422, str(exc), [str(exc)])


@api.exception_handler(DataError)
def data_error(request: HttpRequest, exc: DataError) -> HttpResponse:
    """A value the database cannot take or compare (PostgreSQL refuses a NUL character in any text): 422."""
    return _error(request, 422, _("请求中有数据库无法处理的值（如 NUL 字符），请检查后重试"))


@api.exception_handler(OverflowError)
def out_of_range(request: HttpRequest, exc: OverflowError) -> HttpResponse:
    """A number past what the database holds (SQLite: 64 bits) finds nothing: 404, not a server error."""
    return _error(request, 404, _("找不到：编号超出范围"))
