import pytest

from dianti.voices.mining.classify import (
    DEFAULT_CATEGORIES,
    KeywordClassifier,
    LearnedClassifier,
    categories_from_mapping,
)

EXAMPLES = [
    ("孩子入学难", "家门口的小学学位不够，孩子上学要跑很远"),
    ("学校收费不合理", "中学补课还要收费，家长负担重"),
    ("幼儿园招生", "公办幼儿园招生名额太少"),
    ("老师有偿补课", "班主任周末组织学生有偿补课"),
    ("河道发臭", "村里的河道发黑发臭，有人往河里倒垃圾"),
    ("工厂排放废气", "化工厂晚上偷排废气，气味刺鼻"),
    ("养殖场污染", "养猪场污水直排，臭气熏天"),
    ("噪音扰民", "工地夜间施工噪音太大，影响休息"),
    ("工资被拖欠", "在工地干了半年，老板拖欠工资不给"),
    ("社保断缴", "公司没有给员工缴纳社保"),
    ("养老金太低", "退休以后养老金发放标准太低"),
    ("劳动合同纠纷", "单位不签劳动合同，随意辞退员工"),
]
LABELS = ["教育文体"] * 4 + ["环境保护"] * 4 + ["劳动和社会保障"] * 4


def test_categories_are_data() -> None:
    names = [c.name for c in DEFAULT_CATEGORIES]
    assert {"城乡建设", "环境保护", "党建工作", "基层治理", "乡村振兴", "民生服务"} <= set(names)
    custom = categories_from_mapping({"水利": ["河道", "水渠"]})
    assert KeywordClassifier(custom).predict([("水渠堵了", "")])[0].category == "水利"


def test_keyword_rules_pick_a_category_and_flag_the_unsure() -> None:
    rules = KeywordClassifier()
    sure = rules.predict([("孩子入学难，学位不够", "小学招生名额少，学校太远")])[0]
    assert sure.category == "教育文体"
    assert 0 < sure.confidence <= 1
    nothing = rules.predict([("你好", "谢谢")])[0]
    assert nothing.category is None and nothing.needs_review


def test_learned_classifier_learns_from_a_handful_of_labels() -> None:
    model = LearnedClassifier().fit(EXAMPLES, LABELS)
    predictions = model.predict([("小学学位紧张", "孩子上学难"), ("河水发臭", "有人往河道倒垃圾"),
                                 ("老板拖欠工资", "工资半年没发")])
    assert [p.category for p in predictions] == ["教育文体", "环境保护", "劳动和社会保障"]
    assert all(0 <= p.confidence <= 1 for p in predictions)


def test_learned_classifier_round_trips_through_bytes() -> None:
    model = LearnedClassifier().fit(EXAMPLES, LABELS)
    restored = LearnedClassifier.from_bytes(model.to_bytes())
    item = [("学校补课收费", "周末补课")]
    assert restored.predict(item) == model.predict(item)
    with pytest.raises(ValueError):
        LearnedClassifier.from_bytes(b"\x80\x05K\x01.")


def test_learned_classifier_works_with_two_examples_a_class_and_with_one_class() -> None:
    few = LearnedClassifier().fit(EXAMPLES[:2] + EXAMPLES[4:6], LABELS[:2] + LABELS[4:6])
    assert few.predict([("入学难", "学位不够")])[0].category == "教育文体"
    single = LearnedClassifier().fit(EXAMPLES[:3], LABELS[:3])
    assert single.predict([("随便", "什么")])[0].category == "教育文体"
    with pytest.raises(ValueError):
        LearnedClassifier().fit([], [])


def test_learned_probabilities_sum_to_one_with_two_categories_and_with_three() -> None:
    two = LearnedClassifier().fit(EXAMPLES[:8], LABELS[:8])
    three = LearnedClassifier().fit(EXAMPLES, LABELS)
    for model in (two, three):
        rows = model.probabilities([("河水发臭", "有人往河道倒垃圾"), ("入学难", "学位不够")])
        assert rows.shape == (2, len(model.classes)) and abs(rows.sum(axis=1) - 1).max() < 1e-9
    assert two.predict([("河水发臭", "有人往河道倒垃圾")])[0].category == "环境保护"
