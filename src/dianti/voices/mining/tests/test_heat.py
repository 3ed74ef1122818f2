from datetime import datetime, timedelta

import pytest

from dianti.voices.mining.heat import HeatConfig, Voice, heat, recency

NOW = datetime(2025, 6, 1)


def test_one_person_repeating_cannot_inflate_heat() -> None:
    once = heat([Voice("u:alice", time=NOW)], now=NOW)
    ten_times = heat([Voice("u:alice", time=NOW - timedelta(hours=h)) for h in range(10)], now=NOW)
    assert ten_times.people == 1
    assert ten_times.heat == pytest.approx(once.heat)
    three_people = heat([Voice(f"u:{p}", time=NOW) for p in ("a", "b", "c")], now=NOW)
    assert three_people.heat == pytest.approx(3 * once.heat)


def test_likes_amplify_voices_but_do_not_replace_them() -> None:
    liked_single = heat([Voice("u:a", time=NOW, likes=2000)], now=NOW)
    five_people = heat([Voice(f"u:{i}", time=NOW) for i in range(5)], now=NOW)
    assert liked_single.heat > 1.0
    assert five_people.heat > liked_single.heat
    assert heat([Voice("u:a", likes=3, dislikes=10)]).supports == 0


def test_recency_halves_every_half_life() -> None:
    assert recency(NOW - timedelta(days=180), NOW, 180) == pytest.approx(0.5)
    assert recency(NOW - timedelta(days=360), NOW, 180) == pytest.approx(0.25)
    assert recency(None, NOW, 180) == 1.0
    old = heat([Voice("u:a", time=NOW - timedelta(days=180))], now=NOW)
    assert old.heat == pytest.approx(0.5)


def test_offline_visits_and_symposiums_count_by_channel_and_people_met() -> None:
    online = heat([Voice("u:a")]).heat
    visit = heat([Voice("visit:1", channel="visit")]).heat
    symposium = heat([Voice("meeting:1", channel="symposium", participants=12)]).heat
    assert visit == pytest.approx(1.5 * online)
    assert symposium > visit
    custom = HeatConfig(channel_weights={"online": 1.0, "visit": 3.0})
    assert heat([Voice("v", channel="visit")], config=custom).heat == pytest.approx(3.0)


def test_a_person_counts_with_their_strongest_opinion() -> None:
    mixed = heat([Voice("u:a"), Voice("u:a", channel="symposium")])
    assert mixed.people == 1
    assert mixed.heat == pytest.approx(1.5)


def test_a_visit_that_met_twelve_households_outranks_two_online_messages() -> None:
    visit = heat([Voice("visit:1", channel="visit", participants=12)], now=NOW)
    two_online = heat([Voice("u:a"), Voice("u:b")], now=NOW)
    assert visit.heat > 5 * two_online.heat
    assert visit.heat == pytest.approx(1.5 * (1 + 0.8 * 11))


def test_supports_raise_heat_but_never_outrank_many_distinct_people() -> None:
    alone = heat([Voice("u:a")]).heat
    supported = heat([Voice("u:a", likes=20)]).heat
    flooded = heat([Voice("u:a", likes=1_000_000)]).heat
    three_people = heat([Voice(f"u:{p}") for p in "abc"]).heat
    assert alone < supported <= flooded
    assert flooded < three_people


def test_a_county_knob_changes_the_ranking() -> None:
    visit = [Voice("visit:1", channel="visit", participants=6)]
    five_online = [Voice(f"u:{i}") for i in range(5)]
    assert heat(visit).heat > heat(five_online).heat
    echo = HeatConfig.from_settings({"participant_weight": "0.2"})
    assert heat(visit, config=echo).heat < heat(five_online, config=echo).heat


def test_county_settings_ignore_unknown_or_bad_values() -> None:
    config = HeatConfig.from_settings({"channel_visit": 2, "likes_weight": "x", "colour": 3, "supports_cap": 0.1,
                                       "half_life_days": 0})
    assert config.channel_weights["visit"] == 2.0
    assert config.likes_weight == HeatConfig().likes_weight
    assert config.supports_cap == 1.0
    assert config.half_life_days == HeatConfig().half_life_days
