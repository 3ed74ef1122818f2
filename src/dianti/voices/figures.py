"""A topic's figures — size, people, supporters, channels, time span and heat — computed here and nowhere else.

Both the curation moves (:mod:`.topics`) and the miner's bridge (:mod:`.mining_bridge`) call :func:`refresh` after
they change a topic's members; neither imports the other for it.

Supporters: a topic's supporters are the devices that +1'd the topic itself or any of its visible opinions (a
device counts once). Distinct people are counted from the hashed author keys of the member opinions.

Verified people: of those, the distinct phones proved by SMS code where the county asks for it (voices/verify.py) —
the authors of member opinions taken with a proved phone, and the supporters whose "我也关心" carries one. A phone's
key is the same hash an opinion's author key is made of, so one person who both wrote and supported counts once.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.db.models import Q
from django.utils import timezone

from dianti.campaigns.heat import heat_weights_in_force

from .mining.heat import HeatConfig, Voice, heat
from .models import Channel, Opinion, Support, Topic

# The core names two channels its own way.
CHANNEL_KEYS = {Channel.DIRECT_REPORT: "direct_point", Channel.OBSERVATION: "observation_point"}


def members(topic_id: int) -> Any:
    """Return the topic's counted opinions: visible, and not marked as a duplicate of another."""
    return Opinion.objects.filter(topic_id=topic_id, status=Opinion.Status.VISIBLE, duplicate_of__isnull=True)


def supporters(topic: Topic) -> set[str]:
    """Return the distinct devices supporting the topic or any of its visible opinions."""
    return set(Support.objects.filter(Q(topic=topic) | Q(opinion__in=members(topic.pk)))
               .values_list("device_hash", flat=True))


def verified_people(topic: Topic, rows: list[dict[str, Any]]) -> int:
    """Return how many distinct people with a proved phone wrote one of ``rows`` (the members) or support it."""
    phones = {m["author_key"] for m in rows if m["phone_verified"]}
    phones |= set(Support.objects.filter(Q(topic=topic) | Q(opinion__in=members(topic.pk)))
                  .exclude(phone_hash="").values_list("phone_hash", flat=True))
    return len(phones)


def heat_of(voices: list[dict[str, Any]], supporters: int, *, now: dt.datetime,
            config: HeatConfig | None = None) -> float:
    """Return the heat of a topic with these member opinions and this many distinct supporters (the core's
    formula; supporters enter as its net supports L), with the campaign's knobs ``config``."""
    core = [Voice(person=m["author_key"], channel=CHANNEL_KEYS.get(m["channel"], m["channel"]),
                  time=m["created_at"], participants=max(1, m["people_met"])) for m in voices]
    if core:
        first = core[0]
        core[0] = Voice(first.person, first.channel, first.time, supporters, 0, first.participants)
    return heat(core, now=now, config=config).heat


def heat_config(campaign: Any) -> HeatConfig:
    """Return the heat formula's knobs in force for the campaign: its county's, overridden by its own
    (:func:`dianti.campaigns.heat.heat_weights_in_force`; the defaults without a campaign)."""
    return HeatConfig.from_settings(heat_weights_in_force(campaign) if campaign is not None else {})


def refresh(topic_id: int) -> Topic | None:
    """Recompute a topic's size, people, supports, verified people, channels, time span and heat from its
    opinions."""
    topic = Topic.objects.filter(pk=topic_id).select_related("campaign").first()
    if topic is None:
        return None
    rows = list(members(topic_id).values("author_key", "channel", "people_met", "created_at", "supports",
                                         "phone_verified"))
    topic.size = len(rows)
    topic.people = len({m["author_key"] for m in rows})
    topic.supports = len(supporters(topic))
    topic.verified_people = verified_people(topic, rows)
    topic.channels = dict(Counter(m["channel"] for m in rows))
    times = [m["created_at"] for m in rows]
    topic.first_at, topic.last_at = (min(times), max(times)) if times else (None, None)
    topic.heat = heat_of(rows, topic.supports, now=timezone.now(), config=heat_config(topic.campaign))
    topic.save(update_fields=["size", "people", "supports", "verified_people", "channels", "first_at", "last_at",
                              "heat", "updated_at"])
    return topic
