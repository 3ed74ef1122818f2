"""Chinese word segmentation with jieba, a domain dictionary and a stopword list, all shipped in ``data/``.

jieba is initialised lazily on the first call (about one second) and quietly: importing this module prints nothing
and never touches jieba. A private :class:`jieba.Tokenizer` is used so the process-wide ``jieba`` default stays as
other code left it.

Contract of :func:`tokenize`: input is already :func:`~dianti.voices.mining.normalize.normalize`-d text; output is
the list of content tokens in order — stopwords, punctuation, pure numbers and most single characters dropped;
district codes such as ``a3区`` / ``a市`` kept as one token. :func:`is_admin_place` tells which tokens are
administrative places (county, town, street, generic 小区/社区 …), which the topic miner down-weights.
"""

from __future__ import annotations

import logging
import math
import re
import threading
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from . import dictcache
from .route import RouteCutter

_lock = threading.Lock()
_tokenizer: Any = None
_cutter: RouteCutter | None = None
_taught: set[str] = set()
_blocks: Any = None  # jieba's own patterns: runs of word characters (cut one by one), and spaces
_spaces: Any = None
BLOCK_CACHE = 1 << 18  # the distinct pieces of 100,000 opinions, in a segmenting process

# Single characters that name a concrete thing people complain about; every other single character is dropped.
KEEP_SINGLE = frozenset("水电气路灯桥河塘房车树狗猫鸡猪鱼菜米油烟臭堵漏雨")
_ADMIN_SUFFIX = re.compile(r"^[\u4e00-\u9fff]{1,4}(省|市|县|街道|镇|乡)$")
_DISTRICT = re.compile(r"^([\u4e00-\u9fff]{1,3}|[a-z]\d{0,2})区$")
_CODE_PLACE = re.compile(r"^[a-z]\d{0,2}[省市区县镇乡]$")
_NOT_DISTRICT = frozenset("小园社景片校厂矿营库")
_WORDLIKE = re.compile(r"[\u4e00-\u9fffa-z]")
# a3区 / a市 / 西地省 written before a name: split them off so the HMM cannot glue 市 + 梅 into one word.
_CODE_PREFIX = re.compile(r"([a-z]\d{0,2}[省市区县]|[\u4e00-\u9fff]{2}省)")
# Endings of named places (estates, roads, villages, schools); a rare word with one of them is a place name.
_PLACE_ENDING = re.compile(r"(小区|花园|家园|公寓|大厦|广场|新村|社区|苑|府|庭|湾|城|村|组|路|街|巷|道|里|中学|小学|学校|学院|医院|公司|机场|车站|码头|号线|号楼)$")
_NAME_MAX_FREQ = 300
_NUMBERED = frozenset(("号线", "号楼", "栋", "单元", "期", "组", "号"))
# Function characters: a word the HMM made with one of them (我要, 交了, 不买) is grammar, not a name.
FUNCTION_CHARS = frozenset("了的是要不我你他她这那还吗就都也在被把给很太会没有说让得着过呢吧啊")
_NUMBER = re.compile(r"^[\d.,%:/-]+$")


def _data(name: str) -> str:
    return resources.files(__package__).joinpath(f"data/{name}").read_text(encoding="utf-8")


def _words(name: str) -> list[str]:
    return [w for line in _data(name).splitlines() if not line.startswith("#") for w in line.split()]


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """Return the shipped stopword set."""
    return frozenset(_words("stopwords.txt"))


@lru_cache(maxsize=1)
def admin_places() -> frozenset[str]:
    """Return the shipped list of administrative place names (towns, streets, county, generic 小区/社区 …)."""
    return frozenset(_words("places.txt"))


@lru_cache(maxsize=1)
def domain_words() -> dict[str, str]:
    """Return the shipped domain dictionary: word → jieba tag (``ns`` for places, ``n`` for terms)."""
    words: dict[str, str] = {}
    for line in _data("userdict.txt").splitlines():
        parts = line.split()
        if parts and not line.startswith("#"):
            words[parts[0]] = parts[1] if len(parts) > 1 else ""
    return words


def is_domain_term(word: str) -> bool:
    """Return True for a Party-building or governance term of the domain dictionary (网格员, 垃圾分类 …)."""
    return domain_words().get(word, "ns") != "ns"


def _get_tokenizer() -> Any:
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                import jieba

                global _blocks, _spaces, _cutter
                _blocks, _spaces = jieba.re_han_default, jieba.re_skip_default
                logging.getLogger("jieba").setLevel(logging.ERROR)
                jieba.setLogLevel(logging.ERROR)
                tokenizer, _cutter = _prepared(jieba)
                _tokenizer = tokenizer
    return _tokenizer


def _prepared(jieba: Any) -> tuple[Any, RouteCutter]:
    """Return jieba's tokenizer with the shipped dictionary changes, and its cutter: read from the dictionary cache
    when one was written for the same jieba and the same ``data/`` files, else made (about a second) and cached."""
    from jieba import finalseg

    path = _dictionary_cache(jieba)
    tokenizer = jieba.Tokenizer()
    cached = dictcache.load(path)
    if cached is not None and len(cached) == 4:
        tokenizer.FREQ, tokenizer.total, tokenizer.user_word_tag_tab, logp = cached
        tokenizer.initialized = True
        for word in _words("unwords.txt"):  # del_word's other effect: the HMM never makes the word either
            finalseg.add_force_split(word)
        return tokenizer, RouteCutter(tokenizer, logp)
    tokenizer.initialize()
    for word, tag in domain_words().items():
        tokenizer.add_word(word, None, tag or None)
    for word in _words("unwords.txt"):
        tokenizer.del_word(word)
    for place in sorted(admin_places()):  # in a fixed order: each word added shifts the next one's frequency
        if len(place) > 1:
            tokenizer.add_word(place, None, "ns")
    cutter = RouteCutter(tokenizer)
    dictcache.store(path, (tokenizer.FREQ, tokenizer.total, tokenizer.user_word_tag_tab, cutter.logp))
    return tokenizer, cutter


def _dictionary_cache(jieba: Any) -> Path | None:
    """Return the cache file of the prepared dictionary (None when caching is off): named by jieba's version and
    dictionary file and by the shipped word lists, so any change to them makes a new one."""
    dictionary = Path(jieba.__file__).parent / jieba.DEFAULT_DICT_NAME
    stat = dictionary.stat()
    parts = [jieba.__version__, str(dictionary), str(stat.st_size), str(stat.st_mtime_ns)]
    parts += [_data(name) for name in ("userdict.txt", "unwords.txt", "places.txt")]
    return dictcache.path("segment", parts)


def warm_up() -> None:
    """Initialise jieba now (about one second) rather than on the first :func:`tokenize`."""
    _get_tokenizer()


def teach(words: list[str]) -> None:
    """Teach the segmenter extra words (e.g. an organization's village and estate names).

    Caches built on the segmenter's answers above this module are not cleared here: call
    :func:`~dianti.voices.mining.features.add_words`, which teaches and then forgets them.
    """
    tokenizer = _get_tokenizer()
    for word in words:
        if word.strip():
            tokenizer.add_word(word.strip(), None, "ns")
            _taught.add(word.strip())
    global _cutter
    _cutter = RouteCutter(tokenizer)
    is_place_name.cache_clear()
    _cut_piece.cache_clear()


@lru_cache(maxsize=65536)
def is_admin_place(token: str) -> bool:
    """Return True for administrative or generic place tokens: 海盐县, 武原街道, a3区, 小区, 本市 …

    Named estates, roads, villages and schools (魅力之城, 三一大道, 丰义村) are *not* administrative: they are the
    concrete place of a problem.
    """
    if token in admin_places() or _CODE_PLACE.match(token) or _ADMIN_SUFFIX.match(token):
        return True
    match = _DISTRICT.match(token)
    return bool(match) and token[-2] not in _NOT_DISTRICT


_JOINS_CODE = frozenset("省市区县镇乡")
_JOINS = _JOINS_CODE | _NUMBERED
_CODE = re.compile(r"[a-z]\d{0,2}")


def merge_codes(words: list[str]) -> list[str]:
    """Join the splits jieba makes on codes: ``a3`` + ``区`` → ``a3区``, ``3`` + ``号线`` → ``3号线``."""
    out: list[str] = []
    joins, code = _JOINS, _CODE.fullmatch
    for word in words:
        # Most words join nothing: one set look-up for them.
        if word in joins and out and ((word in _JOINS_CODE and code(out[-1])) or (word in _NUMBERED
                                                                                   and out[-1].isdigit())):
            out[-1] += word
        else:
            out.append(word)
    return out


def cut(text: str) -> list[str]:
    """Return every jieba word of ``text`` (no filtering); the HMM joins unknown names such as 魏家坡.

    The words are those of ``jieba.Tokenizer.cut(text, HMM=True)``, spaces left out. jieba cuts each run of word
    characters on its own (punctuation ends a run), so each piece of text between two runs, and each run, is
    remembered with its words: a clause that opinions repeat (a greeting, a copied petition, the same title) is
    segmented once, and a text costs a look-up per piece.
    """
    _get_tokenizer()
    cutter = _cutter
    assert cutter is not None  # made with the tokenizer
    words: list[str] = []
    for piece in _blocks.split(_CODE_PREFIX.sub(r" \1 ", text)):
        if piece:
            words += _cut_piece(piece, cutter)
    return words


@lru_cache(maxsize=BLOCK_CACHE)
def _cut_piece(piece: str, cutter: RouteCutter) -> tuple[str, ...]:
    """Return the words of one piece of :func:`cut`'s split: a run of word characters cut as jieba's per-run cut
    (its private __cut_DAG) by the faster equivalent of .route; any other piece, its characters but spaces."""
    if _blocks.match(piece):
        words: Iterable[str] = cutter.cut(piece)
    else:
        words = (char for part in _spaces.split(piece) if not _spaces.match(part) for char in part)
    return tuple(w for w in words if not w.isspace())


def word_frequency(word: str) -> int:
    """Return jieba's dictionary frequency of ``word`` (0 for a word jieba does not know)."""
    return int(_get_tokenizer().FREQ.get(word, 0))


def is_taught(word: str) -> bool:
    """Return True for a place name taught with :func:`teach`."""
    return word in _taught


@lru_cache(maxsize=65536)
def is_place_name(token: str) -> bool:
    """Return True when ``token`` looks like the name of a concrete place or body (魏家坡, 伊景园, 润芳园).

    A name is a content word jieba's dictionary does not know (its HMM found it), a word taught with
    :func:`teach`, or a rare word with a place ending (小区, 苑, 村, 路, 中学 …). Administrative places are not
    names: they are too wide to say *where* (see :func:`is_admin_place`).
    """
    if len(token) < 2 or token.isascii() or is_admin_place(token) or token in stopwords() or is_domain_term(token):
        return False
    if token in _taught:
        return True
    if FUNCTION_CHARS.intersection(token):
        return False
    frequency = word_frequency(token)
    if frequency == 0:
        return True
    return frequency < _NAME_MAX_FREQ and len(token) >= 3 and bool(_PLACE_ENDING.search(token))


def tokenize(text: str) -> list[str]:
    """Return the content tokens of normalised ``text`` (see the module docstring for the contract)."""
    if not text:
        return []
    stop = stopwords()
    tokens: list[str] = []
    for word in merge_codes(cut(text)):
        if word in stop or not _WORDLIKE.search(word) or _NUMBER.match(word):
            continue
        if len(word) == 1 and word not in KEEP_SINGLE:
            continue
        tokens.append(word)
    return tokens


GENERIC_INFO = 3.5  # log10(total / freq) at or below which a word is as common as 希望 or 孩子
SPECIFIC_INFO = 5.0  # at or above which a word is as specific as 路灯 or 损坏


@lru_cache(maxsize=200_000)
def specificity(word: str) -> float:
    """Return how specific ``word`` is in general Chinese, from 0.25 (常用词 like 希望, 晚上) to 1 (路灯, 垃圾桶).

    s(w) = clip(0.25 + 0.75 · (I(w) − 3.5) / 1.5, 0.25, 1),  I(w) = log10(N / f(w)), with f(w) the word's count in
    jieba's general dictionary (N its total). Words the dictionary does not know — local names, domain compounds
    such as 老年食堂 — count as fully specific. Short opinions share few words, so a shared everyday word (晚上,
    方便) must not weigh as much as a shared concrete object (路灯).
    """
    tokenizer = _get_tokenizer()
    if word in domain_words():
        return 1.0
    freq = tokenizer.FREQ.get(word, 0)
    if not freq:
        return 1.0
    info = math.log10(tokenizer.total / freq)
    return float(min(1.0, max(0.25, 0.25 + 0.75 * (info - GENERIC_INFO) / (SPECIFIC_INFO - GENERIC_INFO))))
