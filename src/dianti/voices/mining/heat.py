"""The heat ("呼声") index of a topic: how many distinct people raised it, through which channels, how recently,
and how many others supported it.

Formula (all parameters in :class:`HeatConfig`)::

    heat = V · min(1 + λ · log10(1 + L), s_max)

    V = Σ over distinct people p of  max over p's opinions o of  c(channel_o) · n(o) · r(t_o)
    n(o) = 1 + β · (N_o − 1)                       a visit or symposium record standing for N_o people (N_o ≥ 1)
    r(t) = 0.5 ** (age_days(t) / half_life_days)   exponential decay; an opinion without a time counts as new
    L = Σ over opinions of max(0, likes − dislikes)   "我也关心" supports and likes, net of opposition
    c = channel weight: online 1.0, door-to-door visit 1.5, symposium 1.5, direct-reporting point 1.2,
        observation point 1.2, self-inspection 1.0 (unknown channels 1.0)
    β = 0.8 (participant_weight), λ = 0.5 (likes_weight), s_max = 2 (supports_cap),
    half_life_days = 180 (half a campaign year)

Worked figures with the defaults: one online message 1; two online messages from two people 2; a door-to-door
visit that met 12 households 1.5 · (1 + 0.8 · 11) = 14.7; one message with 1,000 supports 1 · 2 = 2 (capped),
below three people who wrote (3).

Why this shape:

* *Distinct people.* A person counts once, with their best opinion: writing the same complaint ten times does not
  raise V. Opinions without a known person are keyed by the caller (the pipeline uses their near-duplicate group, so
  anonymous copies count once).
* *Supports amplify, they do not replace voices.* L enters through a damped logarithm multiplying V, capped at
  s_max: supports can at most multiply a topic's voice by s_max, so a topic raised by more than s_max times as
  many (equally weighted) people always ranks higher, however many clicks the other collects.
* *Offline counts people.* A visit or symposium is one record standing for the N people met; each of them beyond
  the first counts β of a voice (β < 1 because people at one meeting echo each other), so a visit that met
  twelve households weighs like about ten people writing, not like one message.
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
PARTICIPANT_WEIGHT = 0.8
SUPPORTS_CAP = 2.0
# The knobs a county may set (stored as {knob: number}; see HeatConfig.from_settings): once for every campaign under
# it, a campaign overriding a knob where it must (resolved by dianti.campaigns.heat.heat_weights_in_force).
KNOBS = ("participant_weight", "likes_weight", "supports_cap", "half_life_days",
         *(f"channel_{c}" for c in CHANNEL_WEIGHTS))


@dataclass(frozen=True)
class HeatConfig:
    """The parameters of the heat formula (see the module docstring): one knob per weight."""

    channel_weights: Mapping[str, float] = field(default_factory=lambda: dict(CHANNEL_WEIGHTS))  # c
    half_life_days: float = HALF_LIFE_DAYS
    likes_weight: float = LIKES_WEIGHT  # λ
    participant_weight: float = PARTICIPANT_WEIGHT  # β
    supports_cap: float = SUPPORTS_CAP  # s_max

    @classmethod
    def from_settings(cls, settings: Mapping[str, object]) -> HeatConfig:
        """Return the defaults overridden by ``settings`` (a county's stored knobs); ignore unknown or bad values.

        Keys: ``likes_weight``, ``participant_weight``, ``supports_cap``, ``half_life_days`` and
        ``channel_<key>`` for a channel weight (e.g. ``channel_visit``).
        """
        base = cls()
        scalars: dict[str, float] = {}
        channels = dict(base.channel_weights)
        for key, raw in settings.items():
            try:
                value = float(raw)  # type: ignore[arg-type]
            except (TypeError, ValueError):
                continue
            if value < 0 or math.isnan(value) or math.isinf(value):
                continue
            if key.startswith("channel_") and key[8:] in channels:
                channels[key[8:]] = value
            elif key in KNOBS:
                scalars[key] = value
        if scalars.get("half_life_days", 1.0) <= 0:
            scalars.pop("half_life_days")
        scalars["supports_cap"] = max(1.0, scalars.get("supports_cap", base.supports_cap))
        return cls(channel_weights=channels, **scalars)


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
        weight *= 1.0 + config.participant_weight * (max(1, v.participants) - 1)
        weight *= recency(v.time, now, config.half_life_days)
        if weight > best.get(v.person, -1.0):
            best[v.person] = weight
        supports += max(0, v.likes - v.dislikes)
    voice = sum(best.values())
    value = voice * min(1.0 + config.likes_weight * math.log10(1 + supports), config.supports_cap)
    return Heat(round(value, 4), len(best), round(voice, 4), supports)
