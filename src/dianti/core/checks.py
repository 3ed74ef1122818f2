"""System checks of our own, run by ``dianti check`` (the deployment ones by ``dianti check --deploy``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register


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
