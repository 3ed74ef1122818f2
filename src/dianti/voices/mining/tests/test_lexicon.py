from dianti.voices.mining import features
from dianti.voices.mining.features import PLACE_ENDINGS, opinion_terms
from dianti.voices.mining.lexicon import (
    Lexicon,
    canonical_runs,
    canonical_words,
    default_lexicon,
    is_subject,
    shared_concepts,
)
from dianti.voices.mining.normalize import normalize
from dianti.voices.mining.segment import admin_places, stopwords

SMALL = Lexicon.parse("""
# a comment
[状况]
损坏 坏了 不亮
[对象]
闲置农房 闲置房屋 老房子空着没人住 空房子
路灯 灯
""")


def terms(text: str) -> dict[str, int]:
    return opinion_terms("", normalize(text)).terms


def test_a_run_of_whole_words_becomes_its_concept() -> None:
    assert canonical_words(["老房子", "空着", "没人住", "盘活"], SMALL) == ["闲置农房", "盘活"]
    assert canonical_words(["灯", "不亮"], SMALL) == ["路灯", "损坏"]
    assert canonical_runs(["闲置房屋"], SMALL) == [("闲置农房", ("闲置房屋",))]


def test_part_of_a_word_is_never_matched() -> None:
    assert canonical_words(["红绿灯", "灯光"], SMALL) == ["红绿灯", "灯光"]
    assert canonical_words(["闲置", "厂房"], SMALL) == ["闲置", "厂房"]


def test_conditions_are_known_as_such() -> None:
    assert SMALL.conditions == frozenset({"损坏"})
    assert SMALL.groups()["闲置农房"][0] == "闲置农房"


def test_shipped_lexicon_names_no_place_and_no_stopword() -> None:
    lexicon = default_lexicon()
    assert len(lexicon.canonical) > 1000 and len(lexicon.concepts) > 100
    assert not set(lexicon.canonical) & (PLACE_ENDINGS | admin_places())
    assert not set(lexicon.canonical) & stopwords()


def test_wordings_of_one_concern_share_the_concept_term() -> None:
    assert "闲置农房" in terms("老街有不少老房子空着没人住，希望村里想办法盘活")
    assert "闲置农房" in terms("一组的闲置农房很多，能否统一改造发展民宿")
    assert "人才购房补贴" in terms("在A市买公寓能享受人才新政购房补贴吗")


def test_a_concept_is_a_problem_not_a_place() -> None:
    found = terms("老房子空着没人住")
    assert "闲置农房" in found and not any(t.startswith(("@", "#")) for t in found)


def test_the_lexicon_can_be_turned_off_to_measure_it() -> None:
    try:
        features.use_lexicon(False)
        assert "闲置农房" not in terms("老房子空着没人住")
    finally:
        features.use_lexicon(True)
    assert "闲置农房" in terms("老房子空着没人住")


def test_shared_concepts_name_objects_before_conditions() -> None:
    assert shared_concepts(["损坏", "老街", "路灯"], ["路灯", "损坏", "老街"]) == ["路灯", "损坏"]


def test_only_what_a_concern_is_about_can_make_two_topics_one() -> None:
    assert is_subject("闲置农房") and is_subject("公交")
    assert not is_subject("损坏") and not is_subject("老人") and not is_subject("盘活")
