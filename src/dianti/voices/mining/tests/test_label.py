from dianti.voices.mining.label import KeywordIndex, readable_title


def test_title_drops_boilerplate_and_is_capped() -> None:
    assert readable_title("关于雪水港村路灯不亮的问题") == "雪水港村路灯不亮的问题"
    long = readable_title("反映" + "很长的标题" * 20)
    assert len(long) == 30 and long.endswith("…")


def test_title_falls_back_to_the_first_sentence() -> None:
    assert readable_title("", "雪水港村路灯坏了。晚上很黑。") == "雪水港村路灯坏了"


def test_keywords_are_specific_to_the_topic_and_skip_admin_places() -> None:
    index = KeywordIndex()
    index.add("t1", ["路灯", "通元镇", "漆黑"], ["晚上"])
    index.add("t1", ["路灯", "修理"], ["晚上"])
    index.add("t2", ["垃圾", "清运"], ["晚上"])
    index.add("_rest", ["公交", "晚上"])
    words = index.keywords("t1", k=3)
    assert words[0] == "路灯"
    assert "通元镇" not in words
    assert index.keywords("missing") == []


def test_an_index_stored_without_its_running_sum_gives_the_same_keywords() -> None:
    fresh, old = KeywordIndex(), KeywordIndex()
    del old.weight  # as unpickled from a state stored before the sum was kept
    for index in (fresh, old):
        index.add("t1", ["路灯", "不亮"], ["晚上", "路灯", "海盐县"])
        index.add("t2", ["垃圾"], ["清运", "发臭"])
    assert old.keywords("t1") == fresh.keywords("t1")
    old.add("t1", ["路灯"], ["漆黑"])
    fresh.add("t1", ["路灯"], ["漆黑"])
    assert old.weight == fresh.weight == sum(fresh.total.values())
