"""Text from the hall's phones, made fit to store: no NUL or other control characters; evaluator codes as printed
and as typed.

PostgreSQL refuses a NUL in a text column (the request would fail with a server error), and control characters in
a question or a name only garble the projector, the minutes and the exports. Line breaks and tabs stay.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def clean(text: str) -> str:
    """Return ``text`` without NUL and other control characters (line breaks and tabs kept), stripped."""
    return _CONTROL.sub("", text).strip()


def format_code(code: str) -> str:
    """Return an evaluator code as printed on its slip: the first five characters, a dash, the rest."""
    return f"{code[:5]}-{code[5:]}"


def normalize_code(text: str) -> str:
    """Return a code as typed (any case, dashes or spaces) reduced to its letters and digits, upper case."""
    return "".join(ch for ch in text.upper() if ch.isalnum())
