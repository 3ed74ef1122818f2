"""Helpers for the API's own description (the OpenAPI schema at /api/v1/openapi.json): a field that takes one of a
model's choices is described from those choices, so the schema and the model never disagree."""

from __future__ import annotations

from typing import Any, Literal

from django.conf import settings
from django.db.models import Choices
from django.utils import translation


def one_of(text: str, choices: type[Choices] | list[tuple[str, object]]) -> str:
    """Return ``text`` and the values the field takes, each with its name: "状态：draft 草稿、submitted 已提交"."""
    pairs = choices.choices if isinstance(choices, type) else choices
    with translation.override(settings.LANGUAGE_CODE):
        return f"{text}：" + "、".join(f"{value} {label}" for value, label in pairs)


def choice_of(choices: type[Choices]) -> Any:
    """Return the type of a parameter or field taking one of ``choices``' values: a ``Literal`` of them, described
    inline in the schema. (The choices class itself would become a schema component named by its class — and
    ``Subject.Status``, ``Meeting.Status`` and ``Opinion.Status`` would all be one ``Status``, whichever came last.)"""
    return Literal[tuple(choices.values)]  # type: ignore[valid-type]
