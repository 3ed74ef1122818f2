"""Topics: the curation moves staff make (merge, split, rename, move an opinion) — none of which ever loses a
supporter — and assigning a subject its topic. Mining opinions into topics is :mod:`.mining_bridge`'s; a topic's
figures are recomputed by :func:`.figures.refresh`.

Supporters (see :mod:`.figures`): merging keeps the union (a device counts once); splitting copies the topic's own
+1s to both halves, and each opinion's +1s go with that opinion.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dianti.core import audit
from dianti.orgs.permissions import ensure_can_manage

from .figures import refresh
from .mining.label import name_topic
from .models import Opinion, Support, Topic


def _ensure_same_org(topics: list[Topic]) -> None:
    if len({t.organization_id for t in topics}) != 1:
        raise ValidationError("只能合并同一组织的话题")


@transaction.atomic
def topic_merge(*, actor: Any, topics: list[Topic], title: str = "") -> Topic:
    """Merge topics into the first one: its opinions and every supporter (each device once) join it, and a
    subject whose topic came from a merged topic now points at the first (its opinions' tracking pages stay right).
    """
    from .models import AssignedTopic

    if len(topics) < 2:
        raise ValidationError("请至少选择两个话题进行合并")
    _ensure_same_org(topics)
    target, *others = topics
    ensure_can_manage(actor, target.organization)
    for other in others:
        Opinion.objects.filter(topic=other).update(topic=target)
        AssignedTopic.objects.filter(topic=other).update(topic=target)
        supports_copy(Support.objects.filter(topic=other), topic=target)
        audit.record(actor=actor, action="topic.merge", target=target, org_path=target.org_path,
                     changes={"merged": [other.title, target.title]})
        other.delete()
    if title.strip():
        target.title = title.strip()[:200]
    target.curated = True
    target.save(update_fields=["title", "curated"])
    return refresh(target.pk)  # type: ignore[return-value]


def supports_copy(source: Any, **target: Any) -> None:
    """Give ``target`` (``topic=`` or ``opinion=``) the supports in ``source`` it lacks: one per device, and one per
    proved phone (a phone already supporting the target leaves the copied support unverified)."""
    have = Support.objects.filter(**target)
    devices = set(have.values_list("device_hash", flat=True))
    phones = set(have.exclude(phone_hash="").values_list("phone_hash", flat=True))
    for device, phone in source.values_list("device_hash", "phone_hash"):
        if device in devices:
            continue
        phone = "" if phone in phones else phone
        Support.objects.create(device_hash=device, phone_hash=phone, **target)
        devices.add(device)
        phones.add(phone)


@transaction.atomic
def topic_split(*, actor: Any, topic: Topic, opinion_ids: list[int], title: str) -> Topic:
    """Move the chosen opinions out of ``topic`` into a new topic; the topic's own +1s are copied to both.

    Without a ``title`` the new topic is named from the moved opinions by the one naming function
    (:func:`.mining.label.name_topic`), as a mined topic is; staff rename it at will."""
    ensure_can_manage(actor, topic.organization)
    moving = list(Opinion.objects.filter(topic=topic, pk__in=opinion_ids))
    if not moving:
        raise ValidationError("请选择要拆分出去的意见")
    if len(moving) == Opinion.objects.filter(topic=topic).count():
        raise ValidationError("不能把全部意见都拆出去；如需改名请直接重命名")
    title = title.strip() or name_topic([(o.title, o.text) for o in moving]).text
    if not title:
        raise ValidationError({"title": "请为新话题起个名字"})
    new = Topic.objects.create(organization=topic.organization, org_path=topic.org_path, campaign=topic.campaign,
                               title=title.strip()[:200], category=topic.category, curated=True)
    Opinion.objects.filter(pk__in=[o.pk for o in moving]).update(topic=new)
    supports_copy(Support.objects.filter(topic=topic), topic=new)
    topic.curated = True
    topic.save(update_fields=["curated"])
    audit.record(actor=actor, action="topic.split", target=new, org_path=topic.org_path,
                 changes={"from": [topic.title, new.title], "opinions": [None, len(moving)]})
    refresh(topic.pk)
    return refresh(new.pk)  # type: ignore[return-value]


@transaction.atomic
def topic_rename(*, actor: Any, topic: Topic, title: str) -> Topic:
    ensure_can_manage(actor, topic.organization)
    title = title.strip()
    if not 2 <= len(title) <= 200:
        raise ValidationError({"title": "话题名称应为 2 至 200 个字"})
    old = topic.title
    topic.title, topic.curated = title, True
    topic.save(update_fields=["title", "curated", "updated_at"])
    audit.record(actor=actor, action="topic.rename", target=topic, org_path=topic.org_path,
                 changes={"title": [old, title]})
    return topic


@transaction.atomic
def opinion_set_topic(*, actor: Any, opinion: Opinion, topic: Topic | None) -> Opinion:
    """Move one opinion to another topic of the same organization (or out of any topic)."""
    ensure_can_manage(actor, opinion.organization)
    if topic is not None and topic.organization_id != opinion.organization_id:
        raise ValidationError("只能移到同一组织的话题")
    old = opinion.topic
    opinion.topic = topic
    opinion.save(update_fields=["topic"])
    for t in (old, topic):
        if t is not None:
            Topic.objects.filter(pk=t.pk).update(curated=True)
            refresh(t.pk)
    audit.record(actor=actor, action="opinion.topic", target=opinion, org_path=opinion.org_path,
                 changes={"topic": [old.title if old else None, topic.title if topic else None]})
    return opinion


def normalise_title(text: str) -> str:
    """Return ``text`` without spaces, punctuation or case, so "如何修路？" and "如何 修路" compare equal."""
    return re.sub(r"[\W_]+", "", text).lower()


class DuplicateTopic(ValidationError):
    """The topic is already another secretary's in the same campaign; the page asks before accepting it."""


def same_topic_elsewhere(subject: Any, text: str) -> list[Any]:
    """Return the other subjects of the campaign whose topic is ``text`` (normalised)."""
    key = normalise_title(text)
    others = (subject.campaign.subjects.exclude(pk=subject.pk).exclude(topic="")
              .select_related("organization").order_by("order", "id"))
    return [s for s in others if normalise_title(s.topic) == key]


def _ensure_distinct(subject: Any, text: str) -> None:
    twins = same_topic_elsewhere(subject, text)
    if twins:
        names = "、".join(f"{s.organization.display_name}（{s.secretary_name or _('书记未定')}）" for s in twins)
        raise DuplicateTopic(_("“%(topic)s”已是%(names)s的述职题目。不同书记一般应有不同的题目；"
                               "如确需相同，请确认后再提交。") % {"topic": text.strip(), "names": names},
                             code="duplicate_topic")


def _mined_topic_titled(subject: Any, text: str) -> Topic | None:
    key = normalise_title(text)
    from .selectors import topics_for_subject

    return next((t for t in topics_for_subject(subject) if normalise_title(t.title) == key), None)


@transaction.atomic
def topic_assign(*, actor: Any, subject: Any, text: str, topic: Topic | None = None,
                 responsibility: Any = None, confirm_duplicate: bool = False) -> Any:
    """Set a subject's topic — the one door for every page that sets one (the workbench and the campaign page).

    The topic comes from a mined topic (the people's loudest voice), a 党建责任清单 item, or the committee's own
    words; words equal to a mined topic's title count as that topic. The secretary is told (through
    :func:`dianti.campaigns.services.subject_topic_set`, the lower step, which publishes ``topic_assigned``), and
    so, once it commits, is everyone who left a phone number on an opinion behind the topic (:mod:`.receivers`). A topic another secretary of the campaign already has is refused with
    :class:`DuplicateTopic` unless ``confirm_duplicate``: different secretaries get different topics.
    """
    from dianti.campaigns.services import subject_topic_set

    from .models import AssignedTopic

    if topic is not None and topic.organization_id != subject.organization_id:
        raise ValidationError("只能选用本组织的话题")
    if responsibility is not None and responsibility.organization_id != subject.organization_id:
        raise ValidationError("只能选用本组织的责任清单事项")
    if not confirm_duplicate:
        _ensure_distinct(subject, text)
    if topic is None and responsibility is None:
        topic = _mined_topic_titled(subject, text)
    subject = subject_topic_set(actor=actor, subject=subject, topic=text)
    AssignedTopic.objects.update_or_create(subject=subject, defaults={
        "topic": topic, "responsibility": responsibility,
        "assigned_by": actor if getattr(actor, "is_authenticated", False) else None})
    return subject
