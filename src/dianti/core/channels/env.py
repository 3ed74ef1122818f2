"""The outbound channels' settings, read from the environment (no Django import: ``settings.py`` calls it).

Each provider's secrets and endpoint come from ``DIANTI_<PREFIX>_<KEY>`` variables — never from the database — and
its base URL is configurable, so tests point an adapter at the local fake (:mod:`dianti.testing.fakes`). Templates
(``DIANTI_NOTIFY_TEMPLATES``: JSON, or ``@/path/to/file.json``) map each channel's message kinds to the provider's
approved template and its parameter names, e.g. ``{"sms_aliyun": {"deadline": ["SMS_1234", ["title", "due"]]}}``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

#: channel name → (environment prefix, {setting: default}); a default of "" means "must be set to use it".
PROVIDERS: dict[str, tuple[str, dict[str, str]]] = {
    "sms_aliyun": ("SMS_ALIYUN", {"access_key_id": "", "access_key_secret": "", "sign_name": "",
                                  "endpoint": "https://dysmsapi.aliyuncs.com/", "region": "cn-hangzhou",
                                  "rate": "500/60"}),
    "sms_tencent": ("SMS_TENCENT", {"secret_id": "", "secret_key": "", "sdk_app_id": "", "sign_name": "",
                                    "endpoint": "https://sms.tencentcloudapi.com/", "region": "ap-guangzhou",
                                    "rate": "500/60"}),
    "wechat_mp": ("WECHAT_MP", {"app_id": "", "app_secret": "", "endpoint": "https://api.weixin.qq.com",
                                "mode": "template", "rate": "600/60"}),
    "dingtalk": ("DINGTALK", {"app_key": "", "app_secret": "", "agent_id": "",
                              "endpoint": "https://oapi.dingtalk.com", "rate": "1500/60"}),
    "wecom": ("WECOM", {"corp_id": "", "corp_secret": "", "agent_id": "",
                        "endpoint": "https://qyapi.weixin.qq.com", "rate": "600/60"}),
}


def providers(env: Mapping[str, str]) -> dict[str, dict[str, str]]:
    """Return each provider's settings: ``DIANTI_<PREFIX>_<KEY>`` where set, else the default."""
    return {name: {key: env.get(f"DIANTI_{prefix}_{key.upper()}", default).strip()
                   for key, default in keys.items()}
            for name, (prefix, keys) in PROVIDERS.items()}


def rate_limits(configured: Mapping[str, Mapping[str, str]]) -> dict[str, tuple[int, int]]:
    """Return ``(messages, seconds)`` for each provider whose ``rate`` reads ``N/S`` (``0`` or empty: unlimited)."""
    limits = {}
    for name, conf in configured.items():
        count, _, seconds = conf.get("rate", "").partition("/")
        if count.strip().isdigit() and int(count) > 0:
            limits[name] = (int(count), int(seconds) if seconds.strip().isdigit() else 1)
    return limits


def templates(raw: str) -> dict[str, dict[str, Any]]:
    """Parse ``DIANTI_NOTIFY_TEMPLATES`` (JSON text, or ``@path`` of a JSON file; empty: none)."""
    raw = raw.strip()
    if raw.startswith("@"):
        raw = Path(raw[1:]).read_text(encoding="utf-8")
    value = json.loads(raw) if raw else {}
    if not isinstance(value, dict):
        raise ValueError("DIANTI_NOTIFY_TEMPLATES must be a JSON object: {channel: {kind: [code, [params]]}}")
    return value
