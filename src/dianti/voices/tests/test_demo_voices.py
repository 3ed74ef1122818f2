"""The demo's opinions read as villagers write: many wordings of each concern, none said twice in one village."""

from __future__ import annotations

import random
from collections import Counter

from dianti.campaigns.tests.factories import in_topics
from dianti.voices import demo
from dianti.voices.demo_voices import CONCERNS, wording

SPOTS = ["一组", "老街", "东港桥", "河滨路"]


def _said(seed: int, each: int = 30) -> dict[str, list[str]]:
    rng, seen = random.Random(seed), set[str]()
    return {c.title: [wording(c, "富溪村", SPOTS, rng, seen) for _ in range(each)] for c in CONCERNS}


def test_no_wording_is_repeated_in_a_village_even_when_a_concern_is_raised_many_times() -> None:
    texts = [t for said in _said(7).values() for t in said]
    assert len(texts) == len(set(texts)) == 30 * len(CONCERNS)


def test_the_same_seed_words_the_same_opinions() -> None:
    assert _said(7) == _said(7)
    assert _said(7) != _said(8)


def test_wordings_are_short_and_long_and_some_in_dialect() -> None:
    texts = [t for said in _said(3).values() for t in said]
    lengths = sorted(len(t) for t in texts)
    assert lengths[0] <= 12 and lengths[-1] >= 45
    assert sum(any(p in t for p in ("嘞", "咯", "晓得", "蛮", "老早")) for t in texts) >= len(texts) // 5


def test_the_cultural_hall_is_no_longer_one_sentence_over_and_over() -> None:
    hall = _said(1)["文化礼堂"]
    openings = Counter(t[:6] for t in hall)
    assert len(openings) >= 8 and openings.most_common(1)[0][1] <= len(hall) // 3


def test_each_organization_of_the_demo_hears_its_concerns_in_different_words(tree) -> None:
    campaign = in_topics(tree)
    taken: set[str] = set()
    rng = random.Random(1200)
    subjects = list(campaign.subjects.select_related("organization"))
    assert subjects
    for subject in subjects:
        made = demo._opinions_for(subject, rng, [], taken)
        texts = [o.text for o in made]
        assert len(texts) >= 8 and len(texts) == len(set(texts))
        assert {o.organization_id for o in made} == {subject.organization_id}


def test_most_villages_of_the_demo_have_a_place_where_different_things_go_wrong(tree) -> None:
    from collections import defaultdict

    from dianti.voices.mining.places import find_places

    campaign = in_topics(tree)
    rng, taken, varied = random.Random(1200), set(), 0
    subjects = list(campaign.subjects.select_related("organization"))
    for subject in subjects:
        concerns: dict[str, set[str]] = defaultdict(set)
        for o in demo._opinions_for(subject, rng, [], taken):
            for place in find_places(o.text):
                concerns[place.name].add(demo._as_question(o.text))
        varied += max((len(c) for c in concerns.values()), default=0) >= 2
    assert varied >= len(subjects) / 2


def test_a_topic_named_after_any_wording_of_a_concern_is_given_that_concern_to_answer() -> None:
    for concern in CONCERNS:
        named = {p.format(w=spot, v="富溪村") for p in concern.problems for spot in demo.SPOTS}
        questions = {demo._as_question(title) for title in named}
        assert len(questions) == 1 and "群众反映" not in questions.pop(), concern.title
