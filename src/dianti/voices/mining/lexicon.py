"""The grassroots-governance synonym lexicon: different wordings of one concern become one concept word.

``data/lexicon.txt`` (curated, kept in the repository, nothing downloads) lists one concept a line — its canonical
word first, then the ways people say it (闲置农房 闲置房屋 老房子空着没人住 空房子 …). :func:`canonical_words`
rewrites a segmented text so that :mod:`.features` sees the canonical word wherever a variant was written, so
"闲置农房" and "老房子空着没人住" share a term, as do "路灯坏了" and "灯不亮".

Contract of the match: a variant matches a run of *whole* words whose concatenation it is (闲置 | 农房, 老房子 | 空着
| 没人住), longest run first, left to right; never part of a word, so 闲置厂房 is not 闲置农房 and 破坏 is not 坏.
Concepts are problem words, never places: :mod:`.features` gives them their own role, so an unknown wording the
segmenter would have taken for a name (老房子空着) no longer counts as *where*. Concepts of the ``[状况]`` section
(损坏, 噪音, 太少 …: what is wrong rather than with what) weigh :data:`CONDITION_WEIGHT`, so two different concerns
that only share a condition (broken lamps, broken roads) stay apart; those of ``[人群]`` (老人, 儿童: who) weigh as
usual but, like conditions, never say on their own that two topics are one concern (:func:`is_subject`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

CONDITION_WEIGHT = 0.5
MAX_WORDS = 6  # the longest run of words one variant may span
CONDITIONS = "状况"
PEOPLE = "人群"


@dataclass(frozen=True)
class Lexicon:
    """Variants → canonical word, the set of every prefix of a variant (to stop a run early), and the canonical
    words of the condition section."""

    canonical: dict[str, str]
    prefixes: frozenset[str]
    conditions: frozenset[str]
    people: frozenset[str] = frozenset()

    @classmethod
    def parse(cls, text: str) -> Lexicon:
        """Return the lexicon of ``text`` in the format of ``data/lexicon.txt`` (see its header)."""
        canonical: dict[str, str] = {}
        sections: dict[str, set[str]] = {CONDITIONS: set(), PEOPLE: set()}
        section = ""
        for line in text.splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("[") and line.endswith("]"):
                section = line[1:-1].strip()
                continue
            head, *variants = line.split()
            for variant in (head, *variants):
                canonical.setdefault(variant, head)  # the first concept to claim a wording keeps it
            sections.setdefault(section, set()).add(head)
        prefixes = frozenset(v[:k] for v in canonical for k in range(1, len(v) + 1))
        return cls(canonical, prefixes, frozenset(sections[CONDITIONS]), frozenset(sections[PEOPLE]))

    @property
    def concepts(self) -> frozenset[str]:
        """Return the canonical words."""
        return frozenset(self.canonical.values())

    def groups(self) -> dict[str, list[str]]:
        """Return each canonical word with its variants (itself first)."""
        out: dict[str, list[str]] = {}
        for variant, head in self.canonical.items():
            out.setdefault(head, []).append(variant)
        return out


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    """Return the shipped lexicon (``data/lexicon.txt``)."""
    return Lexicon.parse(resources.files(__package__).joinpath("data/lexicon.txt").read_text(encoding="utf-8"))


def _longest_at(words: Sequence[str], i: int, lexicon: Lexicon) -> tuple[str, int] | None:
    """Return the canonical word and end of the longest variant that starts at word ``i``, or None."""
    found: tuple[str, int] | None = None
    run = ""
    for j in range(i, min(len(words), i + MAX_WORDS)):
        run += words[j]
        if run not in lexicon.prefixes:
            break
        head = lexicon.canonical.get(run)
        if head is not None:
            found = (head, j + 1)
    return found


def canonical_runs(words: Sequence[str], lexicon: Lexicon | None = None) -> list[tuple[str, tuple[str, ...]]]:
    """Return each word of ``words`` — or the canonical word of a run of words that is a variant (see the module
    docstring) — with the words it stands for, in order."""
    lexicon = lexicon or default_lexicon()
    prefixes = lexicon.prefixes
    out: list[tuple[str, tuple[str, ...]]] = []
    append = out.append
    i, n = 0, len(words)
    while i < n:
        word = words[i]
        found = _longest_at(words, i, lexicon) if word in prefixes else None
        if found is None:
            append((word, (word,)))
            i += 1
        else:
            append((found[0], tuple(words[i : found[1]])))
            i = found[1]
    return out


def canonical_words(words: Sequence[str], lexicon: Lexicon | None = None) -> list[str]:
    """Return ``words`` with every run of words that is a variant replaced by its canonical word."""
    return [word for word, _run in canonical_runs(words, lexicon)]


def is_concept(word: str) -> bool:
    """Return True for a canonical word of the shipped lexicon."""
    return word in _concepts()


def is_condition(word: str) -> bool:
    """Return True for a canonical word of the lexicon's condition section (损坏, 噪音 …)."""
    return word in default_lexicon().conditions


@lru_cache(maxsize=1)
def _concepts() -> frozenset[str]:
    return default_lexicon().concepts


def is_subject(word: str) -> bool:
    """Return True for a concept that can say what a concern is about: not a condition (损坏) nor a group of people
    (老人)."""
    lexicon = default_lexicon()
    return is_concept(word) and word not in lexicon.conditions and word not in lexicon.people


def shared_concepts(a: Iterable[str], b: Iterable[str]) -> list[str]:
    """Return the concept words in both ``a`` and ``b`` (in ``a``'s order), conditions last."""
    other = set(b)
    both = [w for w in dict.fromkeys(a) if w in other and is_concept(w)]
    return sorted(both, key=is_condition)
