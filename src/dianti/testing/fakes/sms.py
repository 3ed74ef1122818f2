"""Fakes of Alibaba Cloud SMS (SendSms, RPC signature v1) and Tencent Cloud SMS (SendSms 2021-01-11, TC3).

The signatures are recomputed here from the documentation's recipe, written independently of the adapters'
(:mod:`dianti.core.channels.signing`), so a mistake in one is not repeated in the other.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import re
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote_plus

from .base import FakeProvider, Request

PHONE_RE = re.compile(r"^1[3-9]\d{9}$")


def _aliyun_encode(value: str) -> str:
    # The documentation's recipe: URL-encode (UTF-8), then "+" → "%20", "*" → "%2A", "%7E" → "~".
    return quote_plus(value, encoding="utf-8").replace("+", "%20").replace("*", "%2A").replace("%7E", "~")


class FakeAliyunSms(FakeProvider):
    """``POST /`` with the signed form of ``Action=SendSms``."""

    REQUIRED = ("AccessKeyId", "Action", "Format", "PhoneNumbers", "SignName", "SignatureMethod", "SignatureNonce",
                "SignatureVersion", "TemplateCode", "Timestamp", "Version", "Signature")

    def __init__(self, *, key_id: str, secret: str, sign_name: str, templates: dict[str, list[str]]) -> None:
        self.key_id, self.secret, self.sign_name, self.templates = key_id, secret, sign_name, templates
        self.nonces: set[str] = set()
        self.sent: list[dict[str, Any]] = []
        self._ids = itertools.count(1)
        super().__init__()

    def error(self, code: str, message: str, status: int = 200) -> tuple[int, Any]:
        return status, {"RequestId": f"req-{next(self._ids)}", "Code": code, "Message": message}

    def queue_error(self, code: str, message: str) -> None:
        self.queue_answer(self.error(code, message)[1])

    def answer(self, req: Request) -> tuple[int, Any]:
        p = req.form or req.query
        missing = [k for k in self.REQUIRED if not p.get(k)]
        if req.path != "/" or missing:
            return self.error("MissingParameter", f"missing {','.join(missing) or 'path'}", 400)
        if p["AccessKeyId"] != self.key_id:
            return self.error("InvalidAccessKeyId.NotFound", "Specified access key is not found.", 404)
        unsigned = {k: v for k, v in p.items() if k != "Signature"}
        canonical = "&".join(f"{_aliyun_encode(k)}={_aliyun_encode(unsigned[k])}" for k in sorted(unsigned))
        to_sign = f"{req.method}&%2F&{_aliyun_encode(canonical)}"
        expected = base64.b64encode(hmac.new(f"{self.secret}&".encode(), to_sign.encode(), hashlib.sha1).digest())
        if not hmac.compare_digest(expected.decode(), p["Signature"]):
            return self.error("SignatureDoesNotMatch", "Specified signature is not matched with our calculation.", 400)
        if (p["Action"], p["Version"], p["SignatureMethod"], p["SignatureVersion"]) != (
                "SendSms", "2017-05-25", "HMAC-SHA1", "1.0"):
            return self.error("InvalidParameter", "Action, Version or signature method", 400)
        if p["SignatureNonce"] in self.nonces:
            return self.error("SignatureNonceUsed", "Specified signature nonce was used already.", 400)
        self.nonces.add(p["SignatureNonce"])
        try:
            stamp = datetime.strptime(p["Timestamp"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        except ValueError:
            return self.error("InvalidTimeStamp.Format", "Specified time stamp is not valid.", 400)
        if abs(time.time() - stamp.timestamp()) > 900:
            return self.error("InvalidTimeStamp.Expired", "Specified time stamp or date header is expired.", 400)
        return self._business(p)

    def _business(self, p: dict[str, str]) -> tuple[int, Any]:
        if p["SignName"] != self.sign_name:
            return self.error("isv.SMS_SIGNATURE_ILLEGAL", "该账号下找不到对应签名")
        if not all(PHONE_RE.match(n) for n in p["PhoneNumbers"].split(",")):
            return self.error("isv.MOBILE_NUMBER_ILLEGAL", "非法手机号")
        names = self.templates.get(p["TemplateCode"])
        if names is None:
            return self.error("isv.SMS_TEMPLATE_ILLEGAL", "该账号下找不到对应模板")
        try:
            params = json.loads(p.get("TemplateParam") or "{}")
        except ValueError:
            return self.error("isv.INVALID_JSON_PARAM", "JSON参数不合法，只接受字符串值")
        if not isinstance(params, dict) or set(names) - set(params) or not all(
                isinstance(v, str) for v in params.values()):
            return self.error("isv.TEMPLATE_MISSING_PARAMETERS", "模板变量缺少对应参数值")
        biz = f"{next(self._ids)}^0"
        self.sent.append({"phone": p["PhoneNumbers"], "template": p["TemplateCode"], "params": params, "biz": biz})
        return 200, {"RequestId": f"req-{biz}", "Code": "OK", "Message": "OK", "BizId": biz}


class FakeTencentSms(FakeProvider):
    """``POST /`` with a TC3-HMAC-SHA256 signed JSON ``SendSms`` request."""

    def __init__(self, *, secret_id: str, secret_key: str, app_id: str, sign_name: str,
                 templates: dict[str, int]) -> None:
        self.secret_id, self.secret_key, self.app_id, self.sign_name = secret_id, secret_key, app_id, sign_name
        self.templates = templates  # template id → how many parameters it has
        self.sent: list[dict[str, Any]] = []
        self.number_errors: list[tuple[str, str]] = []  # per-number answers for the next sends
        self._ids = itertools.count(1)
        super().__init__()

    def error(self, code: str, message: str) -> tuple[int, Any]:
        return 200, {"Response": {"Error": {"Code": code, "Message": message}, "RequestId": f"req-{next(self._ids)}"}}

    def queue_error(self, code: str, message: str) -> None:
        self.queue_answer(self.error(code, message)[1])

    def _signature_problem(self, req: Request) -> tuple[str, str] | None:
        h = req.headers
        m = re.fullmatch(r"TC3-HMAC-SHA256 Credential=([^/]+)/(\d{4}-\d{2}-\d{2})/sms/tc3_request, "
                         r"SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})", h.get("authorization", ""))
        if not m:
            return "AuthFailure.InvalidAuthorization", "Authorization is invalid"
        secret_id, date, signed, signature = m.groups()
        if secret_id != self.secret_id:
            return "AuthFailure.SecretIdNotFound", "The SecretId is not found"
        stamp = int(h.get("x-tc-timestamp", "0") or 0)
        if abs(time.time() - stamp) > 300:
            return "AuthFailure.SignatureExpire", "Signature expired"
        if date != datetime.fromtimestamp(stamp, tz=UTC).strftime("%Y-%m-%d"):
            return "AuthFailure.SignatureFailure", "credential date does not match the timestamp"
        names = signed.split(";")
        headers = "".join(f"{n}:{h.get(n, '').strip().lower()}\n" for n in names)
        canonical = f"POST\n/\n\n{headers}\n{signed}\n{hashlib.sha256(req.body).hexdigest()}"
        to_sign = f"TC3-HMAC-SHA256\n{stamp}\n{date}/sms/tc3_request\n{hashlib.sha256(canonical.encode()).hexdigest()}"
        key = f"TC3{self.secret_key}".encode()
        for part in (date, "sms", "tc3_request"):
            key = hmac.new(key, part.encode(), hashlib.sha256).digest()
        if not hmac.compare_digest(hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest(), signature):
            return "AuthFailure.SignatureFailure", "The provided credentials could not be validated."
        return None

    def answer(self, req: Request) -> tuple[int, Any]:
        h = req.headers
        if (h.get("x-tc-action"), h.get("x-tc-version")) != ("SendSms", "2021-01-11") or not h.get("x-tc-region"):
            return self.error("InvalidAction", "X-TC-Action, X-TC-Version or X-TC-Region")
        problem = self._signature_problem(req)
        if problem:
            return self.error(*problem)
        body = req.json if isinstance(req.json, dict) else {}
        phones, params = body.get("PhoneNumberSet"), body.get("TemplateParamSet", [])
        if not isinstance(phones, list) or not phones or not all(
                isinstance(n, str) and re.fullmatch(r"\+861[3-9]\d{9}", n) for n in phones):
            return self.error("InvalidParameterValue.IncorrectPhoneNumber", "手机号格式错误")
        if body.get("SmsSdkAppId") != self.app_id:
            return self.error("FailedOperation.SmsSdkAppIdVerifyFail", "SdkAppId 校验失败")
        if body.get("SignName") != self.sign_name:
            return self.error("FailedOperation.SignatureIncorrectOrUnapproved", "签名未审批或格式错误")
        count = self.templates.get(str(body.get("TemplateId")))
        if count is None:
            return self.error("FailedOperation.TemplateIncorrectOrUnapproved", "模板未审批或内容不匹配")
        if not isinstance(params, list) or len(params) != count or not all(isinstance(v, str) for v in params):
            return self.error("FailedOperation.TemplateParamSetNotMatchApprovedTemplate", "请求内容与审核通过的模板内容不匹配")
        return 200, {"Response": {"SendStatusSet": [self._status(n, body) for n in phones],
                                  "RequestId": f"req-{next(self._ids)}"}}

    def _status(self, phone: str, body: dict[str, Any]) -> dict[str, Any]:
        serial = f"2640:{next(self._ids)}"
        if self.number_errors:
            code, message = self.number_errors.pop(0)
            return {"SerialNo": "", "PhoneNumber": phone, "Fee": 0, "SessionContext": "", "Code": code,
                    "Message": message, "IsoCode": "CN"}
        self.sent.append({"phone": phone, "template": str(body["TemplateId"]), "params": body["TemplateParamSet"],
                          "serial": serial})
        return {"SerialNo": serial, "PhoneNumber": phone, "Fee": 1, "SessionContext": "", "Code": "Ok",
                "Message": "send success", "IsoCode": "CN"}
