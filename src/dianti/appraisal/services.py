"""Writes for 评议考核: scoring schemes (each edit a new version), results computed from closed meetings by the
engine, their submission and publication (公示), and the decisions on the actions the rules propose.

Each service checks permission, validates, writes in one transaction, appends an audit record and queues
notifications on commit. Numbers come from :mod:`dianti.appraisal.engine` through :mod:`.adapter`; nothing here
computes a score itself.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from dianti.campaigns import services as campaign_services
from dianti.campaigns.models import Campaign, Subject
from dianti.core import audit, events, rules
from dianti.meetings.models import Meeting
from dianti.orgs.models import Organization
from dianti.orgs.permissions import ensure_can_manage

from . import adapter, scheme_reads
from .engine import Scheme, SchemeError, default_scheme
from .engine.results import Proposal
from .engine.results import SubjectResult as EngineResult
from .models import ActionProposal, ScoringScheme, SubjectResult
from .permissions import ensure_can_edit_scheme
from .scheme_reads import DEFAULT_KEY

log = logging.getLogger(__name__)
KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
# The engine's rules name their action in words; the proposal stores one of three actions.
ACTION_BY_TEXT = {"约谈": ActionProposal.Action.TALK, "不合格": ActionProposal.Action.UNQUALIFIED,
                  "整改通知单": ActionProposal.Action.RECTIFICATION, "整改通知": ActionProposal.Action.RECTIFICATION,
                  "整改": ActionProposal.Action.RECTIFICATION}
ACTION_BY_RULE = {"interview": ActionProposal.Action.TALK, "unqualified": ActionProposal.Action.UNQUALIFIED,
                  "rectify": ActionProposal.Action.RECTIFICATION}
ACTION_TEXT = {ActionProposal.Action.TALK: "约谈", ActionProposal.Action.UNQUALIFIED: "不合格",
               ActionProposal.Action.RECTIFICATION: "整改通知单"}


# ---------------------------------------------------------------------------------------------------------------
# Schemes


def scheme_ensure() -> ScoringScheme:
    """Return the latest stored default scheme, storing version 1 from the engine's :func:`default_scheme` first if
    there is none — the one place the default is created.

    Reads never store it (until then :mod:`.selectors` offer it unsaved); writers that keep a reference to the
    scheme they used (results, annual assessments, a new version of the default) call this first. No actor: the
    default is the system's, the same for everyone, and storing it changes nothing anyone sees.
    """
    row = ScoringScheme.objects.filter(key=DEFAULT_KEY).order_by("-version").first()
    if row is not None:
        return row
    scheme = default_scheme()
    row, _created = ScoringScheme.objects.get_or_create(key=DEFAULT_KEY, version=scheme.version, defaults={
        "name": scheme.name, "data": scheme.to_dict()})
    return row


def _stored(row: ScoringScheme) -> ScoringScheme:
    """Return ``row``, or the stored default when ``row`` is the default as read before it was stored."""
    return row if row.pk is not None else scheme_ensure()


@transaction.atomic
def scheme_save(*, actor: Any, key: str, data: Mapping[str, Any], organization: Organization | None = None
                ) -> ScoringScheme:
    """Save ``data`` (the engine's dict layout) as the next version of scheme ``key``; a new key starts at 1.

    The engine validates the scheme; its message (Chinese, naming what to change) becomes the ValidationError.
    An existing scheme keeps its owner; a new one belongs to ``organization``. Results keep the version they were
    computed with until they are recomputed.
    """
    if not KEY_PATTERN.match(key or ""):
        raise ValidationError({"key": _("方案编号只能由字母、数字、下划线和短横线组成，不超过 64 个字符")})
    if key == DEFAULT_KEY:
        scheme_ensure()  # the default's version 1 is always the engine's; an edit of it is version 2
    latest = ScoringScheme.objects.filter(key=key).select_for_update().order_by("-version").first()
    owner = latest.organization if latest is not None else organization
    ensure_can_edit_scheme(actor, owner, key)
    version = (ScoringScheme.objects.filter(key=key).aggregate(v=Max("version"))["v"] or 0) + 1
    try:
        scheme = Scheme.from_dict({**data, "version": version})
    except SchemeError as exc:
        raise ValidationError(str(exc)) from exc
    row = ScoringScheme.objects.create(key=key, version=version, name=scheme.name or key, organization=owner,
                                       data=scheme.to_dict(),
                                       created_by=actor if getattr(actor, "is_authenticated", False) else None)
    audit.record(actor=actor, action="scheme.save", target=row, org_path=owner.path if owner else "",
                 changes={"version": [latest.version if latest else None, version], "name": [None, row.name]})
    return row


@transaction.atomic
def campaign_scheme_set(*, actor: Any, campaign: Campaign, key: str) -> Campaign:
    """Make scheme ``key`` the campaign's; results already computed keep their version until recomputed."""
    _stored(scheme_reads.scheme_get(key))
    return campaign_services.campaign_update(actor=actor, campaign=campaign,
                                             scheme_key="" if key == DEFAULT_KEY else key)


# ---------------------------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class ComputeReport:
    computed: int
    skipped_published: int
    proposals: int
    scheme: ScoringScheme


def _meetings_to_score(campaign: Campaign, meeting: Meeting | None) -> list[Meeting]:
    if meeting is not None:
        if meeting.status != Meeting.Status.CLOSED:
            raise ValidationError(_("投票截止后才能计算评议结果"))
        return [meeting]
    meetings = list(campaign.meetings.filter(status=Meeting.Status.CLOSED).order_by("closed_at", "pk"))
    if not meetings:
        raise ValidationError(_("还没有结束投票的述职会，无法计算评议结果"))
    return meetings


def detail_shared(data: adapter.MeetingInput, row: ScoringScheme, alpha: adapter.PanelAlpha,
                  meeting_flags: list[dict[str, Any]]) -> dict[str, Any]:
    """Return the part of a result's stored detail that is the same for every subject of the meeting."""
    scheme = data.scheme
    return {"scheme": {"key": row.key, "version": row.version, "name": row.name},
            "meeting": {"id": data.meeting.pk, "title": data.meeting.title, "alpha": alpha.to_dict(),
                        "rater_flags": meeting_flags},
            "grades": list(scheme.scale.labels),
            "group_labels": data.group_labels,
            "item_labels": {i.code: i.label for i in scheme.items},
            "weights_from": data.weights_from,
            "grade_map": data.grade_map,
            "notes": data.notes}


def _detail(res: EngineResult, data: adapter.MeetingInput, row: ScoringScheme, alpha: adapter.PanelAlpha,
            meeting_flags: list[dict[str, Any]], subject_flags: list[Any]) -> dict[str, Any]:
    return {**res.to_dict(kept=False), **detail_shared(data, row, alpha, meeting_flags),
            "rater_flags": list(subject_flags), "uncertain": res.uncertain}


def explanation_text(res: EngineResult, data: adapter.MeetingInput, alpha: adapter.PanelAlpha,
                     flags: Iterable[Mapping[str, Any]]) -> str:
    """Return how every figure of the result follows from the ballots: the engine's trace, the mapping's notes,
    the panel's alpha and the rater flags (subject's first). Not stored: :mod:`.explanations` rebuilds it from the
    ballots when a page shows it."""
    lines = [res.explain(), *data.notes, alpha.text()]
    lines += [f"评议人提示（仅供参考，不剔除选票）：{f['message']}" for f in flags]
    return "\n".join(lines)


def wanted_proposals(res: EngineResult) -> dict[str, tuple[str, str, bool]]:
    """Return {action: (rule, reason, uncertain)} the rules propose for ``res``: one per action, a decided rule
    outranking an uncertain one."""
    return wanted_of(res.proposals())


def wanted_of(proposals: Iterable[Proposal]) -> dict[str, tuple[str, str, bool]]:
    """Return :func:`wanted_proposals` of the engine's ``proposals``."""
    wanted: dict[str, tuple[str, str, bool]] = {}
    for p in proposals:
        action = ACTION_BY_TEXT.get(p.action) or ACTION_BY_RULE.get(p.rule)
        if action is None:
            continue
        held = wanted.get(action)
        if held is None or (held[2] and not p.uncertain):  # a decided rule outranks an uncertain one
            wanted[action] = (p.rule, p.reason, p.uncertain)
    return wanted


def proposal_fields(campaign: Campaign, rule: str, reason: str, uncertain: bool) -> dict[str, Any]:
    """Return the fields of a pending proposal as the rules make it (the set-based path writes the same)."""
    return {"campaign": campaign, "org_path": campaign.org_path, "rule": rule[:64], "reason": reason,
            "uncertain": uncertain, "status": ActionProposal.Status.PENDING}


def _sync_proposals(subject: Subject, campaign: Campaign, res: EngineResult) -> int:
    """Replace the subject's pending proposals with what the rules propose now; decided ones are kept as decided."""
    wanted = wanted_proposals(res)
    existing = {p.action: p for p in ActionProposal.objects.filter(subject=subject)}
    for action, p in existing.items():
        if p.status == ActionProposal.Status.PENDING and action not in wanted:
            p.delete()
    for action, (rule, reason, uncertain) in wanted.items():
        held_p = existing.get(action)
        if held_p is not None and held_p.status != ActionProposal.Status.PENDING:
            continue
        ActionProposal.objects.update_or_create(subject=subject, action=action,
                                                defaults=proposal_fields(campaign, rule, reason, uncertain))
    return len(wanted)


def result_fields(res: EngineResult, data: adapter.MeetingInput, row: ScoringScheme, alpha: adapter.PanelAlpha,
                  meeting_flags: list[dict[str, Any]], subject_flags: list[Any]) -> dict[str, Any]:
    """Return the stored fields of a subject's draft result (the set-based path writes the same): the figures and
    the detail the pages draw, without the trace of every ballot — the explanation is rebuilt from the ballots,
    which never change after the vote, when it is shown (:mod:`.explanations`)."""
    return {
        "scheme": row, "meeting": data.meeting, "score": res.score, "ballots": res.n_valid,
        "invalid": len(res.invalid), "satisfaction": res.satisfaction.value,
        "satisfaction_low": res.satisfaction.low, "satisfaction_high": res.satisfaction.high,
        "dissatisfaction": res.dissatisfaction.value, "alpha": alpha.panel,
        "detail": _detail(res, data, row, alpha, meeting_flags, subject_flags),
        "explanation": "",  # rebuilt from the ballots when shown (explanations.result_explanation)
        "status": SubjectResult.Status.DRAFT, "submitted_at": None, "submitted_by": None}


def score_meeting(data: adapter.MeetingInput, row: ScoringScheme, subjects: Iterable[int] | None = None
                  ) -> Iterator[tuple[int, EngineResult, dict[str, Any]]]:
    """Yield (subject id, engine result, stored fields) for the meeting's subjects (all, or those in ``subjects``);
    the panel's alpha and rater flags need every subject of the meeting, so all are scored."""
    results = {sid: adapter.score(data, sid) for sid in data.ballots}
    alpha = adapter.panel_alphas(data, results)
    flags = adapter.paper_flags(data)
    per_subject = adapter.flags_by_subject(flags)
    meeting_flags = [f for f in flags if not f["subjects"]]
    wanted = None if subjects is None else set(subjects)
    for sid, res in results.items():
        if wanted is None or sid in wanted:
            yield sid, res, result_fields(res, data, row, alpha, meeting_flags, per_subject.get(sid, []))


@transaction.atomic
def results_compute(*, actor: Any, campaign: Campaign | None = None, meeting: Meeting | None = None,
                    version: int | None = None) -> ComputeReport:
    """Score the ballots of the campaign's closed meetings (or of one meeting) and store a draft result per subject.

    Uses the campaign's scheme, at ``version`` if given (recompute with version N) else its latest. A subject heard
    at several closed meetings takes the last one's ballots. Published results are left as they are; the others
    are replaced (back to draft), and the subject's pending proposals follow the new result.
    """
    if campaign is None:
        if meeting is None:
            raise ValueError("results_compute needs a campaign or a meeting")
        campaign = meeting.campaign
    elif meeting is not None and meeting.campaign_id != campaign.pk:
        raise ValidationError(_("该述职会不属于本次活动"))
    ensure_can_manage(actor, campaign.convener)
    row = _stored(scheme_reads.scheme_for_campaign(campaign, version))
    try:
        base = scheme_reads.engine_scheme(row)
    except SchemeError as exc:
        raise ValidationError(str(exc)) from exc
    published = set(SubjectResult.objects.filter(subject__campaign=campaign, status=SubjectResult.Status.PUBLISHED)
                    .values_list("subject_id", flat=True))
    subjects = {s.pk: s for s in campaign.subjects.select_related("organization")}
    computed: set[int] = set()
    skipped: set[int] = set()
    proposals = 0
    for m in _meetings_to_score(campaign, meeting):
        for sid, res, fields in score_meeting(adapter.meeting_input(m, base), row):
            if sid in published:
                skipped.add(sid)
                continue
            SubjectResult.objects.update_or_create(subject_id=sid, defaults=fields)
            proposals += _sync_proposals(subjects[sid], campaign, res)
            computed.add(sid)
    audit.record(actor=actor, action="appraisal.compute", target=campaign, org_path=campaign.org_path,
                 changes={"scheme": [None, f"{row.key} v{row.version}"], "subjects": [None, len(computed)]},
                 note=f"述职会 {meeting.title}" if meeting is not None else "")
    return ComputeReport(len(computed), len(skipped - computed), proposals, row)


def on_meeting_closed(*, actor: Any, meeting_id: int, org_path: str) -> None:
    """Compute draft results as a meeting closes (subscriber of ``meeting_closed``, in a savepoint of the close).

    Nothing here may stop a meeting from closing: a scheme that does not fit the meeting is left for the results
    page to report (where computing can be run again); an unexpected error rolls back this computation alone and is
    recorded for the meeting's admins to run again (core/events.py), never only logged.
    """
    meeting = Meeting.objects.get(pk=meeting_id)
    try:
        with transaction.atomic():
            results_compute(actor=actor, meeting=meeting)
    except (ValidationError, PermissionDenied) as exc:
        log.info("results of meeting %s not computed on close: %s", meeting.pk, exc)


# ---------------------------------------------------------------------------------------------------------------
# Proposals


def _decide(actor: Any, proposal: ActionProposal, status: str, note: str) -> ActionProposal:
    proposal = ActionProposal.objects.select_for_update().select_related(
        "campaign", "campaign__convener", "subject", "subject__organization").get(pk=proposal.pk)
    rules.ensure(actor, "appraisal.proposal_decide", rules.Context(body_path=proposal.campaign.org_path))
    if proposal.status != ActionProposal.Status.PENDING:
        raise ValidationError(_("该建议已处理（%(status)s），不能再改") % {"status": proposal.get_status_display()})
    published = SubjectResult.objects.filter(subject=proposal.subject, status=SubjectResult.Status.PUBLISHED)
    if not published.exists():
        raise ValidationError(_("评议结果公布后才能确认或不采纳处置建议"))
    old = proposal.get_status_display()
    proposal.status, proposal.note = status, note.strip()
    proposal.decided_by = actor if getattr(actor, "is_authenticated", False) else None
    proposal.decided_at = timezone.now()
    proposal.save(update_fields=["status", "note", "decided_by", "decided_at"])
    audit.record(actor=actor, action=f"proposal.{status}", target=proposal, org_path=proposal.org_path,
                 changes={"status": [old, proposal.get_status_display()]}, note=proposal.note)
    return proposal


@transaction.atomic
def proposal_confirm(*, actor: Any, proposal: ActionProposal, note: str = "") -> ActionProposal:
    """Confirm a proposed action (a person decides; nothing is automatic) and publish ``proposal_confirmed``."""
    proposal = _decide(actor, proposal, ActionProposal.Status.CONFIRMED, note)
    events.publish("proposal_confirmed", actor=actor, proposal_id=proposal.pk, action=proposal.action,
                   org_path=proposal.campaign.org_path)
    return proposal


@transaction.atomic
def proposal_dismiss(*, actor: Any, proposal: ActionProposal, note: str) -> ActionProposal:
    """Dismiss a proposed action (不采纳); the note saying why is required."""
    if len(note.strip()) < 2:
        raise ValidationError({"note": _("不采纳时请写明理由")})
    return _decide(actor, proposal, ActionProposal.Status.DISMISSED, note)
