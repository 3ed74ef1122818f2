"""Sparse TF-IDF vectors of opinions for the topic miner, with places told apart from problems.

Terms of one opinion (:func:`opinion_terms`), from its title (counted ``TITLE_REPEAT`` times) and the first
``BODY_CHARS`` characters of its body (once) — the title and opening say what and where:

* problem words: every other content word (噪音, 扰民, 捆绑, 车位, 补课 …);
* place terms, prefixed ``@``: names of concrete places and bodies (:func:`~.segment.is_place_name`), a rare
  word just before such a name (五矿 | 万境), and the words of a *place phrase* — the run of words just before a place ending such as 小区, 苑, 村, 路, 中学
  (魅力之城 | 小区, 伊景园滨河 | 苑) — plus that phrase's character bigrams, prefixed ``#``, which match a name
  that jieba splits differently in two messages;
* the kind of place (机场, 中学, 公园 …: a place ending that is a word of its own), prefixed ``@`` and
  weighted like an administrative place: it belongs to *where* (so two complaints about one airport do not look
  alike in their problem) but says little (two schools are not one place);
* administrative places (a3区, 海盐县, 小区, 本市 …), plain but down-weighted: they say where only vaguely;
* concepts of the synonym lexicon (:mod:`.lexicon`): a word or run of words that is one of its wordings adds the
  concept's canonical word (巴士 → 公交; 老房子 | 空着 | 没人住 → 闲置农房), a problem word that is never a place,
  beside the words as written (kept as plain problem words: messages that use the same phrase keep all they share).
  A concept written in several words counts ``RUN_REPEAT`` (3) times, so that it outweighs the words around it —
  measured on the paraphrase pairs of ``dianti bench paraphrase``. The content words returned for keywords and the
  classifier are the words as written.

Weight of term *t* in opinion *d* (:class:`FeatureSpace`)::

    w(t, d) = (1 + ln count(t, d)) · idf(t) · k(t)        idf(t) = ln((1 + N) / (1 + df(t))) + 1
    k(t) = ADMIN_WEIGHT (0.2) for administrative places and kinds of place, BIGRAM_WEIGHT (0.5) for ``#``
           bigrams, CONDITION_WEIGHT (0.5) · s(t) for the lexicon's conditions (损坏, 噪音), else s(t), the
           word's specificity (:func:`~.segment.specificity`)

and vectors are L2-normalised *including* the terms left out of the vocabulary (seen in one opinion only, or unseen
when transforming a new opinion), each counted with the idf of a term seen once. So the cosine of two vectors is the
cosine of their full TF-IDF vectors, and a new message with mostly unknown words does not look falsely similar.
"""

from __future__ import annotations

import math
import multiprocessing
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import scipy.sparse as sp

from .lexicon import CONDITION_WEIGHT, canonical_runs, is_concept, is_condition
from .segment import (
    FUNCTION_CHARS,
    KEEP_SINGLE,
    cut,
    is_admin_place,
    is_domain_term,
    is_place_name,
    is_taught,
    merge_codes,
    specificity,
    stopwords,
    teach,
    warm_up,
    word_frequency,
)

TITLE_REPEAT = 2
BODY_CHARS = 120
ADMIN_WEIGHT = 0.2
BIGRAM_WEIGHT = 0.5
PHRASE_MAX_CHARS = 8
RUN_REPEAT = 3  # a concept written in several words outweighs them (see the module docstring)
NEIGHBOUR_MAX_FREQ = 200
LOCAL_ADMIN_MAX_SHARE = 0.2
PHRASE_MAX_FREQ = 3000  # a word this common (购买, 人民, 建设) is not part of a name: it ends the phrase
_ENDINGS = "小区 社区 花园 家园 公寓 大厦 广场 新村 村 组 路 街 巷 大道 苑 园 府 庭 湾 城 校区 楼盘 项目 " \
    "中学 小学 学校 幼儿园 医院 公司 市场 公园 机场 车站 码头"
PLACE_ENDINGS = frozenset(_ENDINGS.split())
_CONTENT = re.compile(r"[\u4e00-\u9fffa-z]")
_NUMBER = re.compile(r"^[\d.,%:/-]+$")
_lexicon_on = True


@dataclass(frozen=True)
class Analysed:
    """One opinion's analysis form: its content words (title, then body) and its term counts (see module doc)."""

    title_tokens: tuple[str, ...]
    body_tokens: tuple[str, ...]
    terms: dict[str, int]


def is_place_term(term: str) -> bool:
    """Return True for the place terms of :func:`opinion_terms` (``@`` names and ``#`` place bigrams)."""
    return term[:1] in ("@", "#")


@lru_cache(maxsize=131072)
def _role(word: str) -> str:
    """Return the context-free role of a word (see :func:`_analyse`)."""
    if not _CONTENT.search(word) or _NUMBER.match(word) or (len(word) > 1 and word in stopwords()):
        return ""
    if _lexicon_on and is_concept(word):
        return "c"  # a problem the lexicon knows: never part of a place
    if is_admin_place(word):
        return "a"
    if word in PLACE_ENDINGS and len(word) > 1:
        return "e"
    if len(word) == 1:
        return "s"  # a single character: part of a phrase, a word only if it names a thing
    return "p" if is_place_name(word) else "w"


def clear_caches() -> None:
    """Forget cached word roles and title analyses (after the segmenter learned new words)."""
    _role.cache_clear()
    _written.cache_clear()
    _title_terms.cache_clear()


def use_lexicon(enabled: bool) -> None:
    """Turn the synonym lexicon on (the default) or off — off only to measure what it adds — and forget what was
    analysed with the other setting."""
    global _lexicon_on
    _lexicon_on = enabled
    clear_caches()


def add_words(words: list[str]) -> None:
    """Teach the segmenter extra words (e.g. an organization's village and estate names) and forget the word roles
    cached from what it said before."""
    teach(words)
    clear_caches()


def _analyse(text: str, counts: Counter[str], repeat: int, title_places: set[str] | None = None) -> list[str]:
    """Add the terms of normalised ``text`` to ``counts`` ``repeat`` times; return its content words.

    For a body, ``title_places`` are the title's place words: an unknown word of the body is a place only if the
    title names it too, or if a place ending follows it — the body's other unknown words are as often what is wrong
    (扬尘, 围挡) as where.
    """
    runs = canonical_runs(merge_codes(cut(text))) if _lexicon_on else [(w, (w,)) for w in merge_codes(cut(text))]
    words = [word for word, _run in runs]
    roles, phrases = _roles(words, title_places)
    # counts.get, not counts[t] += …: a term new to the Counter is one call to its __missing__ fewer, and it is
    # inserted at the same place (the order of terms is the order of the vector's sums).
    get = counts.get
    tokens: list[str] = []
    for (word, run), role in zip(runs, roles, strict=True):
        if role == "" or (role == "s" and word not in KEEP_SINGLE):
            continue
        term = "@" + word if role in ("p", "e") else word
        counts[term] = get(term, 0) + repeat * (RUN_REPEAT if len(run) > 1 else 1)
        if role != "c":
            tokens.append(word)
            continue
        written = _written(run)
        tokens.extend(written)
        for w in written:
            if w != word:
                counts[w] = get(w, 0) + repeat
    # Bigrams of every name too: 星沙凉塘路 (one word) and 星沙 | 凉塘路 (two) must meet on 凉塘 and 塘路.
    phrases.extend(w for w, r in zip(words, roles, strict=True) if r == "p" and len(w) >= 3)
    for phrase in phrases:
        for k in range(len(phrase) - 1):
            bigram = "#" + phrase[k : k + 2]
            counts[bigram] = get(bigram, 0) + repeat
    return tokens


def _roles(words: list[str], title_places: set[str] | None) -> tuple[list[str], list[str]]:
    """Return the role of each word — "" skip, "a" admin place, "e" place ending (机场, 中学), "s" single char,
    "p" place name, "w" problem word, "c" a concept of the lexicon (a problem word that never becomes a place) —
    and the place phrases (see :func:`_analyse`)."""
    roles = list(map(_role, words))
    if title_places is not None:
        roles = ["w" if r == "p" and w not in title_places and not is_taught(w) else r
                 for w, r in zip(words, roles, strict=True)]
    # A rare word just before a name is part of it: 五矿 | 万境 is one estate, not a problem "五矿". Only before:
    # what follows a name is usually what is wrong there (圩苑 | 网格员).
    for i in [i for i, role in enumerate(roles) if role == "p"]:
        j = i - 1
        if j >= 0 and roles[j] == "w" and word_frequency(words[j]) < NEIGHBOUR_MAX_FREQ and not is_domain_term(words[j]):
            roles[j] = "p"
    phrases: list[str] = []
    for i in [i for i, word in enumerate(words) if i and word in PLACE_ENDINGS]:
        word, j, phrase = words[i], i, ""
        while (j > 0 and roles[j - 1] in ("p", "w", "s") and words[j - 1] not in PLACE_ENDINGS
               and (len(words[j - 1]) == 1 or word_frequency(words[j - 1]) < PHRASE_MAX_FREQ)):
            if len(phrase) + len(words[j - 1]) > PHRASE_MAX_CHARS or words[j - 1] in FUNCTION_CHARS:
                break
            j -= 1
            phrase = words[j] + phrase
        if len(phrase) >= 2:
            phrases.append(phrase + word if len(word) == 1 else phrase)
            for k in range(j, i):
                if roles[k] in ("w", "s") and len(words[k]) > 1:
                    roles[k] = "p"
    return roles, phrases


@lru_cache(maxsize=1 << 14)
def _written(run: tuple[str, ...]) -> tuple[str, ...]:
    """Return the content words of a lexicon match as written (keywords and the classifier read those)."""
    return tuple(w for w in run if _role(w) not in ("", "a", "e") and (len(w) > 1 or w in KEEP_SINGLE))


def opinion_terms(title: str, body: str) -> Analysed:
    """Return the analysis form of one opinion from its *normalised* title and body (see the module docstring)."""
    title_tokens, title_counts = _title_terms(title) if title else ((), ())
    counts: Counter[str] = Counter(dict(title_counts))
    title_places = {t[1:] for t in counts if t.startswith("@")}
    body_tokens = _analyse(body[:BODY_CHARS], counts, 1, title_places) if body else []
    return Analysed(tuple(title_tokens), tuple(body_tokens), dict(counts))


@lru_cache(maxsize=1 << 15)
def _title_terms(title: str) -> tuple[tuple[str, ...], tuple[tuple[str, int], ...]]:
    """Return the content words and term counts of a normalised title (many opinions repeat a title)."""
    counts: Counter[str] = Counter()
    tokens = _analyse(title, counts, TITLE_REPEAT)
    return tuple(tokens), tuple(counts.items())


def _analyse_pair(pair: tuple[str, str]) -> Analysed:
    return opinion_terms(*pair)


def analyse_many(pairs: Sequence[tuple[str, str]], workers: int = 1) -> list[Analysed]:
    """Return :func:`opinion_terms` of each normalised ``(title, body)``; ``workers`` > 1 splits a large batch
    (1,000 or more) over that many forked processes, which share the already-loaded dictionary."""
    warm_up()
    # A daemonic process (a Celery prefork worker) may not have children: it segments alone.
    can_fork = "fork" in multiprocessing.get_all_start_methods() and not multiprocessing.current_process().daemon
    if workers > 1 and len(pairs) >= 1000 and can_fork:
        # In order of title and text: copies of one message (the same title, the same clauses) go to one worker in
        # one batch, whose caches then segment them once, instead of every worker segmenting each of them.
        order = sorted(range(len(pairs)), key=pairs.__getitem__)
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            analysed = _shared(pool.imap(_analyse_pair, [pairs[i] for i in order], chunksize=256))
        out: list[Analysed] = [analysed[0]] * len(pairs)
        for k, i in enumerate(order):
            out[i] = analysed[k]
        return out
    return [_analyse_pair(p) for p in pairs]


def _shared(results: Iterable[Analysed]) -> list[Analysed]:
    """Return ``results`` with one string object per distinct word: each batch from a worker arrives with its own
    copies, hundreds of megabytes for 100,000 opinions."""
    pool: dict[str, str] = {}
    share = pool.setdefault
    return [Analysed(tuple([share(w, w) for w in a.title_tokens]), tuple([share(w, w) for w in a.body_tokens]),
                     {share(t, t): c for t, c in a.terms.items()}) for a in results]


def term_weight(term: str) -> float:
    """Return k(t): the fixed multiplier of a term (see the module docstring)."""
    if term.startswith("#"):
        return BIGRAM_WEIGHT
    if term[1:] in PLACE_ENDINGS:
        return ADMIN_WEIGHT
    if is_admin_place(term):
        return ADMIN_WEIGHT
    return specificity(term) * (CONDITION_WEIGHT if _lexicon_on and is_condition(term) else 1.0)


def place_mask(space: FeatureSpace) -> np.ndarray[Any, np.dtype[np.bool_]]:
    """Return, per column of ``space``, whether it tells *where*: a place term, or an administrative place that
    only some opinions name (a district among a city's messages, a village among a town's). One that most opinions
    name (the city itself, the organization's own town) says nothing about where and is not counted."""
    mask = np.zeros(len(space.vocabulary), dtype=bool)
    for term, j in space.vocabulary.items():
        mask[j] = is_place_term(term) or term in space.local_admin
    return mask


@dataclass
class FeatureSpace:
    """A fitted vocabulary with per-term ``idf(t)·k(t)``; picklable, so an organization's state can be stored."""

    vocabulary: dict[str, int] = field(default_factory=dict)
    weights: np.ndarray[Any, np.dtype[np.float64]] = field(default_factory=lambda: np.zeros(0))
    local_admin: frozenset[str] = frozenset()
    n_docs: int = 0
    unseen_idf: float = 1.0

    @classmethod
    def fit(cls, docs: Sequence[dict[str, int]], min_df: int = 1) -> FeatureSpace:
        """Return the space of terms present in at least ``min_df`` of ``docs`` (1 when there are fewer than 10).

        Keep ``min_df`` at 1 when the space serves :func:`~.pipeline.assign`: a word seen once at mining time is
        exactly what lets a newcomer find the one opinion it repeats.
        """
        n = len(docs)
        df: Counter[str] = Counter()
        for terms in docs:
            df.update(terms.keys())
        floor = min_df if n >= 10 else 1
        kept = sorted(t for t, c in df.items() if c >= floor)
        vocabulary = {t: i for i, t in enumerate(kept)}
        weights = np.array([(math.log((1 + n) / (1 + df[t])) + 1) * term_weight(t) for t in kept], dtype=np.float64)
        local = frozenset(t for t in kept if is_admin_place(t) and df[t] <= LOCAL_ADMIN_MAX_SHARE * n)
        return cls(vocabulary, weights, local, n, math.log((1 + n) / 2) + 1)

    def __getstate__(self) -> dict[str, Any]:
        # The terms in column order (the dictionary's insertion order, see fit) pickle faster than the dictionary;
        # it is rebuilt on load.
        state = dict(self.__dict__)
        state["vocabulary"] = tuple(self.vocabulary)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        terms = state["vocabulary"]
        state["vocabulary"] = {t: i for i, t in enumerate(terms)} if not isinstance(terms, dict) else terms
        self.__dict__.update(state)

    def transform(self, docs: Iterable[dict[str, int]]) -> Any:
        """Return the L2-normalised CSR matrix (float32) of ``docs`` in this space.

        All terms of all documents at once: a dictionary look-up per term, the arithmetic in numpy — the same
        floating-point operations in the same order as one term at a time, so the same values.
        """
        docs = list(docs)
        sizes = np.fromiter((len(d) for d in docs), dtype=np.int64, count=len(docs))
        terms = [t for d in docs for t in d]
        counts = np.fromiter((c for d in docs for c in d.values()), dtype=np.int64, count=len(terms))
        vocabulary = self.vocabulary
        columns = np.fromiter((vocabulary.get(t, -1) for t in terms), dtype=np.int64, count=len(terms))
        doc = np.repeat(np.arange(len(docs)), sizes)
        tf = _tf(int(counts.max(initial=1)))[counts]
        known = columns >= 0
        values = tf[known] * self.weights[columns[known]]
        unseen = np.flatnonzero(~known)
        missing = tf[unseen] * self.unseen_idf * np.array([term_weight(terms[k]) for k in unseen], dtype=np.float64)
        # float even when no term is known (bincount of nothing is an integer array)
        squares = np.bincount(doc[known], weights=values * values, minlength=len(docs)).astype(np.float64)
        squares += np.bincount(doc[unseen], weights=missing * missing, minlength=len(docs))
        norms = np.sqrt(squares)
        norms[norms == 0] = 1.0
        indptr = np.concatenate([[0], np.cumsum(np.bincount(doc[known], minlength=len(docs)))])
        return sp.csr_matrix(
            ((values / norms[doc[known]]).astype(np.float32), columns[known].astype(np.int32), indptr),
            shape=(len(docs), len(vocabulary)),
        )


@lru_cache(maxsize=8)
def _tf(top: int) -> np.ndarray[Any, np.dtype[np.float64]]:
    """Return ``1 + ln c`` for each count ``c`` in ``0 … top`` (``math.log``'s values; 0 is never used)."""
    return np.array([0.0] + [1.0 + math.log(c) for c in range(1, top + 1)], dtype=np.float64)
