"""Scoped reads for opinions and topics, and the public views of them (no personal data)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import F, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from dianti.campaigns.models import Campaign, Subject
from dianti.core import paths, scope
from dianti.orgs.models import Organization

from .mining.classify import REVIEW_THRESHOLD
from .models import AssignedTopic, Opinion, Topic
from .permissions import ensure_can_view_topic
from .stats import OPINION_YEAR
from .verify import requirement


@dataclass(frozen=True)
class OpinionFilters:
    q: str = ""
    org: str = ""
    channel: str = ""
    status: str = ""
    unsorted: bool = False
    review: bool = False
    year: int | None = None  # the year the opinion counts in (its campaign's; else when it came in): stats.OPINION_YEAR
    category: str = ""

    @classmethod
    def from_query(cls, query: Any) -> OpinionFilters:
        year = query.get("year", "").strip()
        return cls(q=query.get("q", "").strip(), org=query.get("org", "").strip(),
                   channel=query.get("channel", ""), status=query.get("status", ""),
                   unsorted=bool(query.get("unsorted")), review=bool(query.get("review")),
                   year=int(year) if year.isdigit() else None, category=query.get("category", "").strip())


# Roles whose grant opens the opinions of the whole subtree. An evaluator's or approver's grant does not (their work
# needs no opinions); point staff read only what their points serve (see visible_opinions).
_OPINION_ROLES = frozenset({"county_admin", "town_admin", "secretary"})


def visible_opinions(user: Any) -> QuerySet[Opinion]:
    """Return the opinions ``user`` may read: admins' and secretaries' subtrees, and for point staff the
    organizations their points serve (the point's organization and everything under it)."""
    sc = scope.scope_for(user)
    if sc.everything:
        return Opinion.objects.all()
    if not getattr(user, "is_authenticated", False):
        return Opinion.objects.none()
    from dianti.orgs.models import ContactPoint, RoleGrant

    roots = list(RoleGrant.objects.filter(user=user, role__in=_OPINION_ROLES)
                 .values_list("organization__path", flat=True))
    if "point_staff" in sc.roles:
        roots += list(ContactPoint.objects.filter(staff__user=user).values_list("org_path", flat=True))
    q = Q(pk__in=[])
    for root in paths.minimal_roots(roots):
        q |= Q(org_path__gte=root, org_path__lt=paths.successor(root))
    return Opinion.objects.filter(q)


def opinion_queue(user: Any, f: OpinionFilters) -> QuerySet[Opinion]:
    """The moderators' queue: everything in scope (hidden ones too), newest first, filtered."""
    qs = visible_opinions(user).select_related("organization", "topic", "point", "duplicate_of")
    if f.org:
        org = Organization.objects.filter(code=f.org).only("path").first()
        if org is None:
            return qs.none()
        qs = qs.filter(org_path__gte=org.path, org_path__lt=paths.successor(org.path))
    if f.q:
        qs = qs.filter(Q(text__icontains=f.q) | Q(title__icontains=f.q) | Q(tracking_code=f.q.upper()))
    if f.channel:
        qs = qs.filter(channel=f.channel)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.unsorted:
        qs = qs.filter(topic__isnull=True, category="")
    if f.year:
        qs = qs.alias(year=OPINION_YEAR).filter(year=f.year)
    if f.category:
        qs = qs.filter(category=f.category)
    if f.review:  # the classifier was unsure: a person decides
        qs = qs.exclude(category_source=Opinion.CategorySource.STAFF).filter(
            Q(category="") | Q(category_confidence__lt=REVIEW_THRESHOLD))
    return qs.order_by("-created_at", "-id")


def opinion_get(user: Any, pk: int) -> Opinion:
    """Return one opinion the user may read (:func:`visible_opinions`); else 404, as for one that never was."""
    found = (visible_opinions(user).select_related("organization", "topic", "point", "duplicate_of")
             .filter(pk=pk).first())
    if found is None:
        raise Http404(_("找不到该意见，或您无权查看"))
    return found


def opinions_by_ids(user: Any, ids: list[int]) -> list[Opinion]:
    return list(visible_opinions(user).filter(pk__in=ids).select_related("organization", "topic"))


def topics_for_subject(subject: Subject) -> QuerySet[Topic]:
    return (Topic.objects.filter(organization=subject.organization)
            .filter(Q(campaign=subject.campaign) | Q(campaign__isnull=True)).order_by("-heat", "id"))


def topic_get(user: Any, pk: int) -> Topic:
    return ensure_can_view_topic(user, Topic.objects.select_related("organization").filter(pk=pk).first())


def unsorted_for_subject(subject: Subject) -> QuerySet[Opinion]:
    return Opinion.objects.filter(organization=subject.organization, topic__isnull=True,
                                  status=Opinion.Status.VISIBLE, duplicate_of__isnull=True).order_by("-created_at")


def public_org(code: str) -> Organization:
    """Return the active organization of the QR page ``code``, knowing whether its county asks for proved phones."""
    org = (Organization.objects.filter(code=code, is_active=True).select_related("parent")
           .annotate(phone_codes_required=requirement()).first())
    if org is None:
        raise Http404("找不到该组织")
    return org


def public_topics(org: Organization, campaign: Campaign | None = None, limit: int = 10) -> QuerySet[Topic]:
    """Return the topics the QR page shows as current: those of the open ``campaign`` (all, when none is open:
    newest year first, and the page labels each with its campaign's year, as a concern is often a topic of several)."""
    qs = Topic.objects.filter(organization=org, size__gte=1).select_related("campaign")
    if campaign is not None:
        return qs.filter(campaign=campaign).order_by("-heat", "id")[:limit]
    return qs.order_by(F("campaign__year").desc(nulls_last=True), "-heat", "id")[:limit]


def public_recent(org: Organization, campaign: Campaign | None = None, limit: int = 20) -> QuerySet[Opinion]:
    """Return the latest visible opinions of the open ``campaign`` (all, when none is open)."""
    qs = Opinion.objects.filter(organization=org, status=Opinion.Status.VISIBLE, duplicate_of__isnull=True)
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    return qs.only("id", "title", "text", "created_at", "supports", "channel").order_by("-created_at")[:limit]


def _earlier(campaign: Campaign) -> Q:
    return Q(campaign__isnull=True) | (~Q(campaign=campaign) & Q(campaign__year__lte=campaign.year))


def public_earlier(org: Organization, campaign: Campaign | None, limit: int = 10) -> list[Any]:
    """Return the earlier calls' topics while a new call is open, newest year first, each with ``year`` set
    (None for voices gathered outside any campaign): last year's voices stay reachable, labelled as such."""
    if campaign is None:
        return []
    topics = list(Topic.objects.filter(_earlier(campaign), organization=org, size__gte=1)
                  .select_related("campaign").order_by("-campaign__year", "-heat", "id")[:limit])
    for t in topics:
        t.year = t.campaign.year if t.campaign else None
    return topics


def tracked(code: str) -> Opinion:
    opinion = (Opinion.objects.select_related("organization", "topic", "campaign").filter(tracking_code=code.strip().upper())
               .first())
    if opinion is None:
        raise Http404("查询码不存在，请核对后重新输入")
    return opinion


def assigned_topic_id(subject: Subject) -> int | None:
    """Return the id of the topic (mined, or gathered from a place) the subject's topic came from, if any."""
    return (AssignedTopic.objects.filter(subject=subject, topic__isnull=False)
            .values_list("topic_id", flat=True).first())


def opinions_behind(subject: Subject) -> QuerySet[Opinion]:
    """Return the opinions behind the subject's assigned topic (and those merged into them as duplicates)."""
    topic_id = assigned_topic_id(subject)
    if topic_id is None:
        return Opinion.objects.none()
    return Opinion.objects.filter(Q(topic_id=topic_id) | Q(duplicate_of__topic_id=topic_id))


@dataclass
class PublicVoices:
    """What the public sees behind a subject's topic: the topic as curated, how many people raised it, and the
    latest of its opinions that moderation left visible (their text, date and channel — never a name or phone)."""

    topic: Topic
    opinions: list[Opinion]


#: The opinions the public reads: visible, not a merged duplicate, and only the fields without personal data.
PUBLIC_OPINION_FIELDS = ("id", "title", "text", "created_at", "channel", "topic_id", "supports")


def public_voices(subject_ids: list[int], per_topic: int = 5) -> dict[int, PublicVoices]:
    """Return {subject id: :class:`PublicVoices`} for the subjects among ``subject_ids`` whose topic came from the
    people's voices (not from the responsibility list), with the latest ``per_topic`` visible opinions of each
    topic — in three queries however many subjects (a window ranks the opinions within their topic)."""
    from django.db.models import F, Window
    from django.db.models.functions import RowNumber

    assigned = dict(AssignedTopic.objects.filter(subject_id__in=subject_ids, topic__isnull=False)
                    .values_list("subject_id", "topic_id"))
    topics = Topic.objects.only("id", "title", "people", "size", "supports").in_bulk(set(assigned.values()))
    ranked = (Opinion.objects.filter(topic_id__in=list(topics), status=Opinion.Status.VISIBLE, duplicate_of__isnull=True)
              .only(*PUBLIC_OPINION_FIELDS)
              .annotate(rank=Window(RowNumber(), partition_by=[F("topic_id")], order_by=[F("created_at").desc(),
                                                                                           F("id").desc()]))
              .filter(rank__lte=per_topic).order_by("topic_id", "rank"))
    by_topic: dict[int, list[Opinion]] = {}
    for op in ranked:
        by_topic.setdefault(op.topic_id, []).append(op)  # type: ignore[arg-type]
    return {sid: PublicVoices(topics[tid], by_topic.get(tid, [])) for sid, tid in assigned.items() if tid in topics}
