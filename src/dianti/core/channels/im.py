"""Adapters for the messaging apps: WeChat Official Account template (or subscribe) messages, DingTalk work
notifications (``corpconversation/asyncsend_v2``) and 企业微信 application messages (``message/send``).

Each takes an ``access_token`` from its app's id and secret (cached until shortly before it expires,
:mod:`.tokens`); when the provider says the token is invalid or expired, the adapter drops it, fetches a new one
and tries once more at once.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings

from . import http, tokens
from .base import Outgoing, ProviderError, Sent, template_for, template_params

BUSY = {-1}  # 系统繁忙: try again later


class _TokenApp:
    name = ""
    medium = ""
    token_errors: frozenset[int] = frozenset({40001, 40014, 42001})
    retry_errors: frozenset[int] = frozenset(BUSY)
    app_key = ""

    def __init__(self, conf: dict[str, str] | None = None) -> None:
        self.conf = conf if conf is not None else settings.NOTIFY_PROVIDERS[self.name]

    def accepts(self, kind: str) -> bool:
        return True

    def fetch_token(self) -> tuple[str, int]:
        raise NotImplementedError

    def post(self, out: Outgoing, token: str) -> Any:
        raise NotImplementedError

    def sent(self, answer: Any) -> Sent:
        raise NotImplementedError

    def send(self, out: Outgoing) -> Sent:
        app = self.conf[self.app_key]
        for attempt in (1, 2):
            answer = self.post(out, tokens.access_token(self.name, app, self.fetch_token))
            code = int(answer.get("errcode", 0) or 0)
            if code in self.token_errors and attempt == 1:
                tokens.forget(self.name, app)  # refreshed and tried once more
                continue
            if code:
                raise ProviderError(str(code), str(answer.get("errmsg", "")), retry=code in self.retry_errors)
            return self.sent(answer)
        raise AssertionError("unreachable")

    def _token(self, path: str, query: dict[str, str]) -> tuple[str, int]:
        answer = http.call("GET", f"{self.conf['endpoint']}{path}?{urlencode(query)}")
        code = int(answer.get("errcode", 0) or 0)
        if code or not answer.get("access_token"):
            raise ProviderError(str(code or "NO_TOKEN"), f"获取 access_token 失败：{answer.get('errmsg', '')}",
                                retry=code in BUSY)
        return str(answer["access_token"]), int(answer.get("expires_in", 7200))


def text_of(out: Outgoing) -> str:
    """Return the plain text of a work notification: title, body, and the link made absolute."""
    link = f"{settings.NOTIFY_SITE_URL}{out.url}" if out.url.startswith("/") else out.url
    return "\n".join(part for part in (f"【点题述职】{out.title}", out.body, link) if part)


class WeChatMp(_TokenApp):
    """WeChat Official Account: template messages (``mode=template``, ``cgi-bin/message/template/send``) or
    subscribe messages (``mode=subscribe``, ``cgi-bin/message/subscribe/bizsend``) to the person's openid."""

    name = "wechat_mp"
    medium = "wechat"
    app_key = "app_id"
    # 40001 invalid credential, 40014 invalid access_token, 42001 access_token expired.

    def accepts(self, kind: str) -> bool:
        return template_for(self.name, kind) is not None

    def fetch_token(self) -> tuple[str, int]:
        return self._token("/cgi-bin/token", {"grant_type": "client_credential", "appid": self.conf["app_id"],
                                              "secret": self.conf["app_secret"]})

    def payload(self, out: Outgoing) -> dict[str, Any]:
        found = template_for(self.name, out.kind)
        if found is None:
            raise ProviderError("NO_TEMPLATE", f"未为“{out.kind}”配置微信模板")
        code, names = found
        data = {k: {"value": v} for k, v in template_params(out, names).items()}
        link = f"{settings.NOTIFY_SITE_URL}{out.url}" if out.url.startswith("/") else out.url
        body: dict[str, Any] = {"touser": out.to_address, "template_id": code, "data": data}
        if link:
            body["page" if self.conf.get("mode") == "subscribe" else "url"] = link
        return body

    def post(self, out: Outgoing, token: str) -> Any:
        path = ("/cgi-bin/message/subscribe/bizsend" if self.conf.get("mode") == "subscribe"
                else "/cgi-bin/message/template/send")
        return http.post_json(f"{self.conf['endpoint']}{path}?{urlencode({'access_token': token})}",
                              self.payload(out))

    def sent(self, answer: Any) -> Sent:
        return Sent(provider_id=str(answer.get("msgid", "")), code="0")


class DingTalk(_TokenApp):
    """DingTalk work notification from an internal app (``topapi/message/corpconversation/asyncsend_v2``)."""

    name = "dingtalk"
    medium = "dingtalk"
    app_key = "app_key"

    def fetch_token(self) -> tuple[str, int]:
        return self._token("/gettoken", {"appkey": self.conf["app_key"], "appsecret": self.conf["app_secret"]})

    def payload(self, out: Outgoing) -> dict[str, Any]:
        return {"agent_id": int(self.conf["agent_id"]), "userid_list": out.to_address,
                "msg": {"msgtype": "text", "text": {"content": text_of(out)}}}

    def post(self, out: Outgoing, token: str) -> Any:
        url = f"{self.conf['endpoint']}/topapi/message/corpconversation/asyncsend_v2?{urlencode({'access_token': token})}"
        return http.post_json(url, self.payload(out))

    def sent(self, answer: Any) -> Sent:
        return Sent(provider_id=str(answer.get("task_id", "")), code="0")


class WeCom(_TokenApp):
    """企业微信 application message (``cgi-bin/message/send``), text, to the person's userid."""

    name = "wecom"
    medium = "wecom"
    app_key = "corp_id"
    retry_errors = frozenset(BUSY | {45009})  # 45009: the API's frequency limit

    def fetch_token(self) -> tuple[str, int]:
        return self._token("/cgi-bin/gettoken", {"corpid": self.conf["corp_id"],
                                                 "corpsecret": self.conf["corp_secret"]})

    def payload(self, out: Outgoing) -> dict[str, Any]:
        return {"touser": out.to_address, "msgtype": "text", "agentid": int(self.conf["agent_id"]),
                "text": {"content": text_of(out)}, "safe": 0}

    def post(self, out: Outgoing, token: str) -> Any:
        url = f"{self.conf['endpoint']}/cgi-bin/message/send?{urlencode({'access_token': token})}"
        return http.post_json(url, self.payload(out))

    def sent(self, answer: Any) -> Sent:
        if answer.get("invaliduser"):
            raise ProviderError("INVALID_USER", "收件人在企业微信中不存在或不在应用可见范围内")
        return Sent(provider_id=str(answer.get("msgid", "")), code="0")
