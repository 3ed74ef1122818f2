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
