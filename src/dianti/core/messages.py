"""Validation messages in the users' words, project-wide.

Django's own zh-hans catalogue says "确保该变量包含不超过 4000 个字符" for a too-long field: "变量" is programmer
language. Every form and model field checks length with :class:`~django.core.validators.MaxLengthValidator` and
:class:`~django.core.validators.MinLengthValidator`, so their messages are set here once (from
:meth:`CoreConfig.ready`) rather than in every form; the locale directory stays the lead's, refreshed by
``make messages``.
"""

from __future__ import annotations

from django.core import validators
from django.utils.translation import ngettext_lazy

MAX_LENGTH = ngettext_lazy("最多 %(limit_value)d 个字（现在 %(show_value)d 个），请删减一些",
                           "最多 %(limit_value)d 个字（现在 %(show_value)d 个），请删减一些", "limit_value")
MIN_LENGTH = ngettext_lazy("至少要写 %(limit_value)d 个字（现在 %(show_value)d 个）",
                           "至少要写 %(limit_value)d 个字（现在 %(show_value)d 个）", "limit_value")


def install() -> None:
    """Give the length validators the project's messages (idempotent)."""
    validators.MaxLengthValidator.message = MAX_LENGTH
    validators.MinLengthValidator.message = MIN_LENGTH
