"""Delivery receipts: the SMS providers push each message's fate to a URL of ours (Alibaba Cloud's "HTTP 批量推送"
of SmsReport, Tencent Cloud's 短信回执 callback); each receipt turns a ``sent`` message ``delivered`` or ``failed``
with the carrier's code. Parsing is pure; :func:`dianti.core.outbound.mark_receipt` records."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Receipt:
    provider_id: str  # the BizId / SerialNo the provider answered when it took the message
    delivered: bool
    code: str
    reason: str


def aliyun(payload: Any) -> list[Receipt]:
    """``[{"biz_id", "success", "err_code", "err_msg", "phone_number", …}, …]``"""
    return [Receipt(str(r["biz_id"]), r.get("success") is True, str(r.get("err_code", "")), str(r.get("err_msg", "")))
            for r in _items(payload) if r.get("biz_id")]


def tencent(payload: Any) -> list[Receipt]:
    """``[{"sid", "report_status": "SUCCESS"|"FAIL", "errmsg", "description", "mobile", …}, …]``"""
    return [Receipt(str(r["sid"]), r.get("report_status") == "SUCCESS", str(r.get("errmsg", "")),
                    str(r.get("description", ""))) for r in _items(payload) if r.get("sid")]


def _items(payload: Any) -> list[dict[str, Any]]:
    if not isinstance(payload, list) or not all(isinstance(r, dict) for r in payload):
        raise ValueError("回执应为 JSON 数组")
    return payload


#: channel → (parser, the answer the provider expects when we took the receipts)
RECEIVERS: dict[str, tuple[Callable[[Any], list[Receipt]], dict[str, Any]]] = {
    "sms_aliyun": (aliyun, {"code": 0, "msg": "接收成功"}),
    "sms_tencent": (tencent, {"result": 0, "errmsg": "OK"}),
}
