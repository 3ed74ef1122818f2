"""Writes for campaigns and 党委点名. Each checks permission, validates, writes in one transaction, appends an
audit record and queues notifications on commit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dianti.core import audit, events, notify, paths, rules
from dianti.orgs.models import Organization
from dianti.orgs.permissions import ensure_can_manage

from . import heat, phases
from .models import Campaign, Category, Phase, Project, ResponsibilityItem, Subject

CAMPAIGN_FIELDS = ("title", "year", "batch", "parent", "candidate_level", "candidate_fields", "direct_only",
                   "scheme_key", "deadlines", "heat_weights")
SUBJECT_FIELDS = ("category", "reason", "topic", "status", "rectification", "score")
MIN_REASON = 4


def _nearest_parent_campaign(convener: Organization, year: int) -> Campaign | None:
    ancestors = paths.ancestors(convener.path)
    return (Campaign.objects.filter(org_path__in=ancestors, year=year).order_by("-org_path").first()
            if ancestors else None)


def parent_candidates(convener: Organization, year: int) -> Any:
    """Return the campaigns ``convener``'s campaign of ``year`` may join: those of its ancestors in that year."""
    return Campaign.objects.filter(org_path__in=paths.ancestors(convener.path), year=year).order_by("-org_path")


def _check_parent(convener: Organization, year: int, parent: Campaign | None) -> None:
    if parent is not None and not parent_candidates(convener, year).filter(pk=parent.pk).exists():
        raise ValidationError({"parent": f"“{parent.title}”不是上级党委{year}年度的述职活动，不能作为上级活动"})


def _validate_deadlines(deadlines: dict[str, Any]) -> dict[str, str]:
    clean = {}
    for phase, value in (deadlines or {}).items():
        if phase not in phases.P.values:
            raise ValidationError({"deadlines": f"未知阶段“{phase}”"})
        if not value:
            continue
        try:
            clean[phase] = dt.date.fromisoformat(str(value)).isoformat()
        except ValueError:
            raise ValidationError({"deadlines": f"“{value}”不是有效日期（格式：2020-05-31）"}) from None
    return clean


@transaction.atomic
def campaign_create(*, actor: Any, convener: Organization, year: int, title: str, **fields: Any) -> Campaign:
    """Open a campaign convened by ``convener``; it joins the chain under the nearest ancestor's campaign."""
    ensure_can_manage(actor, convener)
    if not 2000 <= int(year) <= 2100:
        raise ValidationError({"year": "年度应在 2000 至 2100 之间"})
    if not title.strip():
        raise ValidationError({"title": "请填写活动名称"})
    batch = fields.pop("batch", "")
    if Campaign.objects.filter(convener=convener, year=year, batch=batch).exists():
        raise ValidationError({"year": f"{convener.display_name}{year}年度{batch}的述职活动已存在"})
    fields["deadlines"] = _validate_deadlines(fields.get("deadlines", {}))
    parent = fields.pop("parent", None)
    _check_parent(convener, int(year), parent)
    parent = parent or _nearest_parent_campaign(convener, year)
    campaign = Campaign(convener=convener, org_path=convener.path, year=year, title=title.strip(), batch=batch,
                        parent=parent, created_by=actor if getattr(actor, "is_authenticated", False) else None,
                        **fields)
    campaign.full_clean()
    campaign.save()
    Campaign.objects.filter(parent__isnull=True, year=year, org_path__gt=convener.path,
                            org_path__lt=paths.successor(convener.path)).update(parent=campaign)
    audit.record(actor=actor, action="campaign.create", target=campaign, org_path=campaign.org_path,
                 changes={k: [None, v] for k, v in audit.snapshot(campaign, CAMPAIGN_FIELDS).items()})
    return campaign


@transaction.atomic
def campaign_update(*, actor: Any, campaign: Campaign, **fields: Any) -> Campaign:
    ensure_can_manage(actor, campaign.convener)
    if campaign.phase == Phase.ARCHIVED:
        raise ValidationError("已归档的活动不能修改")
    before = audit.snapshot(campaign, CAMPAIGN_FIELDS)
    if "deadlines" in fields:
        fields["deadlines"] = _validate_deadlines(fields["deadlines"])
    if "heat_weights" in fields:
        fields["heat_weights"] = heat.validate_heat_weights(fields["heat_weights"])
    if "parent" in fields:
        _check_parent(campaign.convener, int(fields.get("year", campaign.year)), fields["parent"])
    for name, value in fields.items():
        if name not in CAMPAIGN_FIELDS:
            raise ValueError(f"unknown campaign field {name}")
        setattr(campaign, name, value)
    campaign.full_clean()
    campaign.save()
    changes = audit.diff(before, audit.snapshot(campaign, CAMPAIGN_FIELDS))
    if changes:
        audit.record(actor=actor, action="campaign.update", target=campaign, org_path=campaign.org_path,
                     changes=changes)
    # The topics' heat is recomputed in the background (again, when the same knobs are saved after it failed).
    if "heat_weights" in changes or ("heat_weights" in fields and heat.reheat_failed(campaign=campaign.pk)):
        heat.reheat_campaign(actor=actor, campaign=campaign)
    return campaign


def is_candidate(campaign: Campaign, org: Organization) -> bool:
    """Return whether ``org`` may be chosen in ``campaign`` (inside its scope, at its level and fields)."""
    if org.pk == campaign.convener_id or not org.path.startswith(campaign.org_path) or not org.is_active:
        return False
    if campaign.direct_only and org.parent_id != campaign.convener_id:
        return False
    if org.level != campaign.candidate_level:
        return False
    return not campaign.candidate_fields or org.field in campaign.candidate_fields


def ensure_list_editable(campaign: Campaign) -> None:
    """Refuse a change to the subject list outside 点名 or once it is submitted or published."""
    if campaign.phase != Phase.NOMINATE:
        raise ValidationError("只有在“点名”阶段才能调整述职对象名单")
    if campaign.list_status != Campaign.ListStatus.DRAFT:
        raise ValidationError("名单已提交或已公示，需先退回后才能修改")


@dataclass(frozen=True)
class Choice:
    organization: Organization
    category: str
    reason: str


def _check_choice(campaign: Campaign, choice: Choice) -> list[str]:
    problems = []
    if not is_candidate(campaign, choice.organization):
        problems.append("不在本次活动的点名范围内")
    if choice.category not in Category.values:
        problems.append("请选择点名类别")
    if len(choice.reason.strip()) < MIN_REASON:
        problems.append(f"请写明点名理由（至少 {MIN_REASON} 个字）")
    return problems


@transaction.atomic
def subjects_choose(*, actor: Any, campaign: Campaign, choices: list[Choice]) -> list[Subject]:
    """Choose several subjects at once: all are added, or — if any choice is wrong — none, with every problem named."""
    ensure_can_manage(actor, campaign.convener)
    ensure_list_editable(campaign)
    errors = {}
    chosen = set(campaign.subjects.values_list("organization_id", flat=True))
    seen: set[int] = set()
    for c in choices:
        problems = _check_choice(campaign, c)
        if c.organization.pk in chosen:
            problems.append("已经在名单中")
        elif c.organization.pk in seen:  # a form posted twice over, or a script: once, not a database error
            problems.append("重复选择")
        seen.add(c.organization.pk)
        if problems:
            errors[c.organization.display_name] = "；".join(problems)
    if not choices:
        raise ValidationError("请至少选择一个组织")
    if errors:
        raise ValidationError([f"{name}：{msg}" for name, msg in errors.items()])
    start = campaign.subjects.count()
    made = []
    for i, c in enumerate(choices, start=1):
        org = c.organization
        secretary = org.secretary
        subject = Subject.objects.create(
            campaign=campaign, organization=org, org_path=org.path, secretary=secretary,
            secretary_name=secretary.name if secretary else "", category=c.category, reason=c.reason.strip(),
            order=start + i,
        )
        audit.record(actor=actor, action="subject.choose", target=subject, org_path=campaign.org_path,
                     changes={"category": [None, subject.get_category_display()], "reason": [None, subject.reason],
                              "secretary": [None, subject.secretary_name]})
        made.append(subject)
    return made


@transaction.atomic
def subject_update(*, actor: Any, subject: Subject, **fields: Any) -> Subject:
    campaign = subject.campaign
    ensure_can_manage(actor, campaign.convener)
    if set(fields) & {"category", "reason"}:
        ensure_list_editable(campaign)
    before = audit.snapshot(subject, SUBJECT_FIELDS)
    for name, value in fields.items():
        if name not in SUBJECT_FIELDS:
            raise ValueError(f"unknown subject field {name}")
        setattr(subject, name, value)
    problems = _check_choice(campaign, Choice(subject.organization, subject.category, subject.reason))
    if problems:
        raise ValidationError(problems)
    subject.save()
    changes = audit.diff(before, audit.snapshot(subject, SUBJECT_FIELDS))
    if changes:
        audit.record(actor=actor, action="subject.update", target=subject, org_path=campaign.org_path,
                     changes=changes)
    return subject


@transaction.atomic
def subject_remove(*, actor: Any, subject: Subject) -> None:
    ensure_can_manage(actor, subject.campaign.convener)
    ensure_list_editable(subject.campaign)
    audit.record(actor=actor, action="subject.remove", target=subject, org_path=subject.campaign.org_path,
                 changes={"reason": [subject.reason, None]})
    if subject.chosen_told_at is not None:
        tell_secretary(subject, "unchosen", _("您已不在述职对象名单中：%(title)s") % {"title": subject.campaign.title},
                        _("%(org)s已从修改后的述职对象名单中移出。") % {"org": subject.organization.name})
    subject.delete()


@transaction.atomic
def subject_outcome_set(*, actor: Any, subject: Subject, **fields: Any) -> Subject:
    """Record on the subject what a later step decided (status, score, rectification). The calling service has
    already checked its own rule (core/rules.py); this only writes and audits."""
    before = audit.snapshot(subject, SUBJECT_FIELDS)
    for name, value in fields.items():
        if name not in ("status", "score", "rectification"):
            raise ValueError(f"not an outcome field: {name}")
        setattr(subject, name, value)
    subject.save(update_fields=list(fields))
    changes = audit.diff(before, audit.snapshot(subject, SUBJECT_FIELDS))
    if changes:
        audit.record(actor=actor, action="subject.outcome", target=subject, org_path=subject.org_path,
                     changes=changes)
    return subject


@transaction.atomic
def subject_topic_set(*, actor: Any, subject: Subject, topic: str) -> Subject:
    """Write the topic a secretary must report on, and tell the secretary.

    The lower step of :func:`dianti.voices.topics.topic_assign`, the one door pages use: that service also records
    where the topic came from, tells the villagers behind it and asks before repeating another secretary's topic.
    Call this directly only from fixtures and demo data that have no opinions behind the topic.
    """
    campaign = subject.campaign
    ensure_can_manage(actor, campaign.convener)
    if campaign.phase != Phase.TOPICS:
        raise ValidationError("只有在“点题”阶段才能设定述职题目")
    topic = topic.strip()
    if not 4 <= len(topic) <= 200:
        raise ValidationError({"topic": "述职题目应为 4 至 200 个字"})
    before = subject.topic
    subject.topic, subject.topic_assigned_at, subject.status = topic, timezone.now(), Subject.Status.TOPIC_SET
    subject.save(update_fields=["topic", "topic_assigned_at", "status"])
    audit.record(actor=actor, action="subject.topic", target=subject, org_path=campaign.org_path,
                 changes={"topic": [before or None, topic]})
    tell_secretary(subject, "topic_assigned", _("您的述职题目：%(topic)s") % {"topic": topic},
                    _("%(title)s：请围绕“%(topic)s”准备述职。") % {"title": campaign.title, "topic": topic})
    events.publish("topic_assigned", actor=actor, subject_id=subject.pk, topic=topic, org_path=campaign.org_path)
    return subject


def tell_secretary(subject: Subject, kind: str, title: str, body: str) -> None:
    """Tell the subject's secretary (if one is named) ``title``: ``body``, linking to their campaigns."""
    if subject.secretary is None:
        return
    notify.notify([notify.recipient_for_person(subject.secretary)],
                  notify.Message(kind=kind, title=title, body=body, url=reverse("my_campaigns")))


class TransitionRefused(ValidationError):
    pass


@transaction.atomic
def phase_move(*, actor: Any, campaign: Campaign, to: str, note: str = "") -> Campaign:
    """Move the campaign to phase ``to`` if that move is declared, allowed for ``actor`` and its needs are met."""
    transition = phases.TRANSITIONS.get((campaign.phase, to))
    if transition is None:
        raise TransitionRefused(
            f"不能从“{Phase(campaign.phase).label}”直接转到“{Phase(to).label if to in Phase.values else to}”")
    rules.ensure(actor, phases.rule_of(transition), rules.Context(body_path=campaign.org_path))
    missing = transition.missing(campaign)
    if missing:
        raise TransitionRefused([f"不能{transition.label}：" + "；".join(missing)])
    old = campaign.phase
    campaign.phase = to
    campaign.save(update_fields=["phase"])
    audit.record(actor=actor, action="campaign.phase", target=campaign, org_path=campaign.org_path,
                 changes={"phase": [Phase(old).label, Phase(to).label]}, note=note)
    return campaign


@transaction.atomic
def responsibility_add(*, actor: Any, organization: Organization, year: int, title: str,
                       detail: str = "") -> ResponsibilityItem:
    ensure_can_manage(actor, organization)
    if not title.strip():
        raise ValidationError({"title": "请填写责任事项"})
    item = ResponsibilityItem.objects.create(organization=organization, org_path=organization.path, year=year,
                                             title=title.strip()[:200], detail=detail.strip())
    audit.record(actor=actor, action="responsibility.add", target=item, org_path=organization.path,
                 changes={"title": [None, item.title], "year": [None, year]})
    return item


@transaction.atomic
def project_add(*, actor: Any, organization: Organization, year: int, kind: str, title: str) -> Project:
    ensure_can_manage(actor, organization)
    project = Project(organization=organization, org_path=organization.path, year=year, kind=kind,
                      title=title.strip())
    project.full_clean()
    project.save()
    audit.record(actor=actor, action="project.add", target=project, org_path=organization.path,
                 changes={"title": [None, project.title], "kind": [None, project.get_kind_display()]})
    return project
