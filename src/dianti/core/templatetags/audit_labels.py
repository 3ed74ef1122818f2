"""``{{ event.action|action_label }}``: an audit action's name in the reader's language."""

from __future__ import annotations

from django import template

from dianti.core.audit_labels import action_label as _label

register = template.Library()


@register.filter
def action_label(code: str) -> str:
    return _label(code)
