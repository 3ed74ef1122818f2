from pathlib import Path

from dianti.voices.mining import features
from dianti.voices.mining.pairs import Pair, linked, merge_scores, read_pairs
from dianti.voices.mining.records import MiningConfig

VILLAGE = MiningConfig(edge_threshold=0.06, link_threshold=0.1)  # mining_bridge.SMALL_CONFIG
PAIRS = read_pairs((Path(__file__).parent / "paraphrase_pairs.tsv").read_text(encoding="utf-8"))


def test_the_pairs_file_holds_both_kinds() -> None:
    assert sum(p.merge for p in PAIRS) >= 30 and sum(not p.merge for p in PAIRS) >= 20


def test_scores_count_links_against_labels() -> None:
    pairs = [Pair(True, ("", "a"), ("", "b")), Pair(True, ("", "c"), ("", "d")), Pair(False, ("", "e"), ("", "f"))]
    assert merge_scores(pairs, [True, False, True]) == {
        "pairs": 3, "merge_pairs": 2, "linked": 2, "correct_links": 1, "precision": 0.5, "recall": 0.5, "f1": 0.5}


def test_the_lexicon_finds_most_paraphrases_of_a_village_without_losing_precision() -> None:
    try:
        features.use_lexicon(False)
        before = merge_scores(PAIRS, linked(PAIRS, [], VILLAGE))
    finally:
        features.use_lexicon(True)
    after = merge_scores(PAIRS, linked(PAIRS, [], VILLAGE))
    assert after["recall"] >= 0.85 and after["precision"] >= 0.75
    assert after["recall"] > before["recall"] and after["precision"] >= before["precision"]
