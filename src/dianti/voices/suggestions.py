"""What the workbench suggests to the staff curating a subject's topics (a read: nothing is written here).

The pure :func:`dianti.voices.mining.suggest.suggest` compares the subject's topics and its unsorted opinions; this
module loads them through the subject's scoped selectors and maps the answer back to rows. Staff act on a
suggestion through the existing services (:func:`.topics.topic_merge`, :func:`.topics.opinion_set_topic`).
"""

from __future__ import annotations

from dataclasses import dataclass

from dianti.campaigns.models import Subject

from . import selectors
from .mining.suggest import Group, suggest
from .models import Opinion, Topic

PER_TOPIC = 30  # the most recent opinions of a topic stand for it: enough to know what it is about
UNSORTED = 100


@dataclass(frozen=True)
class MergeHint:
    """Two topics that may be one concern; ``into`` is the louder, which the other would join."""

    into: Topic
    other: Topic
    shared: tuple[str, ...]
    into_opinions: list[Opinion]
    other_opinions: list[Opinion]


@dataclass(frozen=True)
class OfferHint:
    topic: Topic
    shared: tuple[str, ...]


@dataclass(frozen=True)
class WorkbenchSuggestions:
    merges: list[MergeHint]
    offers: dict[int, OfferHint]  # unsorted opinion id → its nearest topic


def _members(topics: list[Topic]) -> dict[int, list[Opinion]]:
    """Return each topic's counted opinions, newest first, at most ``PER_TOPIC`` each (one query)."""
    members: dict[int, list[Opinion]] = {t.pk: [] for t in topics}
    rows = (Opinion.objects.filter(topic__in=topics, status=Opinion.Status.VISIBLE, duplicate_of__isnull=True)
            .order_by("topic_id", "-created_at").only("pk", "topic_id", "title", "text", "created_at"))
    for op in rows:
        if len(members[op.topic_id]) < PER_TOPIC:
            members[op.topic_id].append(op)
    return members


def workbench_suggestions(subject: Subject) -> WorkbenchSuggestions:
    """Return the merge suggestions among the subject's topics (best first) and the nearest topic of each of its
    most recent unsorted opinions."""
    topics = list(selectors.topics_for_subject(subject))
    members = _members(topics)
    unsorted = list(selectors.unsorted_for_subject(subject)[:UNSORTED])
    found = suggest([Group(str(t.pk), tuple((o.title, o.text) for o in members[t.pk])) for t in topics],
                    [Group(str(o.pk), ((o.title, o.text),)) for o in unsorted])
    by_id = {str(t.pk): t for t in topics}
    merges = []
    for s in found.merges:
        into, other = sorted((by_id[s.first], by_id[s.second]), key=lambda t: (-t.heat, t.pk))
        merges.append(MergeHint(into, other, s.shared, members[into.pk][:3], members[other.pk][:3]))
    offers = {int(s.first): OfferHint(by_id[s.second], s.shared) for s in found.offers}
    return WorkbenchSuggestions(merges, offers)
