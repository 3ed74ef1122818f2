"""The examples of issue 15: one concern in different words is one topic; different concerns at one place are not."""

from dianti.voices.mining.pipeline import MiningConfig, assign, mine

from .fixtures import op

# What the Django side uses for one village's few opinions (mining_bridge.SMALL_CONFIG).
VILLAGE = MiningConfig(edge_threshold=0.06, link_threshold=0.1)


def topic_of(result: object, opinion_id: str) -> str | None:
    return result.assignments[opinion_id]  # type: ignore[attr-defined, no-any-return]


def qiaowan() -> list:  # type: ignore[type-arg]
    """桥湾社区 as the demo writes it: 闲置农房 (4 people), 老房子空着没人住 (3), lamps and rubbish at 老街."""
    return [
        op(1, "闲置农房", "桥湾社区一组的闲置农房很多，能否统一改造发展民宿"),
        op(2, "", "桥湾社区东港桥的闲置农房很多，能否统一改造发展民宿"),
        op(3, "", "闲置农房年久失修存在安全隐患，河滨路一带尤其多"),
        op(4, "闲置农房", "闲置农房年久失修存在安全隐患，老街一带尤其多"),
        op(5, "", "老街有不少老房子空着没人住，希望村里想办法盘活"),
        op(6, "", "三组有不少老房子空着没人住，希望村里想办法盘活"),
        op(7, "", "北横路有不少老房子空着没人住，希望村里想办法盘活"),
        op(8, "", "老街一带路灯坏了好几盏，晚上出行很不方便"),
        op(9, "", "老街附近的路灯晚上不亮，老人走夜路容易摔倒"),
        op(10, "", "老街的垃圾桶经常满溢，清运不及时，夏天气味很大"),
        op(11, "", "垃圾清运车很少到老街，垃圾堆在路边好几天"),
    ]


def test_idle_farmhouses_and_empty_old_houses_are_one_topic() -> None:
    result = mine(qiaowan(), config=VILLAGE)
    houses = topic_of(result, "o1")
    assert houses is not None
    assert all(topic_of(result, f"o{i}") == houses for i in range(1, 8))
    assert next(t for t in result.topics if t.id == houses).people == 7


def test_broken_lamps_and_rubbish_at_one_place_stay_apart() -> None:
    result = mine(qiaowan(), config=VILLAGE)
    lamps, rubbish = topic_of(result, "o8"), topic_of(result, "o10")
    assert lamps is not None and lamps == topic_of(result, "o9")
    assert lamps != rubbish
    assert lamps != topic_of(result, "o5")


def test_talent_housing_subsidy_questions_are_one_topic() -> None:
    result = mine([op(1, "A市人才购房补贴的疑问", "硕士毕业后在A市买房，人才购房补贴怎么申请？"),
                   op(2, "在A市买公寓能享受人才新政购房补贴吗", "公寓是否属于补贴范围，需要什么材料？")])
    assert topic_of(result, "o1") is not None and topic_of(result, "o1") == topic_of(result, "o2")


def test_an_opinion_about_buses_joins_the_bus_topic_on_assign() -> None:
    state = mine([op(1, "", "村里到镇上的公交车班次太少，等车要一个小时"),
                  op(2, "", "希望增加村里到县城的公交班次，方便老人看病"),
                  op(3, "", "老街路灯坏了好几盏"), op(4, "", "河滨路路灯晚上不亮")], config=VILLAGE).state
    buses = next(t.id for t in state.topics() if "o1" in t.members)
    assert assign(op(9, "", "巴士一天才三班，等得太久了"), state).topic_id == buses
    assert assign(op(10, "", "班车太少，出门很不方便"), state).topic_id == buses
    assert state.topic(buses).people == 4


def test_an_opinion_with_no_known_word_waits_instead_of_failing() -> None:
    state = mine([op(1, "", "村里到镇上的公交车班次太少"), op(2, "", "希望增加到县城的公交班次")], config=VILLAGE).state
    assert assign(op(9, "", "篮球架歪歪扭扭"), state).topic_id is None


def test_a_concern_most_of_the_village_raises_in_many_wordings_stays_one_topic() -> None:
    texts = ["一组的闲置农房很多，能否统一改造发展民宿", "东港桥的闲置农房很多，能否统一改造发展民宿",
             "闲置农房年久失修存在安全隐患，河滨路一带尤其多", "闲置农房年久失修存在安全隐患，老街一带尤其多",
             "老街有不少老房子空着没人住，希望村里想办法盘活", "三组有不少老房子空着没人住，希望村里想办法盘活",
             "北横路有不少老房子空着没人住，希望村里想办法盘活",
             "村里到镇上的公交车班次太少，等车要一个小时", "希望增加村里到县城的公交班次，方便老人看病"]
    result = mine([op(i, "", t) for i, t in enumerate(texts, start=1)], config=VILLAGE)
    houses = topic_of(result, "o1")
    assert houses is not None and all(topic_of(result, f"o{i}") == houses for i in range(1, 8))
    assert topic_of(result, "o8") not in (None, houses)
