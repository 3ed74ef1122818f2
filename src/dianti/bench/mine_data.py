"""Real citizen messages for the mining benchmark, and larger sets made from them by resampling and perturbing.

Not a benchmark itself (it registers nothing): :mod:`.mine` reads the data through it. The messages stay in
``../shared/data/teddy2020c``; nothing here is copied into the repository.
"""

from __future__ import annotations

import random
import re
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

COLUMNS = {"text": "留言详情", "title": "留言主题", "id": "留言编号", "user": "留言用户", "time": "留言时间",
           "likes": "点赞数", "dislikes": "反对数"}
LABEL = "一级标签"
_CLAUSE = re.compile(r"(?<=[，。！？；,.!?;\n])")
_OPENINGS = ("", "", "您好！", "尊敬的领导：", "各位领导好，", "我是本地居民，")
_ASKS = ("", "", "希望有关部门尽快处理。", "请尽快解决，谢谢！", "盼回复。", "希望能重视这个问题。")


def labelled(data: Path) -> tuple[list[tuple[str, str]], list[str]]:
    """Return the labelled ``(title, text)`` pairs of ``labelled_dev.csv`` and their first-level categories."""
    from dianti.voices.files import read_labelled

    return read_labelled(data / "labelled_dev.csv", text=COLUMNS["text"], title=COLUMNS["title"], label=LABEL)


def messages(data: Path) -> list[Any]:
    """Return the opinions of ``messages_with_likes.csv``."""
    from dianti.voices.files import Columns, read_opinions

    return read_opinions(data / "messages_with_likes.csv", Columns(**COLUMNS))


def _perturb(rng: random.Random, text: str) -> str:
    """Return ``text`` with some clauses dropped, two neighbours swapped, and a greeting and a request around it."""
    clauses = [c for c in _CLAUSE.split(text) if c.strip()]
    if len(clauses) > 2:
        kept = [c for c in clauses if rng.random() > 0.2] or clauses[:1]
        if len(kept) > 2 and rng.random() < 0.5:
            k = rng.randrange(len(kept) - 1)
            kept[k], kept[k + 1] = kept[k + 1], kept[k]
        clauses = kept
    return rng.choice(_OPENINGS) + "".join(clauses) + rng.choice(_ASKS)


def resampled(data: Path, size: int, *, seed: int = 11) -> tuple[list[Any], list[int]]:
    """Return ``size`` opinions made from the real messages, and for each the index of its source message.

    Below the number of real messages, a random sample of them as they are. Above, every message once as it is and
    then copies of random messages, each with clauses dropped or swapped, a greeting and a request added, another
    writer (from a pool of ``size / 2``), a later time and its own likes: so a message asked again by several people
    becomes a topic of its own, as a widely felt issue does on a real board.
    """
    rng = random.Random(seed)
    source = messages(data)
    items, _labels = labelled(data)
    opinions = list(source)
    base = len(opinions)
    for k, (title, text) in enumerate(items):
        opinions.append(replace(opinions[k % base], id=f"L{k}", title=title, text=text, user=f"l{k}", likes=0,
                                dislikes=0))
    if size <= len(opinions):
        picked = sorted(rng.sample(range(len(opinions)), size))
        return [opinions[i] for i in picked], picked
    writers = max(10, size // 2)
    origin = list(range(len(opinions)))
    out = list(opinions)
    for n in range(len(opinions), size):
        i = rng.randrange(len(opinions))
        o = opinions[i]
        out.append(replace(o, id=f"r{n}", title=_perturb(rng, o.title) if rng.random() < 0.3 else o.title,
                           text=_perturb(rng, o.text), user=f"w{rng.randrange(writers)}",
                           time=o.time + timedelta(days=rng.randint(0, 60)) if o.time else None,
                           likes=max(0, int(rng.paretovariate(1.5)) - 1), dislikes=0))
        origin.append(i)
    return out, origin
