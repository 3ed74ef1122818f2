"""Fakes of WeChat Official Account (token, template and subscribe messages), DingTalk (gettoken, work
notifications) and 企业微信 (gettoken, application messages): each issues access tokens for the right app id and
secret only, refuses an unknown or expired one with the provider's code, and checks each message's shape."""

from __future__ import annotations

import itertools
from typing import Any

from .base import FakeProvider, Request


class _TokenFake(FakeProvider):
    token_path = ""
    send_paths: tuple[str, ...] = ()
    bad_token: tuple[int, str] = (40014, "invalid access_token")
    bad_secret: tuple[int, str] = (40001, "invalid credential")

    def __init__(self, *, app_id: str, secret: str, users: set[str] | None = None) -> None:
        self.app_id, self.secret = app_id, secret
        self.users = users  # known recipients (None: anyone)
        self.tokens: set[str] = set()
        self.tokens_issued = 0
        self.sent: list[dict[str, Any]] = []
        self._ids = itertools.count(1000)
        super().__init__()

    def err(self, code: int, message: str) -> tuple[int, Any]:
        return 200, {"errcode": code, "errmsg": message}

    def queue_error(self, code: int, message: str) -> None:
        self.queue_answer(self.err(code, message)[1])

    def expire_tokens(self) -> None:
        """Invalidate every token issued so far (as the provider does when one expires or another is issued)."""
        self.tokens.clear()

    def credentials(self, query: dict[str, str]) -> tuple[str, str]:
        raise NotImplementedError

    def check(self, body: Any) -> tuple[int, str] | None:
        raise NotImplementedError

    def answer(self, req: Request) -> tuple[int, Any]:
        if req.method == "GET" and req.path == self.token_path:
            if self.credentials(req.query) != (self.app_id, self.secret):
                return self.err(*self.bad_secret)
            self.tokens_issued += 1
            token = f"TOKEN-{self.tokens_issued}"
            self.tokens.add(token)
            return 200, {"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": 7200}
        if req.method != "POST" or req.path not in self.send_paths:
            return 404, {"errcode": 404, "errmsg": "请求的URI地址不存在"}
        if req.query.get("access_token") not in self.tokens:
            return self.err(*self.bad_token)
        problem = self.check(req.json)
        if problem:
            return self.err(*problem)
        msgid = next(self._ids)
        self.sent.append({"path": req.path, "body": req.json, "msgid": msgid})
        return 200, self.success(msgid)

    def success(self, msgid: int) -> dict[str, Any]:
        return {"errcode": 0, "errmsg": "ok", "msgid": msgid}


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


class FakeWeChat(_TokenFake):
    """``GET /cgi-bin/token``; ``POST /cgi-bin/message/template/send`` and ``/cgi-bin/message/subscribe/bizsend``."""

    token_path = "/cgi-bin/token"
    send_paths = ("/cgi-bin/message/template/send", "/cgi-bin/message/subscribe/bizsend")
    bad_token = (40001, "invalid credential, access_token is invalid or not latest")
    bad_secret = (40125, "invalid appsecret")

    def __init__(self, *, templates: dict[str, list[str]], **kw: Any) -> None:
        self.templates = templates
        super().__init__(**kw)

    def credentials(self, query: dict[str, str]) -> tuple[str, str]:
        if query.get("grant_type") != "client_credential":
            return "", ""
        return query.get("appid", ""), query.get("secret", "")

    def check(self, body: Any) -> tuple[int, str] | None:
        if not isinstance(body, dict) or not _text(body.get("touser")) or not isinstance(body.get("data"), dict):
            return 47001, "data format error"
        if self.users is not None and body["touser"] not in self.users:
            return 40003, "invalid openid"
        keys = self.templates.get(str(body.get("template_id")))
        if keys is None:
            return 40037, "invalid template_id"
        data = body["data"]
        if set(data) != set(keys) or not all(isinstance(v, dict) and isinstance(v.get("value"), str)
                                             for v in data.values()):
            return 47003, "argument invalid! data.keyword invalid"
        return None


class FakeDingTalk(_TokenFake):
    """``GET /gettoken``; ``POST /topapi/message/corpconversation/asyncsend_v2``."""

    token_path = "/gettoken"
    send_paths = ("/topapi/message/corpconversation/asyncsend_v2",)
    bad_token = (40014, "不合法的access_token")
    bad_secret = (40089, "不合法的corpid或corpsecret")

    def __init__(self, *, agent_id: int, **kw: Any) -> None:
        self.agent_id = agent_id
        super().__init__(**kw)

    def credentials(self, query: dict[str, str]) -> tuple[str, str]:
        return query.get("appkey", ""), query.get("appsecret", "")

    def check(self, body: Any) -> tuple[int, str] | None:
        if not isinstance(body, dict) or body.get("agent_id") != self.agent_id:
            return 40056, "不合法的agentid"
        if not _text(body.get("userid_list")):
            return 40031, "不合法的UserID列表"
        if self.users is not None and not set(body["userid_list"].split(",")) <= self.users:
            return 33012, "无效的USERID"
        msg = body.get("msg")
        if not isinstance(msg, dict) or msg.get("msgtype") != "text" or not _text((msg.get("text") or {}).get("content")):
            return 34014, "会话消息的json结构无效或不完整"
        return None

    def success(self, msgid: int) -> dict[str, Any]:
        return {"errcode": 0, "errmsg": "ok", "task_id": msgid, "request_id": f"req{msgid}"}


class FakeWeCom(_TokenFake):
    """``GET /cgi-bin/gettoken``; ``POST /cgi-bin/message/send``."""

    token_path = "/cgi-bin/gettoken"
    send_paths = ("/cgi-bin/message/send",)
    bad_token = (40014, "invalid access_token")
    bad_secret = (40001, "invalid credential")

    def __init__(self, *, agent_id: int, **kw: Any) -> None:
        self.agent_id = agent_id
        super().__init__(**kw)

    def credentials(self, query: dict[str, str]) -> tuple[str, str]:
        return query.get("corpid", ""), query.get("corpsecret", "")

    def check(self, body: Any) -> tuple[int, str] | None:
        if not isinstance(body, dict) or body.get("agentid") != self.agent_id:
            return 40056, "invalid agentid"
        if body.get("msgtype") != "text" or not _text((body.get("text") or {}).get("content")):
            return 44004, "empty content"
        if not _text(body.get("touser")):
            return 40031, "invalid user list"
        if self.users is not None and not set(body["touser"].split("|")) & self.users:
            return 81013, "user & party & tag all invalid"
        return None

    def success(self, msgid: int) -> dict[str, Any]:
        return {"errcode": 0, "errmsg": "ok", "invaliduser": "", "invalidparty": "", "invalidtag": "",
                "unlicenseduser": "", "msgid": f"msg{msgid}", "response_code": f"rc{msgid}"}
