"""Password rules for 等保 2.0 level 3 (identity authentication: complex passwords, changed when weak).

Django's own validators give the length (``MinimumLengthValidator``), the distance from the user's name
(``UserAttributeSimilarityValidator``) and the common-password list; these two add the character classes and keep
the published demo password out of every form. ``dianti demo`` sets the demo accounts' password directly, so the
rules apply to what a person types in a form, never to the demo.
"""

from __future__ import annotations

import string
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# The password `dianti demo` gives its accounts, printed in the README; never valid for a real account.
DEMO_PASSWORDS = frozenset({"dianti2026"})

CLASSES = (
    ("小写字母", string.ascii_lowercase),
    ("大写字母", string.ascii_uppercase),
    ("数字", string.digits),
)


def character_classes(password: str) -> int:
    """Return how many of lower-case, upper-case, digits and other characters (symbols, 汉字) ``password`` uses."""
    used = sum(any(c in chars for c in password) for _, chars in CLASSES)
    other = any(not any(c in chars for _, chars in CLASSES) for c in password)
    return used + int(other)


class CharacterClassesValidator:
    """Require at least ``min_classes`` of: lower-case letters, upper-case letters, digits, other characters."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user: Any = None) -> None:
        if character_classes(password) < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self) -> str:
        return _("密码须包含大写字母、小写字母、数字、其他符号中的至少 %(n)d 类。") % {"n": self.min_classes}


class DemoPasswordValidator:
    """Refuse the demo's published password (in any letter case) for any account set up through a form."""

    def validate(self, password: str, user: Any = None) -> None:
        if password.strip().lower() in DEMO_PASSWORDS:
            raise ValidationError(_("这是演示环境公开的密码，不能用于正式账号。"), code="password_demo")

    def get_help_text(self) -> str:
        return _("不能使用演示环境公开的密码。")
