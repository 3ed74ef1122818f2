"""Labels for topics: a short readable title and the top keywords.

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
from collections.abc import Iterable

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
        for t, w in weights.items():
            if not is_admin_place(t):
                counts[t] += w
                total[t] += w
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
