from dianti.voices.mining.suggest import Group, suggest


def group(gid: str, *texts: str) -> Group:
    return Group(gid, tuple(("", t) for t in texts))


TOPICS = [
    group("houses", "桥湾社区一组的闲置农房很多，能否统一改造发展民宿", "闲置农房年久失修存在安全隐患，河滨路一带尤其多"),
    group("empty", "老街有不少老房子空着没人住，希望村里想办法盘活", "三组有不少老房子空着没人住，希望村里想办法盘活"),
    group("lamps", "老街一带路灯坏了好几盏，晚上出行很不方便", "老街附近的路灯晚上不亮，老人走夜路容易摔倒"),
    group("rubbish", "老街的垃圾桶经常满溢，清运不及时，夏天气味很大", "垃圾清运车很少到老街，垃圾堆在路边好几天"),
    group("bus", "村里到镇上的公交车班次太少，等车要一个小时", "希望增加村里到县城的公交班次，方便老人看病"),
]


def test_two_topics_of_one_concern_are_suggested_with_the_concept_they_share() -> None:
    found = suggest(TOPICS, []).merges
    assert [(s.first, s.second) for s in found] == [("houses", "empty")]
    assert found[0].shared[0] == "闲置农房"


def test_different_concerns_at_one_place_are_not_suggested() -> None:
    pairs = {frozenset((s.first, s.second)) for s in suggest(TOPICS, []).merges}
    assert frozenset(("lamps", "rubbish")) not in pairs


def test_an_unsorted_opinion_is_offered_to_its_nearest_topic() -> None:
    offers = suggest(TOPICS, [group("u1", "巴士一天才三班，等得太久了"), group("u2", "东港桥的灯不亮了"),
                              group("u3", "篮球架歪歪扭扭")]).offers
    assert {(s.first, s.second) for s in offers} == {("u1", "bus"), ("u2", "lamps")}
    assert "公交" in next(s for s in offers if s.first == "u1").shared


def test_nothing_to_suggest_without_topics() -> None:
    assert suggest([], [group("u1", "路灯不亮")]).merges == []
    assert suggest([group("t", "路灯不亮")], []).offers == []
