"""A place's concern chosen as a secretary's topic: the place's opinions gather into one topic, which is assigned.

The workbench by place (:mod:`.places`) lets staff give a secretary a place where many different things are raised.
So that the people behind it see on their tracking page that their opinion fed the topic — and hear of it, and of
the rectification later — the place's opinions join one curated topic, and that topic is assigned through the one
door (:func:`.topics.topic_assign`), exactly as when a mined topic is chosen.

Supporters (see :mod:`.figures`) are never lost nor counted twice: each opinion's +1s go with the opinion; the own
+1s of every topic an opinion leaves are copied to the gathered topic (one per device and per proved phone), as a
split copies them to both halves; a topic left empty is folded in as a merge folds it (its assignment follows).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dianti.campaigns.models import Subject
from dianti.core import audit
from dianti.orgs.permissions import ensure_can_manage

from .figures import refresh
from .models import AssignedTopic, Opinion, Support, Topic
from .places import places_for_subject
from .topics import supports_copy, topic_assign


def _place_opinions(subject: Any, place: str) -> list[Opinion]:
    """Return the place's opinions that may gather: not those behind another subject's topic (an earlier campaign's
    secretary's), whose record stays as it was."""
    found = next((p for p in places_for_subject(subject) if p.name == place), None)
    if found is None:
        raise ValidationError(_("意见里已找不到“%(place)s”这个地方，请刷新页面后重试") % {"place": place})
    taken = set(AssignedTopic.objects.filter(topic__organization=subject.organization).exclude(subject=subject)
                .values_list("topic_id", flat=True))
    free = [o for o in found.opinions if o.topic_id is None or o.topic_id not in taken]
    if not free:
        raise ValidationError(_("“%(place)s”的意见都已是其他述职题目的来源，不能再归入新题目") % {"place": place})
    return free


def _target(subject: Any, moving: list[Opinion], title: str) -> Topic:
    """Return the topic the place's opinions gather in: the one of the subject's campaign they already share alone,
    else a new one."""
    sources = {o.topic_id for o in moving}
    if len(sources) == 1 and None not in sources:
        only = Topic.objects.get(pk=next(iter(sources)))
        if only.campaign_id == subject.campaign_id and not Opinion.objects.filter(topic=only).exclude(
                pk__in=[o.pk for o in moving]).exists():
            return only
    category = Counter(o.category for o in moving if o.category).most_common(1)
    return Topic.objects.create(organization=subject.organization, org_path=subject.organization.path,
                                campaign=subject.campaign, title=title[:200], curated=True,
                                category=category[0][0] if category else "")


def _fold_sources(target: Topic, source_ids: set[int]) -> None:
    """Copy each source topic's own +1s to ``target``; fold a source left empty into it (as a merge does)."""
    for source in Topic.objects.filter(pk__in=source_ids):
        supports_copy(Support.objects.filter(topic=source), topic=target)
        if Opinion.objects.filter(topic=source).exists():
            source.curated = True
            source.save(update_fields=["curated"])
            refresh(source.pk)
        else:
            AssignedTopic.objects.filter(topic=source).update(topic=target)
            source.delete()


@transaction.atomic
def place_topic_gather(*, actor: Any, subject: Any, place: str, title: str) -> Topic:
    """Gather the opinions the subject's workbench shows under ``place`` into one curated topic titled ``title``
    and return it (refreshed); see the module for what becomes of the topics they leave and their supporters."""
    ensure_can_manage(actor, subject.campaign.convener)
    # Of two gathers of the subject at once (a double click), the second waits and then finds the first's topic,
    # rather than each making a topic of its own from the same opinions (one left empty, with stale figures).
    Subject.objects.select_for_update().filter(pk=subject.pk).first()
    title = title.strip()
    if not 2 <= len(title) <= 200:
        raise ValidationError({"text": _("述职题目应为 2 至 200 个字")})
    moving = _place_opinions(subject, place)
    target = _target(subject, moving, title)
    sources = {o.topic_id for o in moving if o.topic_id is not None} - {target.pk}
    Opinion.objects.filter(pk__in=[o.pk for o in moving]).update(topic=target)
    _fold_sources(target, sources)
    target.title, target.curated = title[:200], True
    target.save(update_fields=["title", "curated", "updated_at"])
    audit.record(actor=actor, action="topic.gather_place", target=target, org_path=target.org_path,
                 changes={"place": [None, place], "opinions": [None, len(moving)], "topics": [len(sources), 1]})
    return refresh(target.pk)  # type: ignore[return-value]


@transaction.atomic
def place_topic_assign(*, actor: Any, subject: Any, place: str, text: str, confirm_duplicate: bool = False) -> Any:
    """Give the subject a place's concern as its topic: gather the place's opinions (:func:`place_topic_gather`)
    and assign the gathered topic through :func:`.topics.topic_assign` — refused as a whole (nothing gathered) when
    the topic is another secretary's and not confirmed."""
    topic = place_topic_gather(actor=actor, subject=subject, place=place, title=text)
    return topic_assign(actor=actor, subject=subject, text=text, topic=topic, confirm_duplicate=confirm_duplicate)
