"""The workbench by place: the estates, village groups, roads and buildings a subject's opinions name, each with
the different concerns raised there — so a place with many different complaints is seen as a concern of its own.

A read (nothing is written here). The places come from the pure recogniser
(:func:`dianti.voices.mining.places.find_places`) run over each opinion's title and text, and over the place of the
point it was collected at (民情直报点, 观察点); the names it knows beforehand are those of the organization's own
subtree and points. The organization itself is the scope, not a place within it, so its own names are left out.

A place's *concerns* are the topics of its opinions (an opinion not yet in a topic counts by its category, else as
尚未归类); places are ranked by how many different concerns they gather, then by distinct people, then by opinions
— the places the opinions name first, the points they were merely collected at after them.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from dianti.campaigns.models import Subject
from dianti.orgs.models import ContactPoint, Organization

from .mining.places import find_places
from .models import Opinion

#: The newest opinions of a subject that the place view reads: a village's whole year is far fewer.
LIMIT = 3000
SHOWN = 5  # opinions shown under each place
KIND_LABELS = {"point": _l("收集意见的点位"), "known": _l("组织或点位"), "group": _l("村民小组"), "estate": _l("小区（社区）"), "village": _l("村"),
               "road": _l("道路"), "bridge": _l("桥"), "building": _l("楼栋"), "door": _l("门牌")}


@dataclass
class PlaceConcern:
    """One place and what was raised there."""

    name: str
    kind: str
    rule: str
    opinions: list[Opinion] = field(default_factory=list)
    people: set[str] = field(default_factory=set)
    concerns: Counter[str] = field(default_factory=Counter)

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS.get(self.kind, self.kind))

    @property
    def size(self) -> int:
        return len(self.opinions)

    @property
    def concern_list(self) -> list[tuple[str, int]]:
        return self.concerns.most_common()

    @property
    def only_topic_id(self) -> int | None:
        """Return the topic all the place's opinions are in (as once its concern is chosen), else None."""
        ids = {op.topic_id for op in self.opinions}
        return ids.pop() if len(ids) == 1 else None

    @property
    def shown(self) -> list[Opinion]:
        return self.opinions[:SHOWN]

    @property
    def suggested_topic(self) -> str:
        """Word the place as a topic a secretary could be given (staff edit it before assigning)."""
        named = "、".join(c for c, _n in self.concern_list[:3] if c != _("尚未归类"))
        if len(self.concerns) > 1 and named:
            return _("%(place)s的%(what)s等问题如何统筹解决") % {"place": self.name, "what": named}
        return _("%(place)s群众反映的问题如何解决") % {"place": self.name}


def _names(org: Organization) -> tuple[set[str], set[str]]:
    """Return (the names the recogniser knows beforehand, the organization's own names, which are not places)."""
    own = {n for n in (org.name, org.short_name, org.display_name) if n}
    below = Organization.objects.subtree(org.path).exclude(pk=org.pk).values_list("name", "short_name")[:500]
    points = ContactPoint.objects.filter(organization=org).values_list("name", "place")
    known = {n for pair in [*below, *points] for n in pair if n}
    return known | own, own


def _concern(op: Opinion) -> str:
    if op.topic_id is not None:
        return op.topic.title
    return op.category or _("尚未归类")


def opinions_for_places(subject: Subject) -> list[Opinion]:
    """Return the subject's counted opinions (visible, not a duplicate, of its campaign or of none), newest first."""
    return list(Opinion.objects.filter(organization=subject.organization, status=Opinion.Status.VISIBLE,
                                       duplicate_of__isnull=True)
                .filter(Q(campaign=subject.campaign) | Q(campaign__isnull=True))
                .select_related("topic", "point").order_by("-created_at", "-id")[:LIMIT])


def places_for_subject(subject: Subject) -> list[PlaceConcern]:
    """Return the places the subject's opinions name, most different concerns first (see the module)."""
    known, own = _names(subject.organization)
    found: dict[str, PlaceConcern] = {}
    for op in opinions_for_places(subject):
        places = find_places(f"{op.title}。{op.text}", known)
        if op.point is not None:  # where it was collected: told apart, the opinion need not be about the spot
            places += [dataclasses.replace(p, kind="point", rule="point")
                       for p in find_places(op.point.place, known) or find_places(op.point.name, known)]
        for p in {p.name: p for p in reversed(places) if p.name not in own}.values():
            place = found.setdefault(p.name, PlaceConcern(p.name, p.kind, p.rule))
            place.opinions.append(op)
            place.people.add(op.author_key)
            place.concerns[_concern(op)] += 1
    return sorted(found.values(), key=lambda p: (p.kind == "point", -len(p.concerns), -len(p.people), -p.size, p.name))
