"""SMS adapters: Alibaba Cloud SMS (SendSms, RPC signature v1) and Tencent Cloud SMS (SendSms, API 3.0 with
TC3-HMAC-SHA256). Both send only approved templates: a kind is carried only where ``NOTIFY_TEMPLATES`` maps it
(template code and parameter names), and its parameters come from the message (:func:`.base.template_params`)."""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime
from urllib.parse import urlencode, urlsplit

from django.conf import settings

from . import http, signing
from .base import Outgoing, ProviderError, Sent, template_for, template_params

# Answers worth another try later; any other refusal (a wrong number, a per-number limit, a template problem,
# a bad key) fails the message with the provider's reason.
ALIYUN_RETRY = {"isp.SYSTEM_ERROR", "isp.RAM_PERMISSION_DENY_TEMPORARILY", "Throttling", "Throttling.User",
                "Throttling.Api", "ServiceUnavailable", "InternalError"}
TENCENT_RETRY_PREFIXES = ("InternalError", "RequestLimitExceeded", "ResourceUnavailable", "UnknownParameter.Timeout")


class _Sms:
    name = ""
    medium = "sms"

    def __init__(self, conf: dict[str, str] | None = None) -> None:
        self.conf = conf if conf is not None else settings.NOTIFY_PROVIDERS[self.name]

    def accepts(self, kind: str) -> bool:
        return template_for(self.name, kind) is not None

    def _template(self, out: Outgoing) -> tuple[str, dict[str, str]]:
        found = template_for(self.name, out.kind)
        if found is None:
            raise ProviderError("NO_TEMPLATE", f"未为“{out.kind}”配置短信模板")
        code, names = found
        return code, template_params(out, names)


class AliyunSms(_Sms):
    """Alibaba Cloud SMS, ``Action=SendSms`` (version 2017-05-25), POSTed as a signed form."""

    name = "sms_aliyun"

    def request(self, out: Outgoing, *, nonce: str = "", timestamp: str = "") -> dict[str, str]:
        """Return the signed parameters of the SendSms request for ``out``."""
        code, params = self._template(out)
        c = self.conf
        query = {
            "AccessKeyId": c["access_key_id"], "Action": "SendSms", "Format": "JSON",
            "PhoneNumbers": out.to_address, "RegionId": c.get("region") or "cn-hangzhou",
            "SignName": c["sign_name"], "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": nonce or uuid.uuid4().hex, "SignatureVersion": "1.0", "TemplateCode": code,
            "TemplateParam": json.dumps(params, ensure_ascii=False, separators=(",", ":")),
            "Timestamp": timestamp or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": "2017-05-25",
        }
        return {**query, "Signature": signing.aliyun_signature("POST", query, c["access_key_secret"])}

    def send(self, out: Outgoing) -> Sent:
        form = urlencode(self.request(out), quote_via=lambda s, *a: signing.percent_encode(str(s))).encode()
        answer = http.call("POST", self.conf["endpoint"], body=form,
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
        code = str(answer.get("Code", ""))
        if code == "OK":
            return Sent(provider_id=str(answer.get("BizId", "")), code="OK")
        raise ProviderError(code or "UNKNOWN", str(answer.get("Message", "")), retry=code in ALIYUN_RETRY)


class TencentSms(_Sms):
    """Tencent Cloud SMS, ``SendSms`` (version 2021-01-11), a JSON POST signed TC3-HMAC-SHA256."""

    name = "sms_tencent"

    def request(self, out: Outgoing, *, timestamp: int = 0) -> tuple[str, dict[str, str]]:
        """Return the JSON body and the headers of the SendSms request for ``out``."""
        code, params = self._template(out)
        c = self.conf
        phone = out.to_address if out.to_address.startswith("+") else f"+86{out.to_address}"
        payload = json.dumps({"PhoneNumberSet": [phone], "SmsSdkAppId": c["sdk_app_id"], "SignName": c["sign_name"],
                              "TemplateId": code, "TemplateParamSet": list(params.values())},
                             ensure_ascii=False, separators=(",", ":"))
        host = urlsplit(c["endpoint"]).netloc
        ts = timestamp or int(time.time())
        auth = signing.tc3_authorization(secret_id=c["secret_id"], secret_key=c["secret_key"], service="sms",
                                         host=host, payload=payload, timestamp=ts)
        return payload, {"Authorization": auth, "Content-Type": signing.TC3_CONTENT_TYPE, "Host": host,
                         "X-TC-Action": "SendSms", "X-TC-Timestamp": str(ts), "X-TC-Version": "2021-01-11",
                         "X-TC-Region": c.get("region") or "ap-guangzhou"}

    def send(self, out: Outgoing) -> Sent:
        payload, headers = self.request(out)
        answer = http.call("POST", self.conf["endpoint"], body=payload.encode(), headers=headers).get("Response", {})
        error = answer.get("Error")
        if error:
            code = str(error.get("Code", "UNKNOWN"))
            raise ProviderError(code, str(error.get("Message", "")), retry=code.startswith(TENCENT_RETRY_PREFIXES))
        status = (answer.get("SendStatusSet") or [{}])[0]
        code = str(status.get("Code", "UNKNOWN"))
        if code == "Ok":
            return Sent(provider_id=str(status.get("SerialNo", "")), code="Ok")
        raise ProviderError(code, str(status.get("Message", "")), retry=code.startswith(TENCENT_RETRY_PREFIXES))
