import pickle

from dianti.voices.mining.dedupe import (
    DuplicateIndex,
    duplicate_groups,
    near_duplicates,
    signature,
    similarity,
)
from dianti.voices.mining.normalize import normalize

A = normalize("雪水港村的路灯坏了一个多月，晚上出门一片漆黑，老人走夜路很危险，请尽快修理！")
B = normalize("雪水港村的路灯坏了一个多月了，晚上出门一片漆黑，老人走夜路很危险，请尽快修理。")
C = normalize("丰义村的垃圾好几天没人来收，夏天气味难闻，苍蝇很多。")


def test_near_duplicates_are_found_and_different_texts_are_not() -> None:
    assert similarity(signature(A), signature(B)) > 0.7
    assert similarity(signature(A), signature(C)) < 0.2
    assert near_duplicates([A, C, B, A]) == [0, 1, 0, 0]
    assert duplicate_groups([0, 1, 0, 0]) == [[0, 2, 3]]


def test_signatures_are_deterministic() -> None:
    assert (signature(A) == signature(A)).all()


def test_index_survives_pickling_and_still_finds_duplicates() -> None:
    index = DuplicateIndex(batch=True)
    assert index.add(A) is None
    assert index.add(C) is None
    restored = pickle.loads(pickle.dumps(index))
    assert restored.add(B) == 0
    assert restored.add(normalize("完全不同的一条意见，关于公交班次太少")) is None


def test_empty_text_does_not_crash() -> None:
    assert near_duplicates(["", "", A]) == [0, 0, 2]


def test_a_batch_finds_what_adding_one_by_one_finds() -> None:
    texts = [A, C, B, A, "", "", "路", "路", normalize("丰义村的垃圾好几天没人来收，夏天气味难闻。")] + [
        normalize(f"第{i}条：雪水港村的路灯坏了{i % 3}个多月，晚上出门一片漆黑") for i in range(40)
    ]
    one_by_one = DuplicateIndex(batch=True)
    expected = [one_by_one.add(t) for t in texts]
    index, found = DuplicateIndex.of_texts(texts)
    assert [None if f < 0 else f for f in found.tolist()] == expected
    assert sum(f is not None for f in expected) >= 20
    assert (index.signatures == one_by_one.signatures[: len(texts)]).all()
    assert index.add(B) == one_by_one.add(B)
