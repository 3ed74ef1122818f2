"""Text normalisation for opinions: what the people typed, made safe to show and uniform to analyse.

Two entry points with different contracts:

* :func:`clean` keeps the text as the person wrote it (characters, punctuation, emoji) but strips HTML and script,
  control characters and runs of whitespace, and caps the length. Use it for anything shown back to people.
* :func:`normalize` goes further for analysis only: Unicode NFKC (full-width letters, digits and punctuation become
  half-width), traditional → simplified characters (a table of about 1,500 common characters shipped in
  ``data/t2s.txt``), lower case, emoji and pictographs removed. Never show its output.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache
from importlib import resources

MAX_CHARS = 2000
"""Default cap on the characters of one opinion; longer text is cut (a wall of text is not a louder voice)."""

_SCRIPT = re.compile(r"<\s*(script|style|iframe|object|embed)\b.*?(<\s*/\s*\1\s*>|$)", re.IGNORECASE | re.DOTALL)
_COMMENT = re.compile(r"<!--.*?(-->|$)", re.DOTALL)
_BREAK = re.compile(r"<\s*(br|p|div|li|tr|h[1-6])\b[^>]*>", re.IGNORECASE)
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\ufeff]")
_SPACE = re.compile(r"\s+")
_BETWEEN_IDEOGRAPHS = re.compile(r"[^\u4e00-\u9fff]+")
_EMOJI = re.compile(
    "["
    "\U0001f000-\U0001faff"  # mahjong, cards, emoticons, pictographs, transport, supplemental symbols
    "\U00002600-\U000027bf"  # miscellaneous symbols and dingbats
    "\U00002b00-\U00002bff"  # arrows and stars used as emoji
    "\U0001f1e6-\U0001f1ff"  # regional indicators (flags)
    "\U000e0020-\U000e007f"  # tag characters
    "\ufe0e\ufe0f\u200d\u20e3"  # variation selectors, zero-width joiner, keycap
    "]+"
)


@lru_cache(maxsize=1)
def _t2s_table() -> dict[int, str]:
    """Return the traditional → simplified translation table for :meth:`str.translate`."""
    text = resources.files(__package__).joinpath("data/t2s.txt").read_text(encoding="utf-8")
    table: dict[int, str] = {}
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        for pair in line.split():
            if len(pair) == 2 and pair[0] != pair[1]:
                table[ord(pair[0])] = pair[1]
    return table


@lru_cache(maxsize=1)
def _traditional() -> re.Pattern[str]:
    """Return a pattern matching any character :func:`to_simplified` changes (most texts have none)."""
    return re.compile("[" + "".join(re.escape(chr(code)) for code in sorted(_t2s_table())) + "]")


def _nfkc_run(match: re.Match[str]) -> str:
    run = match.group()
    return run if run.isascii() else unicodedata.normalize("NFKC", run)


def nfkc(text: str) -> str:
    """Return ``unicodedata.normalize("NFKC", text)``, normalising only the runs between Chinese characters.

    CJK unified ideographs (U+4E00–U+9FFF) are their own NFKC form, combine with nothing and decompose into
    nothing, so the NFKC form of a text is that of each run between them, and pure ASCII runs are already in NFKC
    form; most of a Chinese text is ideographs, which NFKC is slow to walk through.
    """
    if unicodedata.is_normalized("NFKC", text):  # a quick check; text normalised before is common
        return text
    return _BETWEEN_IDEOGRAPHS.sub(_nfkc_run, text)


def strip_html(text: str) -> str:
    """Return ``text`` without script/style blocks, comments and tags, with entities decoded.

    Block tags (``<br>``, ``<p>`` …) become spaces so words on either side do not run together.
    """
    if "<" in text:
        text = _SCRIPT.sub(" ", text)
        text = _COMMENT.sub(" ", text)
        text = _BREAK.sub(" ", text)
        text = _TAG.sub("", text)
    if "&" in text:
        text = html.unescape(text)
    return text


def clean(text: str | None, *, max_chars: int = MAX_CHARS) -> str:
    """Return ``text`` fit to show: no HTML or script, no control characters, single spaces, at most ``max_chars``.

    ``None`` and blank input give ``""``. Characters, punctuation and emoji are kept as written.
    """
    if not text:
        return ""
    # Markup rarely triples a text's length: cutting the raw text first bounds the work on a huge paste.
    text = strip_html(str(text)[: max_chars * 4])
    text = _CONTROL.sub("", text)
    text = _SPACE.sub(" ", text).strip()
    return text[:max_chars].rstrip()


def to_simplified(text: str) -> str:
    """Return ``text`` with common traditional characters replaced by their simplified forms."""
    return text.translate(_t2s_table()) if _traditional().search(text) else text


def strip_emoji(text: str) -> str:
    """Return ``text`` with emoji and pictographs replaced by a space."""
    return _EMOJI.sub(" ", text)


def normalize(text: str | None, *, max_chars: int = MAX_CHARS) -> str:
    """Return the analysis form of ``text``: :func:`clean`, then NFKC, simplified, lower case, emoji removed.

    Full-width ASCII (``Ａ３区``, ``１２３``, ``，``) becomes half-width through NFKC; whitespace is collapsed again
    after emoji removal; the result has at most ``max_chars`` characters.
    """
    text = clean(text, max_chars=max_chars)
    if not text:
        return ""
    text = nfkc(text)
    text = to_simplified(text).lower()
    text = strip_emoji(text)
    return _SPACE.sub(" ", text).strip()


def is_blank(text: str | None) -> bool:
    """Return True when ``text`` has nothing left to analyse (empty, only whitespace, tags or emoji)."""
    return not normalize(text)
