"""What the API answers when a request cannot be served: one shape for every error, ``{"detail": "…", "errors":
["…"]}``, in the user's language, and never a server error for a bad id, filter or body.

django-ninja's own answers (pydantic's validation messages, "Unauthorized", "Cannot parse request body") are in
English and name pydantic's internals; :func:`validation_messages` and :func:`http_error_message` say the same in
the interface language and name the parameter the way the operation's description does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext as _
from ninja import Field, Schema


class ErrorOut(Schema):
    """An error answer (every 4xx)."""

    detail: str = Field(description="出错原因，按用户语言（默认简体中文）写明，并说明怎么办")
    errors: list[str] = Field(default=[], description="逐项的问题（请求参数或请求体校验不通过时，每项一条）")


def _where(loc: Iterable[Any]) -> str:
    """Name the place of a problem: "参数 limit", "请求体字段 note", "请求体"."""
    parts = [str(p) for p in loc]
    if not parts:
        return _("请求")
    kind, rest = parts[0], [p for p in parts[1:] if p not in ("body", "payload")]
    name = ".".join(rest)
    if kind == "body":
        return _("请求体字段 %(name)s") % {"name": name} if name else _("请求体")
    if kind == "path":
        return _("路径参数 %(name)s") % {"name": name}
    if kind in ("query", "header", "cookie", "form"):
        return _("参数 %(name)s") % {"name": name}
    return ".".join(parts)


def _problem(error: Mapping[str, Any]) -> str:
    """Say what is wrong with one value, from pydantic's error type and its context."""
    kind, ctx = str(error.get("type", "")), error.get("ctx") or {}
    simple = {
        "missing": _("必须填写"),
        "int_parsing": _("应为整数"), "int_type": _("应为整数"), "int_from_float": _("应为整数"),
        "float_parsing": _("应为数字"), "float_type": _("应为数字"),
        "bool_parsing": _("应为 true 或 false"), "bool_type": _("应为 true 或 false"),
        "string_type": _("应为文字"), "list_type": _("应为列表"), "dict_type": _("应为对象"),
        "model_attributes_type": _("应为对象"), "model_type": _("应为对象"),
        "date_parsing": _("应为日期，如 2026-05-31"), "date_from_datetime_parsing": _("应为日期，如 2026-05-31"),
        "date_type": _("应为日期，如 2026-05-31"), "datetime_parsing": _("应为时间，如 2026-05-31T09:00:00+08:00"),
        "datetime_type": _("应为时间，如 2026-05-31T09:00:00+08:00"),
        "datetime_from_date_parsing": _("应为时间，如 2026-05-31T09:00:00+08:00"),
        "json_invalid": _("不是有效的 JSON"), "string_unicode": _("含有无法识别的字符"),
        "extra_forbidden": _("不是可用的字段"), "finite_number": _("应为有限的数字"),
    }
    if kind in simple:
        return simple[kind]
    bounds = {"greater_than_equal": (_("应不小于 %(n)s"), "ge"), "less_than_equal": (_("应不大于 %(n)s"), "le"),
              "greater_than": (_("应大于 %(n)s"), "gt"), "less_than": (_("应小于 %(n)s"), "lt"),
              "string_too_short": (_("至少 %(n)s 个字"), "min_length"),
              "string_too_long": (_("最多 %(n)s 个字"), "max_length"),
              "too_short": (_("至少 %(n)s 项"), "min_length"), "too_long": (_("最多 %(n)s 项"), "max_length")}
    if kind in bounds:
        text, key = bounds[kind]
        return text % {"n": ctx.get(key, "")}
    if kind in ("literal_error", "enum"):
        choices = str(ctx.get("expected", "")).replace("' or '", "、").replace("', '", "、").strip("'")
        return _("应为以下之一：%(choices)s") % {"choices": choices}
    return _("格式不对")


def validation_messages(errors: Iterable[Mapping[str, Any]]) -> list[str]:
    """Return one sentence per problem of a django-ninja ``ValidationError``: where, then what is wrong."""
    out = []
    for error in errors:
        line = f"{_where(error.get('loc', ()))}：{_problem(error)}"
        if line not in out:
            out.append(line)
    return out


def http_error_message(status: int, message: str) -> str:
    """Return django-ninja's fixed English messages in the user's language; the app's own pass unchanged."""
    fixed = {
        "Unauthorized": _("请先登录，或在请求头中提供有效的 API 令牌：Authorization: Bearer <令牌>"),
        "Forbidden": _("您无权办理"),
        "Cannot parse request body": _("请求体不是有效的 JSON"),
        "Too many requests.": _("请求过于频繁，请稍后再试"),
        "Not Found": _("找不到"),
    }
    return fixed.get(message, message)


def form_invalid(form: Any) -> Any:
    """Return a Django ``ValidationError`` holding every error of a bound page form, each as "label：message", for
    an API operation that validates its body with the page's own form (so both check the same things)."""
    from django.core.exceptions import ValidationError

    messages = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        messages += [f"{label}：{e}" if label else str(e) for e in errors]
    return ValidationError(messages)
