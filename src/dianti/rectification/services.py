"""Writes for 整改 (三责联诺). Every state change goes through :func:`_move`: it checks who may make the move and
from which state (see :mod:`.states`), writes the case, a timeline event and the audit record in one transaction,
keeps ``Subject.rectification`` in step, and queues the notifications — the secretary, the committee, and every
villager whose opinion is behind the subject's topic — on commit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from dianti.appraisal.models import ActionProposal
from dianti.campaigns.models import Campaign, Phase, Subject
from dianti.core import audit
from dianti.orgs.permissions import ensure_can_manage

from . import drafts, evidence, permissions, selectors
from .models import (
    ACTIVE,
    Case,
    Escalation,
    Evidence,
    Measure,
    Mechanism,
    NoticeCounter,
    Problem,
    ProgressReport,
    State,
)
from .states import MOVES, allowed
from .supervision import RateLimited, observation_add, supervision_add  # noqa: F401  (offered here, with every write)
from .workflow import (
    COMMIT_DAYS,
    MAX_MEASURES,
    MAX_PROBLEMS,
    MIN_TEXT,
    actor_name,
    case_audit,
    cn_date,
    event,
    lines_of,
    locked,
    move,
    notice_prefix,
    sync_subject,
    tell_issuer,
    tell_secretary,
    user_of,
)

# ── opening and issuing ─────────────────────────────────────────────────────────────────────────────────────────

def _clean_problems(problems: str | list[str]) -> list[str]:
    items = lines_of(problems)
    if not items:
        raise ValidationError({"problems": _("请至少写明一个发现的问题")})
    if len(items) > MAX_PROBLEMS:
        raise ValidationError({"problems": _("问题最多 %(n)d 条") % {"n": MAX_PROBLEMS}})
    short = [i + 1 for i, p in enumerate(items) if len(p) < MIN_TEXT]
    if short:
        raise ValidationError({"problems": _("第 %(rows)s 条问题太短，请写具体（至少 %(n)d 个字）") % {
            "rows": "、".join(map(str, short)), "n": MIN_TEXT}})
    return items


def _check_deadline(deadline: dt.date) -> None:
    if deadline < timezone.localdate():
        raise ValidationError({"deadline": _("整改期限不能早于今天")})


@transaction.atomic
def case_open(*, actor: Any, subject: Subject, problems: str | list[str], deadline: dt.date,
              requirements: str = "", proposal: ActionProposal | None = None) -> Case:
    """Open a draft case for ``subject`` (from a confirmed proposal, or by hand) with the problems found (理)."""
    subject = Subject.objects.select_for_update(of=("self",)).select_related("campaign", "campaign__convener",
                                                                  "organization").get(pk=subject.pk)
    campaign = subject.campaign
    ensure_can_manage(actor, campaign.convener)
    if campaign.phase == Phase.ARCHIVED:
        raise ValidationError(_("该述职活动已归档，不能再开立整改"))
    if Case.objects.filter(subject=subject, state__in=ACTIVE).exists():
        raise ValidationError(_("%(org)s已有一项未办结的整改") % {"org": subject.organization.display_name})
    if proposal is not None and (proposal.subject_id != subject.pk or proposal.status != ActionProposal.Status.CONFIRMED
                                 or proposal.action != ActionProposal.Action.RECTIFICATION):
        raise ValidationError(_("只能依据本对象已确认的“整改通知”建议开立整改"))
    items = _clean_problems(problems)
    _check_deadline(deadline)
    case = Case.objects.create(subject=subject, campaign=campaign, proposal=proposal, org_path=subject.org_path,
                               issuer=campaign.convener, issuer_path=campaign.org_path, deadline=deadline,
                               requirements=requirements.strip(), created_by=user_of(actor))
    Problem.objects.bulk_create([Problem(case=case, order=i, text=t) for i, t in enumerate(items, start=1)])
    note = _("依据评议处置建议：%(reason)s") % {"reason": proposal.reason} if proposal else _("人工开立")
    event(case, "open", actor, note, to_state=State.DRAFT)
    case_audit(actor, "open", case, {"problems": [None, items], "deadline": [None, deadline]}, note)
    sync_subject(actor, subject)
    return case


@transaction.atomic
def cases_open_from_proposals(*, actor: Any, campaign: Campaign, deadline: dt.date) -> list[Case]:
    """Open a draft case for every confirmed 整改通知 proposal of ``campaign`` that has none yet."""
    ensure_can_manage(actor, campaign.convener)
    return [case_open(actor=actor, subject=p.subject, problems=[drafts.problem_from_proposal(p)], deadline=deadline,
                      proposal=p)
            for p in selectors.proposals_without_case(campaign)]


@transaction.atomic
def case_draft_update(*, actor: Any, case: Case, problems: str | list[str], deadline: dt.date,
                      requirements: str = "") -> Case:
    case = locked(case)
    permissions.ensure_can_manage_case(actor, case)
    if case.state != State.DRAFT:
        raise ValidationError(_("整改通知单已下发，不能再修改问题和要求"))
    items = _clean_problems(problems)
    _check_deadline(deadline)
    before = {"problems": list(case.problems.values_list("text", flat=True)), "deadline": case.deadline,
              "requirements": case.requirements}
    case.problems.all().delete()
    Problem.objects.bulk_create([Problem(case=case, order=i, text=t) for i, t in enumerate(items, start=1)])
    case.deadline, case.requirements = deadline, requirements.strip()
    case.save(update_fields=["deadline", "requirements", "updated_at"])
    case_audit(actor, "edit", case, audit.diff(before, {"problems": items, "deadline": deadline,
                                                    "requirements": case.requirements}))
    return case


def default_requirements(case: Case) -> str:
    return _("请对照所列问题，逐条制定整改措施，明确责任人、完成时限和预期成效，建立长效机制；"
             "于收到本通知单之日起 %(days)d 日内提交整改承诺（三责联诺），整改完成后申请验收销号。") % {"days": COMMIT_DAYS}


def _allocate_number(case: Case, year: int) -> tuple[int, str]:
    """Take the issuer's next number for ``year`` under a row lock (one number per notice, no gaps from races)."""
    NoticeCounter.objects.get_or_create(organization=case.issuer, year=year)
    counter = NoticeCounter.objects.select_for_update().get(organization=case.issuer, year=year)
    NoticeCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
    counter.refresh_from_db()
    return counter.last, f"{notice_prefix(case.issuer)}〔{year}〕{counter.last}号"


@transaction.atomic
def case_issue(*, actor: Any, case: Case, issued_on: dt.date | None = None) -> Case:
    """Issue the 党建工作整改通知单: give it the body's next number for the year and send it to the secretary."""
    case = locked(case)
    permissions.ensure_can_manage_case(actor, case)
    if case.state != State.DRAFT:
        raise ValidationError(_("该整改通知单已下发"))
    if not case.problems.exists():
        raise ValidationError(_("请先写明发现的问题"))
    drafts.ensure_plain(list(case.problems.values_list("text", flat=True)))
    issued_on = issued_on or timezone.localdate()
    seq, number = _allocate_number(case, issued_on.year)
    move(case, "issue", actor, _("文号 %(number)s，整改期限 %(deadline)s") % {
        "number": number, "deadline": cn_date(case.deadline)},
        number=number, year=issued_on.year, seq=seq, issued_on=issued_on, issued_at=timezone.now(),
        requirements=case.requirements or default_requirements(case))
    tell_secretary(case, "rectification_notice", _("整改通知单 %(number)s") % {"number": number},
                    _("%(issuer)s向%(org)s下发了党建工作整改通知单，请于 %(days)d 日内提交整改承诺，"
                      "整改期限：%(deadline)s。") % {"issuer": case.issuer.name, "org": case.subject.organization.name,
                                                   "days": COMMIT_DAYS, "deadline": cn_date(case.deadline)})
    return case


# ── 三责联诺: the commitment ─────────────────────────────────────────────────────────────────────────────────────

@dataclass(frozen=True)
class MeasureIn:
    problem_id: int
    text: str
    owner: str
    deadline: dt.date | None
    expected: str


def _check_measures(case: Case, measures: list[MeasureIn]) -> list[MeasureIn]:
    problems = {p.pk: p for p in case.problems.all()}
    errors: list[str] = []
    kept = [m for m in measures if m.text.strip() or m.owner.strip() or m.expected.strip()]
    if len(kept) > MAX_MEASURES:
        errors.append(_("措施最多 %(n)d 条") % {"n": MAX_MEASURES})
    counts: dict[int, int] = {}
    issued = case.issued_on or timezone.localdate()
    for m in kept:
        problem = problems.get(m.problem_id)
        if problem is None:
            errors.append(_("措施对应的问题不存在"))
            continue
        counts[problem.pk] = counts.get(problem.pk, 0) + 1
        where = _("问题 %(p)d 的第 %(i)d 条措施") % {"p": problem.order, "i": counts[problem.pk]}
        missing = []
        if len(m.text.strip()) < MIN_TEXT:
            missing.append(_("请写明整改措施（至少 %(n)d 个字）") % {"n": MIN_TEXT})
        if not m.owner.strip():
            missing.append(_("请填写责任人"))
        if not m.expected.strip():
            missing.append(_("请填写预期成效"))
        if m.deadline is None:
            missing.append(_("请填写完成时限"))
        elif m.deadline > case.deadline:
            missing.append(_("完成时限不能晚于整改期限 %(d)s") % {"d": cn_date(case.deadline)})
        elif m.deadline < issued:
            missing.append(_("完成时限不能早于通知单下发日期"))
        if missing:
            errors.append(f"{where}：" + "；".join(missing))
    for p in problems.values():
        if p.pk not in counts:
            errors.append(_("问题 %(p)d 还没有整改措施") % {"p": p.order})
    if errors:
        raise ValidationError(errors)
    return kept


@transaction.atomic
def commitment_submit(*, actor: Any, case: Case, measures: list[MeasureIn], mechanisms: str | list[str],
                      pledge: str = "") -> Case:
    """The secretary's 三责联诺: measures (改) for every problem, lasting mechanisms (立); the committee reviews it."""
    case = locked(case)
    permissions.ensure_is_secretary(actor, case)
    if not allowed(case, MOVES["commit"]):
        raise ValidationError(_("当前状态为“%(state)s”，不能提交整改承诺") % {"state": case.get_state_display()})
    kept = _check_measures(case, measures)
    mech = lines_of(mechanisms)
    if not mech:
        raise ValidationError({"mechanisms": _("请至少写一条长效机制（立）")})
    case.measures.all().delete()
    case.mechanisms.all().delete()
    order: dict[int, int] = {}
    for m in kept:
        order[m.problem_id] = order.get(m.problem_id, 0) + 1
        Measure.objects.create(case=case, problem_id=m.problem_id, order=order[m.problem_id], text=m.text.strip(),
                               owner=m.owner.strip()[:50], deadline=m.deadline, expected=m.expected.strip()[:300])
    Mechanism.objects.bulk_create([Mechanism(case=case, order=i, text=t[:300]) for i, t in enumerate(mech, 1)])
    move(case, "commit", actor, _("%(m)d 项措施，%(k)d 项长效机制") % {"m": len(kept), "k": len(mech)},
          pledge=pledge.strip(), committed_at=timezone.now(), review_comment="")
    tell_issuer(case, "rectification_commitment", _("%(org)s提交了整改承诺") % {
        "org": case.subject.organization.display_name},
        _("%(number)s：%(m)d 项整改措施、%(k)d 项长效机制，请审核。") % {"number": case.number, "m": len(kept),
                                                                 "k": len(mech)})
    return case


@transaction.atomic
def commitment_approve(*, actor: Any, case: Case, note: str = "") -> Case:
    case = locked(case)
    move(case, "approve", actor, note, approved_at=timezone.now(), review_comment=note.strip())
    tell_secretary(case, "rectification_approved", _("整改承诺已通过：%(number)s") % {"number": case.number},
                    _("请按承诺推进整改，并及时报告每项措施的进展。") + (note and f" {note}"))
    return case


@transaction.atomic
def commitment_return(*, actor: Any, case: Case, comment: str) -> Case:
    case = locked(case)
    move(case, "return", actor, comment, review_comment=comment.strip())
    tell_secretary(case, "rectification_returned", _("整改承诺被退回：%(number)s") % {"number": case.number},
                    _("审核意见：%(c)s。请修改后重新提交。") % {"c": comment.strip()})
    return case


# ── progress, verification, closing ─────────────────────────────────────────────────────────────────────────────

@transaction.atomic
def progress_report(*, actor: Any, measure: Measure, percent: int, text: str, files: list[Any] | None = None
                    ) -> ProgressReport:
    """Report progress on one measure, with photos or documents as evidence."""
    case = locked(measure.case)
    permissions.ensure_is_secretary(actor, case)
    if not (case.state == State.IN_PROGRESS or (case.state == State.OVERDUE
                                                 and case.resume_state == State.IN_PROGRESS)):
        raise ValidationError(_("承诺通过后、申请验收前才能报告整改进展"))
    if not 0 <= int(percent) <= 100:
        raise ValidationError({"percent": _("进度应在 0 到 100 之间")})
    if len(text.strip()) < MIN_TEXT:
        raise ValidationError({"text": _("请写明进展情况（至少 %(n)d 个字）") % {"n": MIN_TEXT}})
    checked = evidence.check_all(list(files or []))
    report = ProgressReport.objects.create(measure=measure, percent=int(percent), text=text.strip(),
                                           author=user_of(actor), author_name=actor_name(actor))
    for upload, kind in checked:
        item = Evidence(report=report, kind=kind, name=str(upload.name)[:200], size=upload.size or 0)
        item.file.save(upload.name, upload, save=False)
        item.save()
    measure.percent = int(percent)
    measure.done_at = timezone.now() if measure.percent == 100 else None
    measure.save(update_fields=["percent", "done_at"])
    note = _("措施“%(m)s”进度 %(p)d%%") % {"m": measure.text[:30], "p": measure.percent}
    event(case, "progress", actor, note + (_("（附 %(n)d 份佐证）") % {"n": len(checked)} if checked else ""),
           public=True)
    case_audit(actor, "progress", case, {"percent": [None, measure.percent], "evidence": [None, len(checked)]}, note)
    return report


@transaction.atomic
def case_submit(*, actor: Any, case: Case, note: str = "") -> Case:
    """Ask the committee to verify: every measure must be done."""
    case = locked(case)
    permissions.ensure_is_secretary(actor, case)
    unfinished = [m for m in case.measures.all() if m.percent < 100]
    if allowed(case, MOVES["submit"]) and unfinished:
        raise ValidationError(_("还有 %(n)d 项措施未完成（进度不到 100%%），完成后才能申请验收") % {"n": len(unfinished)})
    move(case, "submit", actor, note)
    tell_issuer(case, "rectification_verify", _("%(org)s申请整改验收") % {
        "org": case.subject.organization.display_name}, _("%(number)s：请核实后验收销号。") % {"number": case.number})
    return case


@transaction.atomic
def case_close(*, actor: Any, case: Case, reason: str) -> Case:
    """销号: the committee verified the rectification; the reason is stated."""
    case = locked(case)
    move(case, "close", actor, reason, closed_at=timezone.now(), close_reason=reason.strip())
    tell_secretary(case, "rectification_closed", _("整改已销号：%(number)s") % {"number": case.number}, reason)
    return case


@transaction.atomic
def case_reject(*, actor: Any, case: Case, note: str) -> Case:
    case = locked(case)
    move(case, "reject", actor, note)
    tell_secretary(case, "rectification_rejected", _("整改验收未通过：%(number)s") % {"number": case.number},
                    _("意见：%(n)s。请继续整改后再次申请验收。") % {"n": note.strip()})
    return case


@transaction.atomic
def case_reopen(*, actor: Any, case: Case, reason: str) -> Case:
    case = locked(case)
    if case.campaign.phase == Phase.ARCHIVED:
        raise ValidationError(_("该述职活动已归档，不能重新打开整改；请在下一年度开立新的整改"))
    move(case, "reopen", actor, reason, closed_at=None, close_reason="")
    tell_secretary(case, "rectification_reopened", _("整改重新打开：%(number)s") % {"number": case.number}, reason)
    return case


@transaction.atomic
def case_carry_over(*, actor: Any, case: Case, reason: str) -> Case:
    """转下年度: the case stays unfinished and is carried into next year's campaign (the campaign may be archived)."""
    case = locked(case)
    move(case, "carry_over", actor, reason, carried_to_year=case.campaign.year + 1)
    tell_secretary(case, "rectification_carried", _("整改转下年度：%(number)s") % {"number": case.number}, reason)
    return case


@transaction.atomic
def case_extend(*, actor: Any, case: Case, deadline: dt.date, note: str) -> Case:
    """Set a new deadline (an overdue case resumes where it was); reminders and escalation start afresh."""
    case = locked(case)
    if deadline <= timezone.localdate():
        raise ValidationError({"deadline": _("新的整改期限应晚于今天")})
    old = case.deadline
    move(case, "extend", actor, _("整改期限由 %(a)s 调整为 %(b)s：%(n)s") % {
        "a": cn_date(old), "b": cn_date(deadline), "n": note.strip()} if len(note.strip()) >= MIN_TEXT else note,
        deadline=deadline, overdue_for=None, reminded_for=None, escalation=Escalation.NONE)
    tell_secretary(case, "rectification_extended", _("整改期限调整为 %(d)s") % {"d": cn_date(deadline)}, note)
    return case


@transaction.atomic
def case_withdraw(*, actor: Any, case: Case, reason: str) -> Case:
    case = locked(case)
    return move(case, "withdraw", actor, reason)


CASE_ACTIONS = ("issue", "approve", "return", "submit", "close", "reject", "reopen", "carry_over", "withdraw",
                "extend")


def case_act(*, actor: Any, case: Case, name: str, note: str = "", deadline: dt.date | None = None) -> Case:
    """Make the move ``name`` as a page or the API asks for it: one door to the services above."""
    if name == "extend":
        if deadline is None:
            raise ValidationError({"deadline": _("请填写新的整改期限")})
        return case_extend(actor=actor, case=case, deadline=deadline, note=note)
    act = {"issue": lambda: case_issue(actor=actor, case=case),
           "approve": lambda: commitment_approve(actor=actor, case=case, note=note),
           "return": lambda: commitment_return(actor=actor, case=case, comment=note),
           "submit": lambda: case_submit(actor=actor, case=case, note=note),
           "close": lambda: case_close(actor=actor, case=case, reason=note),
           "reject": lambda: case_reject(actor=actor, case=case, note=note),
           "reopen": lambda: case_reopen(actor=actor, case=case, reason=note),
           "carry_over": lambda: case_carry_over(actor=actor, case=case, reason=note),
           "withdraw": lambda: case_withdraw(actor=actor, case=case, reason=note)}.get(name)
    if act is None:
        raise ValidationError(_("没有这个操作"))
    return act()
