import time
from datetime import timedelta

from dianti.voices.mining.classify import KeywordClassifier
from dianti.voices.mining.pipeline import MiningConfig, TopicsState, assign, mine
from dianti.voices.mining.synth import synthetic_opinions

from .fixtures import T0, op, village_opinions


def test_topics_are_ranked_by_heat_and_carry_their_figures() -> None:
    result = mine(village_opinions(), classifier=KeywordClassifier())
    top = result.topics[0]
    assert top.people == 4 and top.size == 4
    assert "路灯" in top.keywords
    assert "路灯" in top.title
    assert [t.heat for t in result.topics] == sorted((t.heat for t in result.topics), reverse=True)
    assert top.time_range[0] is not None
    data = result.as_dict()
    assert set(data["topics"][0]) >= {"rank", "id", "title", "keywords", "size", "people", "likes", "heat",
                                      "time_range", "members"}
    assert len(data["predictions"]) == len(village_opinions())


def test_one_person_repeating_is_not_a_topic_and_likes_do_not_make_one() -> None:
    opinions = [op(i, "丰义村路灯不亮", "丰义村路灯不亮，晚上很黑", user="same") for i in range(1, 6)]
    opinions.append(op(9, "雪水港村桥梁年久失修", "桥上裂缝很大，栏杆断了", likes=5000))
    result = mine(opinions)
    assert result.topics == []
    assert len(result.duplicates) >= 3
    loose = mine(opinions, config=MiningConfig(min_people=1))
    assert loose.topics[0].people == 1


def test_anonymous_copies_count_once() -> None:
    text = "丰义村路灯不亮，晚上出门一片漆黑，老人走夜路很危险，请尽快修理"
    opinions = [op(i, "丰义村路灯不亮", text, user="") for i in range(1, 5)]
    opinions.append(op(5, "丰义村的路灯坏了", "丰义村路灯坏了没人修，晚上很黑", user=""))
    topic = mine(opinions).topics[0]
    assert topic.size == 5 and topic.people == 2


def test_assign_joins_an_existing_topic_quickly() -> None:
    state = mine(village_opinions()).state
    lights = state.topics()[0].id
    started = time.perf_counter()
    placed = assign(op(20, "雪水港村路灯晚上不亮", "雪水港村的路灯坏了，晚上一片漆黑"), state)
    assert (time.perf_counter() - started) < 0.2
    assert placed.topic_id == lights and not placed.created
    assert state.topic(lights).people == 5


def test_assign_founds_a_topic_with_a_waiting_opinion_and_survives_bytes() -> None:
    state = TopicsState.from_bytes(mine(village_opinions()).state.to_bytes())
    first = assign(op(21, "希望开通到县城的直达公交", "村里没有直达县城的公交车，老人看病不方便"), state)
    assert first.created and first.topic_id is not None
    assert state.topic(first.topic_id).members == ["o11", "o21"]
    alone = assign(op(22, "建议修建篮球场", "村里年轻人没有运动场地"), state)
    assert alone.topic_id is None


def test_recency_reference_defaults_to_newest_opinion() -> None:
    old = [op(i, "丰义村路灯不亮", f"丰义村路灯不亮{i}") for i in (1, 2)]
    fresh = [op(i, "雪水港村垃圾清运不及时", f"雪水港村垃圾没人收{i}") for i in (3, 4)]
    fresh = [o.__class__(**{**o.__dict__, "time": T0 + timedelta(days=360)}) for o in fresh]
    result = mine(old + fresh)
    assert result.topics[0].members[0] in ("o3", "o4")


def test_synthetic_opinions_have_truth_and_mine_well() -> None:
    generated = synthetic_opinions(300, seed=1)
    assert len(generated.opinions) == len(generated.truth) == 300
    result = mine(generated.opinions)
    assert len(result.topics) > 5
    truth_of = {o.id: t for o, t in zip(generated.opinions, generated.truth, strict=True)}
    pure = 0
    for topic in result.topics[:5]:
        truths = {truth_of[m] for m in topic.members}
        pure += len(truths) == 1
    assert pure >= 4


def test_assign_counts_an_anonymous_copy_as_the_same_person() -> None:
    text = "丰义村路灯不亮，晚上出门一片漆黑，老人走夜路很危险，请尽快修理"
    state = mine([op(1, "丰义村路灯不亮", text, user=""), op(2, "丰义村路灯坏了", "丰义村路灯坏了没人修，晚上很黑"),
                  op(3, "雪水港村垃圾清运不及时", "垃圾好几天没人收")]).state
    placed = assign(op(4, "丰义村路灯不亮", text, user=""), state)
    assert placed.duplicate_of == "o1"
    assert placed.topic_id is not None
    assert state.topic(placed.topic_id).people == 2
