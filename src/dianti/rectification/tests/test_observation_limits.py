"""A villager's observations are rate-limited; the demo's, written inside ``ratelimit.suspended()``, are not."""

from __future__ import annotations

from typing import Any

import pytest

from dianti.core import ratelimit
from dianti.rectification import services, supervision
from dianti.rectification.models import State
from dianti.rectification.tests.factories import case_in

IP, DEVICE = ratelimit.digest("demo-obs-ip"), ratelimit.digest("demo-obs-dev")


def observe(case: Any, opinion: Any, i: int) -> Any:
    return services.observation_add(case=case, opinion=opinion, text=f"路灯已经修好了，晚上出门亮堂多了（{i}）",
                                    ip_hash=IP, device_hash=DEVICE)


def test_observations_loaded_as_data_are_refused_nothing_and_a_visitor_is_still_limited(
        users: Any, subject: Any, voiced: list[Any]) -> None:
    case = case_in(State.IN_PROGRESS, subject, actor=users.town_admin, secretary=users.secretary)
    daily = supervision.OBSERVATION_LIMITS[-1][0]
    with ratelimit.suspended():
        for i in range(daily + 5):
            observe(case, voiced[1], i)
    burst = supervision.OBSERVATION_LIMITS[0][0]
    for i in range(burst):
        observe(case, voiced[1], i)
    with pytest.raises(ratelimit.RateLimited):
        observe(case, voiced[1], burst)
    assert case.observations.count() == daily + 5 + burst
