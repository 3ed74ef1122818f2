"""The heat ("呼声") index of a topic: how many distinct people raised it, through which channels, how recently,
and how many others supported it.

Formula (all parameters in :class:`HeatConfig`)::

    heat = V · (1 + λ · log10(1 + L))

    V = Σ over distinct people p of  max over p's opinions o of  c(channel_o) · n(o) · r(t_o)
    n(o) = 1 + ln(participants_o)                  a visit or symposium where N people raised it (N ≥ 1)
    r(t) = 0.5 ** (age_days(t) / half_life_days)   exponential decay; an opinion without a time counts as new
    L = Σ over opinions of max(0, likes − dislikes)   supports and likes, net of opposition
    c = channel weight: online 1.0, door-to-door visit 1.5, symposium 1.5, direct-reporting point 1.2,
        observation point 1.2, self-inspection 1.0 (unknown channels 1.0)
    λ = 0.5, half_life_days = 180 (half a campaign year)

Why this shape:

* *Distinct people.* A person counts once, with their best opinion: writing the same complaint ten times does not
  raise V. Opinions without a known person are keyed by the caller (the pipeline uses their near-duplicate group, so
  anonymous copies count once).
* *Likes amplify, they do not replace voices.* L enters through a damped logarithm multiplying V, so 2,000 likes on
  one message make it at most about 2.7 times one voice, while ten different people make ten.
* *Offline counts.* A visit or symposium is one record standing for several people; its weight grows with the
  logarithm of the people met, because people at one meeting echo each other.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

CHANNEL_WEIGHTS: Mapping[str, float] = {
    "online": 1.0,
    "visit": 1.5,
    "symposium": 1.5,
    "direct_point": 1.2,
    "observation_point": 1.2,
    "self_inspection": 1.0,
}
HALF_LIFE_DAYS = 180.0
LIKES_WEIGHT = 0.5


@dataclass(frozen=True)
class HeatConfig:
    """The parameters of the heat formula (see the module docstring)."""

    channel_weights: Mapping[str, float] = field(default_factory=lambda: dict(CHANNEL_WEIGHTS))
    half_life_days: float = HALF_LIFE_DAYS
    likes_weight: float = LIKES_WEIGHT


class Voice(NamedTuple):
    """What one opinion contributes to a topic's heat (a named tuple: many are stored, and they pickle fast)."""

    person: str
    channel: str = "online"
    time: datetime | None = None
    likes: int = 0
    dislikes: int = 0
    participants: int = 1


@dataclass(frozen=True)
class Heat:
    """A topic's heat and its parts: distinct ``people``, their weighted ``voice`` V and net ``supports`` L."""

    heat: float
    people: int
    voice: float
    supports: int


def recency(time: datetime | None, now: datetime | None, half_life_days: float) -> float:
    """Return r(t) = 0.5 ** (age in days / half-life); 1 when either time is unknown or t is in the future."""
    if time is None or now is None:
        return 1.0
    if (time.tzinfo is None) != (now.tzinfo is None):
        time, now = time.replace(tzinfo=None), now.replace(tzinfo=None)
    age_days = max(0.0, (now - time).total_seconds() / 86400.0)
    return float(0.5 ** (age_days / half_life_days))


def heat(voices: Iterable[Voice], *, now: datetime | None = None, config: HeatConfig | None = None) -> Heat:
    """Return the heat of the topic whose opinions contribute ``voices`` (formula in the module docstring)."""
    config = config or HeatConfig()
    best: dict[str, float] = {}
    supports = 0
    for v in voices:
        weight = config.channel_weights.get(v.channel, 1.0)
        weight *= 1.0 + math.log(max(1, v.participants))
        weight *= recency(v.time, now, config.half_life_days)
        if weight > best.get(v.person, -1.0):
            best[v.person] = weight
        supports += max(0, v.likes - v.dislikes)
    voice = sum(best.values())
    value = voice * (1.0 + config.likes_weight * math.log10(1 + supports))
    return Heat(round(value, 4), len(best), round(voice, 4), supports)
