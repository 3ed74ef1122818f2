"""Benchmark of paraphrase grouping: ``dianti bench paraphrase [--data DIR]`` (also the ``paraphrase`` part of
``dianti bench mine``).

Merge precision and recall (:mod:`dianti.voices.mining.pairs`) with the synonym lexicon off and on, on two sets of
labelled pairs — *merge* (one concern in other words) and *apart* (different concerns, often at one place):

* ``village`` — village-style opinions written for the project (``voices/mining/tests/paraphrase_pairs.tsv``),
  weighed among themselves, with the thresholds the Django side uses for an organization's few opinions;
* ``messages`` — pairs of real city messages picked by reading ``messages_with_likes.csv`` beside the repository:
  only their message ids are kept here (:data:`MESSAGE_PAIRS`); the texts are read from the shared file, weighed
  among all its messages, with the default thresholds. Without the file this part says ``skipped``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from . import mine_data, register

DEFAULT_DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "teddy2020c"

# (one concern?, message id, message id) — read from messages_with_likes.csv, never copied.
MESSAGE_PAIRS: list[tuple[bool, str, str]] = [
    (True, "225657", "212128"), (True, "203760", "219026"), (True, "199435", "206983"), (True, "224042", "229963"),
    (True, "195724", "202562"), (True, "275789", "195724"), (True, "259821", "260658"), (True, "189950", "199379"),
    (True, "190802", "213930"), (True, "208714", "216824"), (True, "203393", "214282"), (True, "205613", "214350"),
    (True, "201727", "205613"), (True, "188059", "191327"), (True, "219977", "250814"), (True, "232500", "242052"),
    (True, "248350", "266429"), (True, "189381", "195095"), (True, "189093", "197669"), (True, "215928", "266337"),
    (True, "283135", "226245"),
    (False, "225657", "215591"), (False, "195724", "232500"), (False, "275789", "242052"),
    (False, "188059", "198132"), (False, "191327", "254636"), (False, "205613", "215928"),
    (False, "248350", "227451"), (False, "189950", "205483"), (False, "191440", "200546"),
    (False, "191150", "233928"), (False, "189456", "201867"), (False, "192897", "193210"),
    (False, "190694", "198065"), (False, "191111", "198247"), (False, "278781", "198132"),
]


def _both_ways(pairs: list[Any], corpus: list[tuple[str, str]], config: Any) -> dict[str, Any]:
    from dianti.voices.mining import features
    from dianti.voices.mining.pairs import linked, merge_scores

    report: dict[str, Any] = {}
    try:
        for name, on in (("without_lexicon", False), ("with_lexicon", True)):
            features.use_lexicon(on)
            report[name] = merge_scores(pairs, linked(pairs, corpus, config))
    finally:
        features.use_lexicon(True)
    return report


def village() -> dict[str, Any]:
    """Return the scores on the project's own village-style pairs."""
    from dianti.voices.mining import tests
    from dianti.voices.mining.pairs import read_pairs
    from dianti.voices.mining_bridge import SMALL_CONFIG

    path = Path(tests.__file__).with_name("paraphrase_pairs.tsv")
    return _both_ways(read_pairs(path.read_text(encoding="utf-8")), [], SMALL_CONFIG)


def messages(data: Path) -> dict[str, Any]:
    """Return the scores on :data:`MESSAGE_PAIRS`, or ``skipped`` without the shared file."""
    from dianti.voices.mining.pairs import Pair
    from dianti.voices.mining.records import MiningConfig

    if not (data / "messages_with_likes.csv").exists():
        return {"skipped": f"没有找到 {data / 'messages_with_likes.csv'}"}
    opinions = mine_data.messages(data)
    by_id = {o.id: (o.title, o.text) for o in opinions}
    pairs = [Pair(merge, by_id[a], by_id[b]) for merge, a, b in MESSAGE_PAIRS if a in by_id and b in by_id]
    report = _both_ways(pairs, [(o.title, o.text) for o in opinions], MiningConfig())
    report["missing_ids"] = len(MESSAGE_PAIRS) - len(pairs)
    return report


def figures(data: Path) -> dict[str, Any]:
    return {"village": village(), "messages": messages(data)}


@register("paraphrase", help="同一件事的不同说法：合并的准确率与召回率（有无同义词表对比）")
def bench_paraphrase(params: dict[str, Any]) -> dict[str, Any]:
    return figures(Path(params.get("data") or DEFAULT_DATA))
