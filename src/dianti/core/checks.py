"""System checks of our own, run by ``dianti check`` (the deployment ones by ``dianti check --deploy``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.security, deploy=True)
def secret_key_is_not_the_development_key(app_configs: Any, **kwargs: Any) -> list[Warning]:
    """Warn when production runs on the built-in development key.

    That key is long and varied enough to pass Django's own check (security.W009), yet it is published with the
    source, so anyone could forge sessions and password-reset links.
    """
    if settings.SECRET_KEY.startswith("dianti-insecure-"):
        return [Warning("SECRET_KEY 仍是公开的开发用密钥。", hint="请用环境变量 DIANTI_SECRET_KEY 设置一个随机的长密钥。",
                        id="dianti.W001")]
    return []


@register(Tags.security)
def data_key_is_set_in_production(app_configs: Any, **kwargs: Any) -> list[Error]:
    """Refuse to start in production (``DEBUG`` off) without ``DIANTI_DATA_KEY``, or with a malformed one.

    Phone numbers are stored encrypted under that key; running without it would either fail on the first page
    that shows a phone or, worse, encrypt new data under a key nobody kept.
    """
    from . import crypto

    try:
        crypto.master_key()
    except crypto.DataKeyError as exc:
        return [Error(str(exc), hint="生成：dianti datakey；设置：export DIANTI_DATA_KEY=…（与数据库、备份分开保管）。",
                      id="dianti.E101")]
    return []


@register(Tags.security, deploy=True)
def receipt_token_is_long(app_configs: Any, **kwargs: Any) -> list[Warning]:
    """Warn when the delivery receipts' URL token is set but short: it is the receipts' only key (the providers sign
    none), and whoever guesses it can mark any message delivered or failed."""
    token = settings.NOTIFY_RECEIPT_TOKEN
    if token and len(token) < 32:
        return [Warning("DIANTI_NOTIFY_RECEIPT_TOKEN 太短，可能被猜中而伪造送达回执。",
                        hint="请设置至少 32 位的随机串，例如：python -c \"import secrets; print(secrets.token_urlsafe(32))\"",
                        id="dianti.W002")]
    return []
