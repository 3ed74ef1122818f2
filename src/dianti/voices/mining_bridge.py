"""Between the database and the pure mining core (:mod:`dianti.voices.mining`): load opinions, run the miner,
store topics and the miner's state; a topic's figures (heat among them) are :mod:`.figures`'."""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from dianti.campaigns.models import Campaign
from dianti.core import jobs
from dianti.core.models import Job
from dianti.orgs.models import Organization

from .figures import CHANNEL_KEYS, heat_config, refresh
from .mining import pipeline
from .mining.classify import KeywordClassifier, LearnedClassifier
from .mining.label import name_topic
from .models import ClassifierState, MiningState, Opinion, Topic

log = logging.getLogger(__name__)


def _person(author_key: str) -> str | None:
    """Known people count once; an opinion with neither phone nor device is keyed by the miner itself."""
    return None if author_key.startswith("op:") else author_key


def to_core(op: Opinion) -> pipeline.Opinion:
    return pipeline.Opinion(id=str(op.pk), text=op.text, title=op.title, user=_person(op.author_key),
                            time=op.created_at, likes=op.supports, channel=CHANNEL_KEYS.get(op.channel, op.channel),
                            participants=max(1, op.people_met))


def classifier() -> Any:
    """Return the learned classifier if one has been trained, else the keyword rules."""
    state = ClassifierState.objects.order_by("-trained_at").first()
    if state is not None:
        try:
            return LearnedClassifier.from_bytes(bytes(state.blob))
        except (ValueError, AttributeError, ImportError):
            log.warning("stored classifier could not be loaded; using keyword rules")
    return KeywordClassifier()


def _apply_predictions(opinions: list[Opinion], clf: Any) -> None:
    todo = [op for op in opinions if op.category_source != Opinion.CategorySource.STAFF]
    if not todo:
        return
    predictions = clf.predict([(op.title, op.text) for op in todo])
    source = Opinion.CategorySource.MODEL if isinstance(clf, LearnedClassifier) else Opinion.CategorySource.RULE
    for op, p in zip(todo, predictions, strict=True):
        op.category, op.category_confidence = p.category or "", p.confidence
        op.category_source = source if p.category else Opinion.CategorySource.NONE
    Opinion.objects.bulk_update(todo, ["category", "category_confidence", "category_source"], batch_size=500)


# One organization's opinions are few and short (a village hears tens, not thousands): they share few words, so
# the linkage thresholds are lower than for a city's message board. Every member must still share the concrete
# problem (the specificity weighting keeps everyday words such as 晚上 or 方便 from gluing opinions together).
SMALL_CORPUS = 300
SMALL_CONFIG = pipeline.MiningConfig(edge_threshold=0.06, link_threshold=0.1)


def config_for(n: int) -> pipeline.MiningConfig:
    return SMALL_CONFIG if n < SMALL_CORPUS else pipeline.MiningConfig()


def _pool(org: Organization, campaign: Campaign | None) -> Any:
    qs = Opinion.objects.filter(organization=org, status=Opinion.Status.VISIBLE, duplicate_of__isnull=True)
    return qs.filter(Q(campaign=campaign) | Q(campaign__isnull=True)) if campaign else qs


@transaction.atomic
def mine_organization(org: Organization, campaign: Campaign | None) -> dict[str, Any]:
    """Mine the organization's opinions into topics. Curated topics and their opinions are kept as they are;
    every other topic is rebuilt. Return a summary."""
    pool = list(_pool(org, campaign).exclude(topic__curated=True).order_by("id"))
    clf = classifier()
    _apply_predictions(pool, clf)
    config = dataclasses.replace(config_for(len(pool)), heat=heat_config(campaign))
    result = pipeline.mine([to_core(op) for op in pool], config=config, now=timezone.now())
    stale = Topic.objects.filter(organization=org, campaign=campaign, curated=False)
    Opinion.objects.filter(topic__in=stale).update(topic=None)
    stale.delete()
    by_id = {str(op.pk): op for op in pool}
    for t in result.topics:
        topic = Topic.objects.create(organization=org, org_path=org.path, campaign=campaign, title=t.title[:200],
                                     keywords=t.keywords, category=t.category or "", mining_key=t.id)
        Opinion.objects.filter(pk__in=[int(m) for m in t.members if m in by_id]).update(topic=topic)
        refresh(topic.pk)
    MiningState.objects.update_or_create(organization=org, campaign=campaign,
                                         defaults={"blob": result.state.to_bytes(), "opinions": len(pool)})
    return {"opinions": len(pool), "topics": len(result.topics),
            "sorted": sum(1 for a in result.assignments.values() if a)}


def mine_job(job: Job, progress: jobs.Progress) -> dict[str, Any]:
    org = Organization.objects.get(pk=job.params["organization"])
    campaign = Campaign.objects.filter(pk=job.params.get("campaign")).first()
    progress(0, 1)
    summary = mine_organization(org, campaign)
    progress(1, 1)
    return {"message": f"已梳理 {summary['opinions']} 条意见，形成 {summary['topics']} 个话题", **summary,
            "back": job.params.get("back", "")}


def absorb_one(opinion_id: int) -> None:
    """Classify one new opinion and let the stored mining state place it in a topic, if one fits."""
    with transaction.atomic():
        op = Opinion.objects.select_related("organization").filter(pk=opinion_id).first()
        if op is None or op.status != Opinion.Status.VISIBLE or op.topic_id or op.category_source:
            return  # gone, hidden, or already handled by a mining run that committed first
        _apply_predictions([op], classifier())
        state_row = (MiningState.objects.select_for_update()
                     .filter(organization=op.organization, campaign=op.campaign).first())
        if state_row is None:
            return
        try:
            state = pipeline.TopicsState.from_bytes(bytes(state_row.blob))
        except ValueError:  # stored by an older miner: the next mining run rebuilds it
            log.info("mining state of organization %s is outdated; waiting for a re-mine", op.organization_id)
            state_row.delete()
            return
        if str(op.pk) in state.persons:  # already mined (e.g. a re-mine ran before this commit)
            return
        placed = pipeline.assign(to_core(op), state, category=op.category or None, now=timezone.now())
        topic = None
        if placed.topic_id is not None:
            topic = _topic_for(op, state, placed.topic_id)
        state_row.blob, state_row.opinions = state.to_bytes(), state_row.opinions + 1
        state_row.save(update_fields=["blob", "opinions", "updated_at"])
        if topic is not None:
            refresh(topic.pk)


def _topic_for(op: Opinion, state: pipeline.TopicsState, topic_id: str) -> Topic | None:
    """Return the topic the absorbed opinion joined: an existing one, or a new one (once it has enough people),
    named by the one naming function (:func:`.mining.label.name_topic`) from its members, as a mining run would."""
    topic = Topic.objects.filter(organization=op.organization, campaign=op.campaign, mining_key=topic_id).first()
    if topic is not None:
        Opinion.objects.filter(pk=op.pk).update(topic=topic)
        return topic
    core = state.topic(topic_id)
    if core.people < state.config.min_people:
        return None
    ids = [int(m) for m in core.members]
    rows = Opinion.objects.in_bulk(ids)
    name = name_topic([(rows[i].title, rows[i].text) for i in ids if i in rows], specific=core.keywords).text
    state.data[topic_id].title = name or core.title
    topic = Topic.objects.create(organization=op.organization, org_path=op.org_path, campaign=op.campaign,
                                 title=(name or core.title)[:200], keywords=core.keywords,
                                 category=core.category or "", mining_key=topic_id)
    Opinion.objects.filter(pk__in=ids).update(topic=topic)
    return topic

MIN_LABELS = 20
RETRAIN_EVERY = 20


def category_names() -> list[str]:
    from .mining.classify import DEFAULT_CATEGORIES

    return [c.name for c in DEFAULT_CATEGORIES]


def train_job(job: Job, progress: jobs.Progress) -> dict[str, Any]:
    """Retrain the learned classifier on every staff label; keep the keyword rules if there are too few."""
    rows = list(Opinion.objects.filter(category_source=Opinion.CategorySource.STAFF)
                .values_list("title", "text", "category"))
    classes = sorted({c for _, _, c in rows})
    if len(rows) < MIN_LABELS or len(classes) < 2:
        raise jobs.JobFailed(f"人工标注的意见不足（{len(rows)} 条，{len(classes)} 类）：至少需要 {MIN_LABELS} 条、2 类")
    progress(0, 1)
    clf = LearnedClassifier().fit([(t, b) for t, b, _ in rows], [c for _, _, c in rows])
    ClassifierState.objects.create(blob=clf.to_bytes(), labels=len(rows), classes=classes)
    progress(1, 1)
    return {"message": f"已用 {len(rows)} 条人工标注训练分类模型（{len(classes)} 类）", "labels": len(rows)}
