"""Labels for topics: a concern name a secretary can be given, a short readable title and the top keywords.

* Concern name (:func:`concern_name`): a 4–12 character phrase in the shape action + object ("盘活闲置农房",
  "修复路灯", "开放文化礼堂") or, lacking an action, object + problem ("路灯不亮"). The object is the stretch of
  text the most members share — maximal runs of 2–8 characters without function characters, scored by how many
  members use them, and by how specific to the topic they are (its c-TF-IDF keywords, when given). The action is
  the request verb the most members use (修复, 盘活 …), else the one the problem implies (坏了 → 修复, 空着 → 盘活,
  紧锁 → 开放). Openers and particles (我想反映, 个情况, 希望, 嘞, 咯 …) are stripped first. When no object is
  shared, the first clause of the most central opinion that states a problem (not a wish) names the topic if it
  has at most 16 characters ("末班车老早就没了"); the readable title below is the last resort.

* Title: the title (or, lacking one, the first sentence) of the topic's most central opinion — the member whose
  vector has the highest cosine with the topic centroid — with leading boilerplate (关于, 反映 …) removed and cut to
  ``TITLE_CHARS`` characters. A real sentence a person wrote reads better than a list of words.
* Keywords: class-based TF-IDF (c-TF-IDF, as in BERTopic) over topics::

      w(t, c) = tf(t, c) / |c| · ln(1 + A / f(t))

  where tf(t, c) counts c's distinct people who used word t — 2 for one who used it in a title, 1 in a body only
  (a person counts once, so one long letter or one person's repeated letters cannot set a topic's keywords), |c| the sum of tf over c's words, f(t) the sum of tf(t, ·) over all topics,
  and A the average of |c| over topics. Administrative places (a3区, 海盐县) are not keywords, and when at least
  ``k`` words have tf ≥ 3 (in two people's texts, or in one title and one body), those come first.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from .segment import is_admin_place

TITLE_CHARS = 30
_LEADING = re.compile(r"^(关于|反映|投诉|举报|建议|咨询|请问|请求|恳请|强烈要求|希望|我要|有关)[:：,，\s]*")
_SENTENCE_END = re.compile(r"[。！？!?；;\n]")


def readable_title(title: str, body: str = "", *, max_chars: int = TITLE_CHARS) -> str:
    """Return a short title: ``title`` or the first sentence of ``body``, boilerplate removed, at most ``max_chars``."""
    text = title.strip() or _SENTENCE_END.split(body.strip(), maxsplit=1)[0].strip()
    stripped = _LEADING.sub("", text).strip(" ，,。.!！?？")
    text = stripped or text
    return text if len(text) <= max_chars else text[: max_chars - 1] + "…"


class KeywordIndex:
    """Word counts per topic and over all topics, for c-TF-IDF keywords; updatable as opinions arrive."""

    def __init__(self) -> None:
        self.topic_counts: dict[str, Counter[str]] = {}
        self.total: Counter[str] = Counter()
        self.weight = 0  # the sum of ``total``'s values, kept up to date

    def add(self, topic: str, title_words: Iterable[str], body_words: Iterable[str] = ()) -> None:
        """Count one person's words towards ``topic``: 2 for a word of a title, else 1 for a word of a body.

        Pass the union of a person's words when they wrote several opinions in the topic.
        """
        weights = dict.fromkeys(body_words, 1)
        weights.update(dict.fromkeys(title_words, 2))
        counts, total, added = self.topic_counts.setdefault(topic, Counter()), self.total, 0
        in_topic, overall = counts.get, total.get  # not counts[t] += w: no Counter __missing__ call per new word
        for t, w in weights.items():
            if not is_admin_place(t):
                counts[t] = in_topic(t, 0) + w
                total[t] = overall(t, 0) + w
                added += w
        if hasattr(self, "weight"):  # a state stored before the running sum was kept has none: keywords() makes it
            self.weight += added

    def keywords(self, topic: str, k: int = 5) -> list[str]:
        """Return the ``k`` words of ``topic`` with the highest c-TF-IDF weight (see the module docstring)."""
        counts = self.topic_counts.get(topic)
        if not counts:
            return []
        size = sum(counts.values())
        weight = getattr(self, "weight", None)  # a state stored before the running sum was kept has none
        if weight is None:
            weight = self.weight = sum(self.total.values())
        average = weight / max(1, len(self.topic_counts))
        # Words that at least two members share come first: a word only one letter used rarely names the topic.
        shared = 3 if sum(1 for c in counts.values() if c >= 3) >= k else 1
        scored = sorted(
            ((c >= shared, (c / size) * math.log(1 + average / self.total[t]), t)
             for t, c in counts.items() if len(t) > 1),
            reverse=True,
        )
        return [t for _, _, t in scored[:k]]


NAME_MIN, NAME_MAX = 4, 12
OBJECT_MAX = 8
# Request verbs a concern is phrased with, most specific first (a tie between two goes to the earlier).
ACTIONS = ("盘活", "修复", "修缮", "维修", "更换", "开放", "疏通", "清理", "清运", "整治", "治理", "硬化", "拓宽",
           "加装", "安装", "增设", "增加", "配备", "建设", "改造", "恢复", "规范", "整改")
# Problem cues, what they imply a secretary should do, and the short problem word that names them. A state of a
# place (积水 …) implies no single action: it is named place + problem (门口积水).
PROBLEMS: tuple[tuple[str, str, str], ...] = (
    ("不亮", "修复", "不亮"), ("坏了", "修复", "损坏"), ("坏掉", "修复", "损坏"), ("损坏", "修复", "损坏"),
    ("破损", "修复", "破损"), ("坑洼", "修复", "坑洼"), ("漏水", "修复", "漏水"),
    ("闲置", "盘活", "闲置"), ("空着", "盘活", "闲置"), ("没人住", "盘活", "闲置"), ("空置", "盘活", "闲置"),
    ("紧锁", "开放", "不开放"), ("锁着", "开放", "不开放"), ("关着", "开放", "不开放"), ("不开放", "开放", "不开放"),
    ("不开门", "开放", "不开放"), ("积水", "", "积水"), ("堵塞", "", "堵塞"), ("乱堆", "", "乱堆"),
    ("缺少", "增设", "缺少"), ("太少", "增加", "太少"), ("噪音", "", "噪音扰民"), ("扰民", "", "扰民"),
    ("油烟", "", "油烟扰民"), ("乱收费", "", "乱收费"), ("违规", "", "违规"), ("拖欠", "", "拖欠"),
)
_OPENERS = re.compile(
    r"^(我想反映一下|我想反映|我要反映|反映一下|我反映|想反映|反映个|个情况|一个情况|这个情况|情况是|说个事|"
    r"想问一下|问一下|请问|关于|有关|希望|建议|恳请|请求|强烈要求|麻烦|能不能|可不可以|能否|想办法|尽快|"
    r"老早就想说了|早就想说了|想说一下|村里领导好|领导好|领导|你们好|你好|我是[^，,]{1,8}?的|"
    r"我们村的|我们村|我们|咱们|咱村|俺们|大家)+"
)
_WISH = re.compile(r"^(希望|建议|麻烦|恳请|请求|能不能|可不可以|能否|盼着|盼|请|要求)")
_PARTICLES = re.compile(r"[嘞咯啦呀啊吧呢哦嘛哈噢呗哟]+$")
_CLAUSE = re.compile(r"[。！？!?；;，,、：:\s\n（）()“”\"'…~～]+")
# Characters that do not occur inside the name of a thing (function words, pronouns, degree and time words).
_FUNCTION_CHARS = frozenset("的了是我你他她它们在有没不也都就还很太要想能会说把被让给和与及或吗呢吧啊呀嘞咯哦嘛个这那"
                            "些么什怎样啥着过到看得地又再才已经早晚黑好多少些点里上去来该请望希法修弄搞")
# Words that are not names of things although their characters may be.
_FUNCTION_WORDS = ("办法", "村里", "老早", "老是", "老百姓", "时候", "一下", "一直", "平时", "现在", "目前", "一个", "几个",
                   "天天", "每天", "经常", "总是", "好几", "要命", "附近", "一带", "那边", "这块", "边上")


def _clauses(text: str) -> list[str]:
    """Return ``text``'s clauses with openers and trailing particles stripped."""
    return [clause for raw in _CLAUSE.split(text) if (clause := _stripped(raw))]


@lru_cache(maxsize=1 << 16)
def _stripped(clause: str) -> str:
    """Return ``clause`` without its openers and trailing particles (cached: a topic's members repeat clauses)."""
    return _PARTICLES.sub("", _OPENERS.sub("", clause.strip()))


@lru_cache(maxsize=1 << 17)
def _runs(clause: str) -> tuple[str, ...]:
    """Return the maximal runs of ``clause`` without function characters, problem cues or actions (cached, as
    :func:`_candidates`: the members of a topic repeat their clauses)."""
    masked = clause
    for word in _MASKED_WORDS:
        masked = masked.replace(word, "|")
    return tuple(r for r in masked.translate(_MASK_CHARS).split("|") if len(r) >= 2)


_MASKED_WORDS = (*_FUNCTION_WORDS, *ACTIONS, *(cue for cue, _a, _p in PROBLEMS if cue != "闲置"))
_MASK_CHARS = str.maketrans(dict.fromkeys(_FUNCTION_CHARS, "|"))


@lru_cache(maxsize=1 << 13)
def _candidates(run: str) -> frozenset[str]:
    return frozenset(run[i:j] for i in range(len(run)) for j in range(i + 2, min(len(run), i + OBJECT_MAX) + 1))


def _object(texts: Sequence[set[str]], specific: Sequence[str]) -> str | None:
    """Return the candidate the most members share, more specific and longer first; None if none is shared.

    Given the topic's keywords, a candidate must begin and end with one (搅拌站噪音, 购房补贴), so a long
    message's run of place names and chatter never becomes the name.
    """
    df: Counter[str] = Counter()
    for candidates in texts:
        df.update(candidates)
    need = 2 if len(texts) >= 2 else 1
    anchors = [w for w in specific if len(w) >= 2]
    rank = {w: len(anchors) - i for i, w in enumerate(anchors)}
    shared = [c for c, n in df.items() if n >= need]
    if anchors:
        ends = tuple(anchors)  # str.startswith of a tuple: any of them
        shared = [c for c in shared if c.startswith(ends) and c.endswith(ends)]
    # A longer stretch that at least half the users of a shorter one write names the thing better (文化礼堂 over
    # 礼堂); it takes the shorter one's count.
    pool = set(shared)
    inside = {o: [c for c in _candidates(o) if c != o and c in pool] for o in shared}
    dominated = {c for o in shared for c in inside[o] if 2 * df[o] >= df[c]}
    kept = [c for c in shared if c not in dominated]
    counts = {o: max([df[o], *(df[c] for c in inside[o])]) for o in kept}

    def score(c: str) -> tuple[int, int, int, str]:
        bonus = sum(r for w, r in rank.items() if w in c)
        return (counts[c] * (1 + bonus), counts[c], len(c), c)  # the text last: a tie never falls to hash order

    return max(kept, key=score) if kept else None


def _sentences_with(texts: Sequence[str], thing: str) -> list[str]:
    """Return the sentences of ``texts`` that mention ``thing``: the action and problem are read near it."""
    return [s for t in texts for s in _SENTENCE_END.split(t) if thing in s]


def _most_used(texts: Sequence[str], words: Iterable[str]) -> str | None:
    counts = Counter({w: sum(1 for t in texts if w in t) for w in words})
    order = {w: i for i, w in enumerate(words)}
    best = max(counts, key=lambda w: (counts[w], -order[w]), default=None)
    return best if best is not None and counts[best] else None


def concern_name(texts: Sequence[str], *, specific: Sequence[str] = (), fallback: str = "") -> str:
    """Return a short concern name for a topic whose members wrote ``texts`` (titles and bodies joined), or
    ``fallback`` when no phrase is shared; ``specific`` are the topic's keywords, most specific first."""
    named = _named(texts, specific)
    return named[0] if named is not None else fallback


def _named(texts: Sequence[str], specific: Sequence[str]) -> tuple[str, str] | None:
    """Return (name, how it was found: ``phrase`` or ``clause``), or None when neither names the topic."""
    per_member = _member_candidates(texts, [w for w in specific if len(w) >= 2])
    clause = _key_clause(texts[0] if texts else "")
    if len(texts) == 1:  # one opinion shares nothing with another: its own problem clause says it best
        return (clause, "clause") if clause else None
    thing = _object(per_member, specific)
    if thing is None:
        return (clause, "clause") if clause else None
    near = ["，".join(_clauses(s)) for s in _sentences_with(texts, thing)]
    action = _most_used(near, ACTIONS)
    cue = _most_used(near, [c for c, _a, _p in PROBLEMS])
    problem = next(((a, p) for c, a, p in PROBLEMS if c == cue), None)
    if action is None and problem is not None and problem[0]:
        action = problem[0]
    if action is not None:
        name = action + thing
    elif problem is not None:
        name = thing + problem[1]
    else:
        name = _extended(thing, near) or thing
    name = name[:NAME_MAX]
    if len(name) >= NAME_MIN:
        return name, "phrase"
    return (clause, "clause") if clause else None


def _member_candidates(texts: Sequence[str], anchors: Sequence[str]) -> list[set[str]]:
    """Return each text's candidate objects: the stretches of its runs, of the runs holding one of ``anchors``
    (any run when there are none)."""
    held: dict[str, bool] = {}  # whether a run holds an anchor: the members of a topic repeat their runs
    out: list[set[str]] = []
    for t in texts:
        found: set[str] = set()
        for c in _clauses(t):
            for r in _runs(c):
                holds = held.get(r)
                if holds is None:
                    holds = held[r] = not anchors or any(w in r for w in anchors)
                if holds:
                    found |= _candidates(r)
        out.append(found)
    return out


# Characters a phrase is not extended by: they join words rather than belong to one.
_NOT_NEIGHBOUR = frozenset("的了是在有和与及或吗呢吧啊呀嘞咯我你他她它们这那个么对向从被把为给让也都就还很太")


def _extended(thing: str, near: Sequence[str]) -> str | None:
    """Return ``thing`` with the two characters most members write right before or after it (办理 + 居住证), when
    at least two do (one, for a topic of one text); else None."""
    counts: Counter[str] = Counter()
    for sentence in near:
        seen: set[str] = set()
        for m in re.finditer(re.escape(thing), sentence):
            left, right = sentence[max(0, m.start() - 2):m.start()], sentence[m.end():m.end() + 2]
            for piece, name in ((left, left + thing), (right, thing + right)):
                if len(piece) == 2 and all("\u4e00" <= ch <= "\u9fff" and ch not in _NOT_NEIGHBOUR for ch in piece):
                    seen.add(name)
        counts.update(seen)
    # The text last: a tie between the left and the right neighbour never falls to the order of a set (hash order).
    best = max(counts, key=lambda n: (counts[n], -len(n), n), default=None)
    return best if best is not None and counts[best] >= min(2, len(near)) else None


# How the name was found (TopicName.source): a shared phrase, the central opinion's problem clause, its title
# without the leading place and the trailing 问题 (trimmed), or the readable title itself (title).
SOURCES = ("phrase", "clause", "trimmed", "title")
NAME_MEMBERS, NAME_CHARS = 15, 160  # the most central members, and the opening of each, that name a topic
_PLACE_HEAD = re.compile(r"^(?:[A-Za-z]\d{0,2}[省市区县镇乡]|[\u4e00-\u9fff]{2,3}[省县](?![城道])|"
                         r"[\u4e00-\u9fff]{2,3}市(?![场民政区])|[\u4e00-\u9fff]{2,4}(?:街道|镇)(?![上里]))+")
_TAIL = re.compile(r"(?:的)?(?:问题|疑问|情况|事宜|诉求|心声)$")
_HEAD = re.compile(r"^(?:对|就|请|望|关于|有关|反映|投诉|举报|咨询|建议|强烈建议|申请)+")


def _trimmed(title: str) -> str:
    """Return ``title`` without its leading administrative places (A市, 西地省 …) and a trailing 的问题."""
    text = _HEAD.sub("", title)
    text = _PLACE_HEAD.sub("", text)
    text = _TAIL.sub("", _HEAD.sub("", text)).strip(" ，,。.!！?？")
    return text


def name_source(title: str, text: str) -> str:
    """Return what a member contributes to its topic's name: its title and the opening of its text."""
    return f"{title}。{text[:NAME_CHARS]}" if title else text[:NAME_CHARS]


@dataclass(frozen=True)
class TopicName:
    text: str
    source: str  # one of SOURCES


def name_topic(members: Sequence[tuple[str, str]], *, specific: Sequence[str] = ()) -> TopicName:
    """Name a topic from its members' ``(title, text)``, most central first, and its keywords ``specific``.

    The one naming function of every topic, however it was made (mined, absorbed one opinion at a time, split by
    staff): :func:`concern_name` over the :data:`NAME_MEMBERS` most central members; without a shared phrase or
    a short problem clause, the central member's readable title without its leading place and trailing 的问题
    when that leaves 4 to :data:`TRIMMED_MAX` characters; the readable title itself as the last resort.
    """
    if not members:
        return TopicName("", "title")
    named = _named([name_source(t, b) for t, b in members[:NAME_MEMBERS]], specific)
    if named is not None:
        return TopicName(*named)
    title = readable_title(*members[0])
    trimmed = _trimmed(readable_title(*members[0], max_chars=200))
    if NAME_MIN <= len(trimmed) <= TRIMMED_MAX and trimmed != title:
        return TopicName(trimmed, "trimmed")
    return TopicName(title, "title")


TRIMMED_MAX = 18


def _key_clause(text: str) -> str | None:
    """Return the first clause of ``text`` (the topic's most central opinion) that states the problem — not a wish
    (希望…, 麻烦…) — when it is short enough to be a name (a clause, not a sentence); else None."""
    stated = [c for raw in _CLAUSE.split(text) if raw and not _WISH.match(raw.strip())
              for c in _clauses(raw) if len(c) >= NAME_MIN]
    best = _trimmed(stated[0]) if stated else ""  # people state the problem first, then its effects and their wish
    return best if NAME_MIN <= len(best) <= NAME_MAX + 4 else None
