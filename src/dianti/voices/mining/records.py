"""What the miner reads and reports: opinions, thresholds, topics, where :func:`~.incremental.assign` put an
opinion, and what a topic keeps to be updated (see :mod:`.pipeline` for the stages)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from . import cluster as clustering
from .heat import HeatConfig, Voice

REST = "_rest"  # the keyword index's bucket of the opinions in no topic


@dataclass(frozen=True)
class Opinion:
    """One opinion as the miner sees it. ``user`` is None for anonymous ones; ``participants`` is the number of
    people met at a visit or symposium (1 otherwise); ``channel`` is a key of the heat channel weights."""

    id: str
    text: str
    title: str = ""
    user: str | None = None
    time: datetime | None = None
    likes: int = 0
    dislikes: int = 0
    channel: str = "online"
    participants: int = 1


@dataclass(frozen=True)
class MiningConfig:
    """Thresholds of the miner (see :mod:`.cluster`) and what makes a reported topic."""

    edge_threshold: float = clustering.EDGE_THRESHOLD
    link_threshold: float = clustering.LINK_THRESHOLD
    merge_threshold: float = clustering.MERGE_THRESHOLD
    place_min: float = clustering.PLACE_MIN
    problem_min: float = clustering.PROBLEM_MIN
    min_people: int = 2
    keywords: int = 5
    analysis_chars: int = 800  # the opening that is analysed: clustering reads less, classification up to 600
    heat: HeatConfig = field(default_factory=HeatConfig)


@dataclass
class Topic:
    """A mined topic. ``members`` are opinion ids, most central first."""

    id: str
    title: str
    keywords: list[str]
    members: list[str]
    people: int
    likes: int
    dislikes: int
    heat: float
    first: datetime | None
    last: datetime | None
    channels: dict[str, int]
    category: str | None = None

    @property
    def size(self) -> int:
        return len(self.members)

    @property
    def time_range(self) -> list[str | None]:
        """Return ``[first, last]`` as ISO 8601 strings (None when unknown)."""
        return [self.first.isoformat() if self.first else None, self.last.isoformat() if self.last else None]

    def as_dict(self, rank: int) -> dict[str, Any]:
        """Return the topic as plain JSON-ready data, with its ``rank`` (1 = loudest)."""
        return {"rank": rank, "id": self.id, "title": self.title, "keywords": self.keywords, "size": self.size,
                "people": self.people, "likes": self.likes, "dislikes": self.dislikes, "heat": self.heat,
                "time_range": self.time_range, "channels": self.channels, "category": self.category,
                "members": self.members}


@dataclass
class _TopicData:
    """What the state keeps per topic to update it: members, voices, times and a title source."""

    members: list[str]
    voices: list[Voice]
    times: list[datetime]
    likes: int
    dislikes: int
    channels: Counter[str]
    title: str
    categories: Counter[str] = field(default_factory=Counter)


@dataclass(frozen=True)
class Assignment:
    """Where :func:`assign` put an opinion: its topic (None if in none yet), whether that topic is new, and a
    near-duplicate it repeats (None if none)."""

    topic_id: str | None
    created: bool
    duplicate_of: str | None


def person_of(opinion: Opinion, original_id: str) -> str:
    return f"u:{opinion.user}" if opinion.user else f"anon:{original_id}"


def voice_of(opinion: Opinion, person: str) -> Voice:
    return Voice(person, opinion.channel, opinion.time, opinion.likes, opinion.dislikes, opinion.participants)


def new_data(title: str) -> _TopicData:
    return _TopicData([], [], [], 0, 0, Counter(), title)


def add_member(d: _TopicData, opinion: Opinion, person: str, category: str | None) -> None:
    d.members.append(opinion.id)
    d.voices.append(voice_of(opinion, person))
    if opinion.time is not None:
        d.times.append(opinion.time)
    d.likes += opinion.likes
    d.dislikes += opinion.dislikes
    d.channels[opinion.channel] += 1
    if category:
        d.categories[category] += 1
