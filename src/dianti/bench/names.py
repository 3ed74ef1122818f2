"""Benchmark of topic names: ``dianti bench names [--data DIR]``.

Mines the 2020 Teddy Cup messages of ``messages_with_likes.csv`` (``../shared/data/teddy2020c`` beside the
repository, or ``-o data=DIR``) once, then names every topic of two or more opinions twice, from the same members
and keywords in the same run:

* ``name_topic`` — the product's one naming function (:func:`dianti.voices.mining.label.name_topic`);
* ``baseline`` — the topic named after its most central member's readable title
  (:func:`~dianti.voices.mining.label.readable_title`), as topics were before concern names: a raw title by
  construction, the reference for length and cost.

(Before this benchmark, with the naming of commit 6afec51 — ``concern_name`` falling back to the readable title —
about one topic in six (81 of 485, 16.7 %) were named by a raw title on the same messages.)

For each it reports the share of topics named by a raw title (the readable title of one of the topic's own
members: a sentence someone wrote, not a concern), the share of names longer than 16 characters, the mean length,
and the CPU seconds of naming (and the product's milliseconds a topic); for the product, how each name was found
(``sources``: phrase, clause, trimmed, title). Without the data it prints ``{"skipped": …}``.
"""

from __future__ import annotations

import statistics
import time
from collections import Counter
from pathlib import Path
from typing import Any

from . import mine_data, register

REPO = Path(__file__).resolve().parents[3]
DEFAULT_DATA = REPO.parent / "shared" / "data" / "teddy2020c"
LONG = 16


def _figures(names: list[str], members: list[list[tuple[str, str]]], cpu: float) -> dict[str, Any]:
    from dianti.voices.mining.label import readable_title

    raw = sum(1 for name, group in zip(names, members, strict=True)
              if any(name == readable_title(t, b) for t, b in group))
    return {"raw_title_share": round(raw / max(1, len(names)), 4), "raw_titles": raw,
            "long_share": round(sum(len(n) > LONG for n in names) / max(1, len(names)), 4),
            "mean_chars": round(statistics.mean(len(n) for n in names), 2) if names else 0.0,
            "cpu_seconds": round(cpu, 3)}


@register("names", help="话题命名：真实留言上以原句标题命名的话题占比、名称长度与耗时，对比以中心意见标题命名（同一次运行）")
def bench_names(params: dict[str, Any]) -> dict[str, Any]:
    from dianti.voices.mining import pipeline
    from dianti.voices.mining.label import NAME_MEMBERS, name_topic, readable_title

    data = Path(params.get("data") or DEFAULT_DATA)
    if not (data / "messages_with_likes.csv").exists():
        return {"skipped": f"没有找到数据目录 {data}（需要 messages_with_likes.csv）"}
    opinions = mine_data.messages(data)
    by_id = {o.id: o for o in opinions}
    topics = [t for t in pipeline.mine(opinions).topics if t.size >= 2]
    members = [[(by_id[m].title, by_id[m].text) for m in t.members[:NAME_MEMBERS]] for t in topics]
    started = time.process_time()
    old = [readable_title(*group[0]) for group in members]
    old_cpu = time.process_time() - started
    started = time.process_time()
    new = [name_topic(group, specific=topic.keywords) for group, topic in zip(members, topics, strict=True)]
    new_cpu = time.process_time() - started
    report: dict[str, Any] = {"data": str(data), "opinions": len(opinions), "topics": len(topics)}
    report["name_topic"] = {**_figures([n.text for n in new], members, new_cpu),
                            "sources": dict(Counter(n.source for n in new))}
    report["baseline"] = _figures(old, members, old_cpu)
    report["name_topic_ms_per_topic"] = round(1000 * new_cpu / max(1, len(topics)), 3)
    report["examples"] = [{"name": n.text, "central_title": g[0][0]} for n, g in zip(new[:5], members[:5], strict=True)]
    return report
