"""The code that faster code replaced, kept verbatim so the tests can show the new code answers the same.

Each function here is the one its module had before a speed change; :mod:`.test_same_as_before` runs both on the
same fixtures.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from dianti.voices.mining import label, segment
from dianti.voices.mining.label import _OPENERS, _PARTICLES


def merge_codes(words: list[str]) -> list[str]:
    out: list[str] = []
    for word in words:
        district = word in ("省", "市", "区", "县", "镇", "乡") and re.fullmatch(r"[a-z]\d{0,2}", out[-1] if out else "")
        numbered = word in segment._NUMBERED and bool(out) and out[-1].isdigit()
        if district or numbered:
            out[-1] += word
        else:
            out.append(word)
    return out


def cut(text: str) -> list[str]:
    segment._get_tokenizer()
    cutter = segment._cutter
    assert cutter is not None
    words: list[str] = []
    for block in segment._blocks.split(segment._CODE_PREFIX.sub(r" \1 ", text)):
        if not block:
            continue
        if segment._blocks.match(block):
            words.extend(cutter.cut(block))
        else:
            words.extend(char for part in segment._spaces.split(block) if not segment._spaces.match(part)
                         for char in part)
    return [w for w in words if not w.isspace()]


def clauses(text: str) -> list[str]:
    out = []
    for clause in label._CLAUSE.split(text):
        clause = _PARTICLES.sub("", _OPENERS.sub("", clause.strip()))
        if clause:
            out.append(clause)
    return out


def member_candidates(texts: Sequence[str], anchors: Sequence[str]) -> list[set[str]]:
    return [set().union(*(label._candidates(r) for c in clauses(t) for r in label._runs(c)
                          if not anchors or any(w in r for w in anchors))) for t in texts]
