from dianti.bench.paraphrase import MESSAGE_PAIRS, bench_paraphrase


def test_without_the_shared_messages_only_the_village_pairs_are_scored(tmp_path) -> None:
    report = bench_paraphrase({"data": str(tmp_path)})
    assert "skipped" in report["messages"]
    village = report["village"]
    assert village["with_lexicon"]["recall"] > village["without_lexicon"]["recall"]
    assert village["with_lexicon"]["pairs"] == village["without_lexicon"]["pairs"] >= 50


def test_only_message_ids_are_kept_for_the_shared_pairs() -> None:
    assert all(a.isdigit() and b.isdigit() for _merge, a, b in MESSAGE_PAIRS)
    assert {merge for merge, _a, _b in MESSAGE_PAIRS} == {True, False}
