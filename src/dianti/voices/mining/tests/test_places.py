"""The place recogniser: estates, village groups, villages, roads, bridges and buildings, each with the rule that
found it; generic words and words that merely contain a suffix are not places."""

from __future__ import annotations

from dianti.voices.mining.places import chinese_number, find_places


def names(text: str, known: tuple[str, ...] = ()) -> list[str]:
    return [p.name for p in find_places(text, known)]


def test_village_groups_are_one_place_however_the_number_is_written() -> None:
    assert names("5组的路灯坏了") == ["五组"]
    assert names("第五组路灯坏了") == ["五组"]
    assert names("我们十二组和3村民小组都没有路灯") == ["十二组", "三组"]


def test_a_group_of_data_or_a_team_leader_is_not_a_village_group() -> None:
    assert names("这一组数据不对") == []
    assert names("三组长说过了") == []


def test_roads_bridges_estates_and_villages_by_their_suffix() -> None:
    found = find_places("东港桥的闲置农房很多，北横路有老房子空着，幸福小区门口垃圾多，沈家村也一样")
    assert [(p.name, p.kind, p.rule) for p in found] == [
        ("东港桥", "bridge", "suffix:桥"), ("北横路", "road", "suffix:路"), ("幸福小区", "estate", "suffix:小区"),
        ("沈家村", "village", "suffix:村")]


def test_the_name_stops_at_words_that_never_sit_inside_a_name() -> None:
    assert names("我们南港路那边晚上黑漆漆的") == ["南港路"]
    assert names("希望在老街一带装几盏灯") == ["老街"]


def test_administrative_words_and_verbs_before_a_name_are_stripped() -> None:
    assert names("区劳动东路积水严重") == ["劳动东路"]
    assert names("街道茶场村的垃圾") == ["茶场村"]
    assert names("建议月塘路增设红绿灯") == ["月塘路"]


def test_generic_words_are_not_places() -> None:
    for text in ("道路破损严重", "我们小区没有电梯", "村里的路灯坏了", "街道办不管", "全村都没有公交", "马路上全是坑",
                 "人行天桥太陡", "公交线路太少", "居民小区停车难", "上楼下楼不方便", "晚上走夜路害怕"):
        assert names(text) == [], text


def test_a_suffix_inside_another_word_is_not_a_place() -> None:
    assert names("北横路灯不亮") == []  # 路灯: the lamp, not the road
    assert names("桥湾村民反映") == []  # 村民: villagers


def test_a_building_or_door_is_found_after_its_estate_or_road_and_the_estate_too() -> None:
    assert names("幸福小区3幢楼道堆满杂物") == ["幸福小区", "幸福小区3幢"]
    assert names("北横路12号门口污水横流") == ["北横路", "北横路12号"]
    assert names("3号楼电梯坏了") == []  # a bare number says nothing of where


def test_known_names_win_over_the_suffix_rules() -> None:
    found = find_places("桥湾社区晒谷场边上垃圾多", known=("晒谷场", "桥湾社区"))
    assert [(p.name, p.rule) for p in found] == [("桥湾社区", "known"), ("晒谷场", "known")]


def test_each_place_once_per_text_in_order() -> None:
    assert names("老街路灯坏了，老街晚上很黑，东港桥也是") == ["老街", "东港桥"]


def test_chinese_numbers() -> None:
    assert [chinese_number(n) for n in ("5", "10", "12", "20", "99", "０３", "一")] == [
        "五", "十", "十二", "二十", "九十九", "三", "一"]
