import numpy as np
import pytest

from dianti.voices.mining.features import FeatureSpace, is_place_term, opinion_terms, place_mask
from dianti.voices.mining.normalize import normalize


def terms(title: str, body: str = "") -> dict[str, int]:
    return opinion_terms(normalize(title), normalize(body)).terms


def test_named_places_are_place_terms_and_problems_are_not() -> None:
    t = terms("A5区魅力之城小区临街门面油烟扰民")
    places = {k for k in t if is_place_term(k)}
    assert "@魅力" in places and "#之城" in places
    assert "油烟" in t and "扰民" in t
    assert "a5区" in t and not is_place_term("a5区")


def test_title_words_weigh_more_than_body_words() -> None:
    t = terms("路灯不亮", "晚上路灯不亮")
    assert t["路灯"] == 3


def test_unseen_words_lower_the_similarity_instead_of_vanishing() -> None:
    docs = [terms("雪水港村路灯不亮"), terms("雪水港村路灯坏了"), terms("丰义村垃圾清运")] * 4
    space = FeatureSpace.fit(docs)
    known = space.transform([terms("雪水港村路灯不亮")])
    padded = space.transform([terms("雪水港村路灯不亮", "另外还有停车难充电桩缺乏电梯困人等等许多别的事情")])
    base = space.transform([docs[0]])
    assert (known @ base.T).toarray()[0, 0] == pytest.approx(1.0, abs=1e-5)
    assert (padded @ base.T).toarray()[0, 0] < 0.9


def test_district_named_by_most_opinions_does_not_tell_where() -> None:
    docs = [terms(f"A市{x}") for x in ("路灯不亮", "垃圾清运", "停车难", "公交太少", "学位不够")] * 3
    docs += [terms("A3区魏家坡小区脏乱差"), terms("A3区魏家坡小区停车难")]
    space = FeatureSpace.fit(docs)
    mask = place_mask(space)
    assert not mask[space.vocabulary["a市"]]
    assert mask[space.vocabulary["a3区"]]
    assert mask.dtype == np.bool_
