"""Writes for meetings: scheduling, codes, reports, opening and closing, questions and attendance.

Ballots (phone, :mod:`.ballots`) and paper double entry (:mod:`.paper`) live in their own modules and are offered
here too, so that views, the API and other steps of the cycle have one door for every write of the meeting.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dianti.campaigns import services as campaign_services
from dianti.campaigns.models import Campaign, Phase, Subject
from dianti.core import audit, events, notify, ratelimit
from dianti.orgs.permissions import ensure_can_manage

from . import selectors
from .ballots import (  # noqa: F401  (offered here: one door for the meeting's writes)
    CodeUsed,
    Mark,
    VotingClosed,
    ballot_cast,
    ballot_submit,
    ballot_token,
    ballots_reshuffle,
    code_hash,
    code_used_elsewhere,
    evaluator_enter,
    evaluator_for,
    marks_for_device,
)
from .models import (
    DEFAULT_GRADES,
    AgendaItem,
    Attendance,
    EvaluatorCode,
    Meeting,
    PanelGroup,
    PaperScan,
    Question,
    QuestionVote,
)
from .paper import disputes, paper_enter, paper_resolve, paper_serials_issue  # noqa: F401  (offered here, as above)
from .permissions import ensure_can_upload_report
from .text import clean, format_code, normalize_code  # noqa: F401  (codes offered here, as above)

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10
MAX_EVALUATORS = 2000
MAX_ATTENDANCE = 10000


@dataclass(frozen=True)
class GroupSpec:
    name: str
    weight: Decimal
    size: int


def _check_groups(groups: Sequence[GroupSpec]) -> None:
    if not groups:
        raise ValidationError("请设置至少一个评议人类别")
    names = [g.name.strip() for g in groups]
    if any(not n for n in names) or len(set(names)) != len(names):
        raise ValidationError("评议人类别名称不能为空或重复")
    weights = [Decimal(g.weight) for g in groups]
    if any(w < 0 for w in weights):
        raise ValidationError("评议人类别的权重不能为负数")
    total = sum(weights, Decimal(0))
    if total != Decimal(100):  # ":f" so that 90 reads "90", not "9E+1"
        raise ValidationError(f"各评议人类别的权重之和须为 100%，现为 {total.normalize():f}%")
    if any(g.size < 1 for g in groups) or sum(g.size for g in groups) > MAX_EVALUATORS:
        raise ValidationError(f"每个类别至少 1 人，全部评议人不超过 {MAX_EVALUATORS} 人")


@transaction.atomic
def meeting_schedule(
    *, actor: Any, campaign: Campaign, title: str, starts_at: dt.datetime, venue: str, subjects: Sequence[Subject],
    groups: Sequence[GroupSpec], host: str = "", grades: Sequence[str] | None = None, items: Sequence[str] = (),
    allow_revise: bool = True, minutes_each: int = 15,
) -> Meeting:
    """Schedule a meeting hearing ``subjects`` in order, scored by the panel ``groups``; tell each secretary."""
    ensure_can_manage(actor, campaign.convener)
    if campaign.phase not in (Phase.TOPICS, Phase.REPORTING):
        raise ValidationError("只有在“点题”或“述职”阶段才能安排述职会")
    if not subjects:
        raise ValidationError("请选择本场述职的对象")
    foreign = [s for s in subjects if s.campaign_id != campaign.pk]
    if foreign:
        raise ValidationError("述职对象必须属于本次活动")
    if len({s.pk for s in subjects}) != len(subjects):
        raise ValidationError("同一述职对象不能重复排入议程")
    _check_groups(groups)
    grades = [g.strip() for g in (grades or DEFAULT_GRADES) if g.strip()]
    if len(grades) < 2 or len(set(grades)) != len(grades):
        raise ValidationError("等次至少两个且不能重复")
    meeting = Meeting.objects.create(
        campaign=campaign, org_path=campaign.org_path, title=title.strip() or campaign.title, starts_at=starts_at,
        venue=venue.strip(), host=host.strip(), grades=grades, items=[i.strip() for i in items if i.strip()],
        allow_revise=allow_revise, public_key=secrets.token_urlsafe(9))
    start = timezone.localtime(starts_at)
    for n, subject in enumerate(subjects, start=1):
        slot = (start + dt.timedelta(minutes=minutes_each * (n - 1))).time()
        AgendaItem.objects.create(meeting=meeting, subject=subject, order=n, starts=slot, minutes=minutes_each)
    PanelGroup.objects.bulk_create([PanelGroup(meeting=meeting, name=g.name.strip(), weight=Decimal(g.weight),
                                               size=g.size, order=i) for i, g in enumerate(groups)])
    audit.record(actor=actor, action="meeting.schedule", target=meeting, org_path=meeting.org_path,
                 changes={"starts_at": [None, starts_at], "venue": [None, venue], "subjects": [None, len(subjects)]})
    when = f"{start.year}年{start.month}月{start.day}日 {start:%H:%M}"
    notify.notify([notify.recipient_for_person(s.secretary) for s in subjects if s.secretary],
                  notify.Message(kind="meeting_scheduled", title=f"述职会安排：{when}，{venue}",
                                 body=f"{meeting.title}。请提前上传述职报告。", url=reverse("my_campaigns")))
    return meeting


@transaction.atomic
def codes_issue(*, actor: Any, meeting: Meeting) -> list[tuple[PanelGroup, str]]:
    """Make one fresh code per evaluator seat and return them (group, plain code) for printing. Codes not yet used
    are revoked; only hashes are kept, so the printed slips are the only copy."""
    ensure_can_manage(actor, meeting.campaign.convener)
    if meeting.status == Meeting.Status.CLOSED:
        raise ValidationError("会议已结束，不能再发放评议码")
    meeting.codes.filter(used=False).update(revoked=True)
    issued = []
    rows = []
    for group in meeting.groups.all():
        have = meeting.codes.filter(group=group, used=True).count()
        for _seat in range(max(0, group.size - have)):
            code = "".join(secrets.choice(CODE_ALPHABET) for _pos in range(CODE_LENGTH))
            rows.append(EvaluatorCode(meeting=meeting, group=group, code_hash=code_hash(code)))
            issued.append((group, code))
    # Slips are handed out in print order; rows stored in that order would let their ids say whose slip each was.
    # The slips are printed in another random order (each group's together, to be handed to that group).
    shuffle = secrets.SystemRandom().shuffle
    shuffle(rows)
    EvaluatorCode.objects.bulk_create(rows)
    shuffle(issued)
    issued.sort(key=lambda pair: (pair[0].order, pair[0].pk))  # stable: within a group the slips stay shuffled
    audit.record(actor=actor, action="meeting.codes", target=meeting, org_path=meeting.org_path,
                 changes={"codes": [None, len(issued)]})
    return issued


@transaction.atomic
def meeting_open(*, actor: Any, meeting: Meeting) -> Meeting:
    ensure_can_manage(actor, meeting.campaign.convener)
    if meeting.campaign.phase != Phase.REPORTING and not meeting.is_rehearsal:  # a rehearsal runs beforehand
        raise ValidationError("述职活动进入“述职”阶段后才能开会")
    if meeting.status != Meeting.Status.SCHEDULED:
        raise ValidationError("会议已经开始或已结束")
    meeting.status, meeting.opened_at = Meeting.Status.OPEN, timezone.now()
    meeting.current_item = meeting.agenda.order_by("order").first()
    meeting.save(update_fields=["status", "opened_at", "current_item"])
    audit.record(actor=actor, action="meeting.open", target=meeting, org_path=meeting.org_path,
                 changes={"status": ["已安排", "进行中"]})
    return meeting


@transaction.atomic
def meeting_set_current(*, actor: Any, meeting: Meeting, item: AgendaItem) -> Meeting:
    ensure_can_manage(actor, meeting.campaign.convener)
    if item.meeting_id != meeting.pk:
        raise ValidationError("该述职对象不在本场会议中")
    meeting.current_item = item
    meeting.save(update_fields=["current_item"])
    return meeting


@transaction.atomic
def meeting_close(*, actor: Any, meeting: Meeting, drop_single_entries: bool = False) -> Meeting:
    """Close voting: nothing more is accepted; every secretary on the agenda has now reported; codes are dead.

    Refuse while paper sheets disagree. Sheets typed in only once are not counted; refuse, naming them, unless the
    chair confirmed dropping them (``drop_single_entries``), which the audit record then lists; the same for scanned
    sheets no clerk has confirmed yet.
    """
    ensure_can_manage(actor, meeting.campaign.convener)
    # Wait for ballots in flight (they hold the meeting row FOR SHARE) and keep new ones out until committed, so
    # every acknowledged ballot is one this close — and the appraisal it triggers — counts.
    meeting.status = Meeting.with_rehearsals.select_for_update().values_list("status", flat=True).get(pk=meeting.pk)
    if meeting.status != Meeting.Status.OPEN:
        raise ValidationError("只有进行中的会议可以结束投票")
    pending = selectors.paper_pending(meeting)
    if pending.disputed:
        raise ValidationError(f"还有 {len(pending.disputed)} 张纸质选票两次录入不一致，请先核对：编号 "
                              + _serials(pending.disputed))
    if pending.single and not drop_single_entries:
        raise ValidationError(_("还有 %(n)d 张纸质选票只录入了一次，尚未计入：编号 %(serials)s。请由第二位录入员"
                                "录入后再结束；如确认不计入这些选票，请勾选确认后结束投票")
                              % {"n": len(pending.single), "serials": _serials(pending.single)})
    scans_waiting = PaperScan.objects.filter(meeting=meeting, status=PaperScan.Status.READ).count()
    if scans_waiting and not drop_single_entries:
        raise ValidationError(_("还有 %(n)d 页扫描识别的纸质选票尚未确认，请在“扫描识别纸质选票”页确认后再结束；"
                                "如确认不计入，请勾选确认后结束投票") % {"n": scans_waiting})
    meeting.status, meeting.closed_at = Meeting.Status.CLOSED, timezone.now()
    meeting.save(update_fields=["status", "closed_at"])
    # Codes are dead once voting is closed: no device may read a ballot back, so no binding is kept (and every
    # code row of the meeting is rewritten by this one statement, whatever wrote it before).
    EvaluatorCode.objects.filter(meeting=meeting).update(device_hash="")
    ballots_reshuffle(meeting)
    meeting.agenda.update(reported=True)
    if meeting.is_rehearsal:  # the subjects have not reported yet, and no score of record comes of a rehearsal
        audit.record(actor=actor, action="meeting.close", target=meeting, org_path=meeting.org_path,
                     note=_("模拟测评结束投票"))
        return meeting
    for item in meeting.agenda.select_related("subject", "subject__campaign", "subject__campaign__convener"):
        if item.subject.status in (Subject.Status.CHOSEN, Subject.Status.TOPIC_SET):
            campaign_services.subject_update(actor=actor, subject=item.subject, status=Subject.Status.REPORTED)
    note = _("只录入一次、未计入的纸质选票：编号 %(serials)s") % {"serials": _serials(pending.single)} \
        if pending.single else ""
    audit.record(actor=actor, action="meeting.close", target=meeting, org_path=meeting.org_path, note=note,
                 changes={"status": ["进行中", "已结束"], "ballots": [None, meeting.ballots.count()]})
    # Later steps act on the closed meeting (the appraisal step computes the score of record): see component.py.
    events.publish("meeting_closed", actor=actor, meeting_id=meeting.pk, org_path=meeting.org_path)
    return meeting


def _serials(serials: Sequence[int], limit: int = 20) -> str:
    return "、".join(str(s) for s in serials[:limit]) + ("等" if len(serials) > limit else "")


MAX_QUESTION = 300
MAX_NAME = 50


def question_ask(*, meeting: Meeting, text: str, device_hash: str, asker: str = "") -> Question:
    text, asker = " ".join(clean(text).split()), clean(asker)
    if len(text) < 4:
        raise ValidationError("问题太短，请写清楚想问什么")
    if len(text) > MAX_QUESTION:
        raise ValidationError(f"问题请控制在 {MAX_QUESTION} 字以内")
    if len(asker) > MAX_NAME:
        raise ValidationError(f"提问人最多 {MAX_NAME} 字")
    if meeting.status != Meeting.Status.OPEN:
        raise ValidationError("会议未在进行中，暂不能提问")
    if not ratelimit.allow("question", device_hash, 5, 600):
        raise ValidationError("提问太频繁了，请稍后再试")
    return Question.objects.create(meeting=meeting, item=meeting.current_item, text=text, asker=asker,
                                   device_hash=device_hash)


def question_vote(*, question: Question, device_hash: str) -> bool:
    try:
        with transaction.atomic():
            QuestionVote.objects.create(question=question, device_hash=device_hash)
    except IntegrityError:
        return False
    Question.objects.filter(pk=question.pk).update(votes=F("votes") + 1)
    return True


@transaction.atomic
def question_moderate(*, actor: Any, question: Question, action: str, answer: str = "") -> Question:
    ensure_can_manage(actor, question.meeting.campaign.convener)
    if action == "approve":
        question.status = Question.Status.APPROVED
    elif action == "hide":
        question.status = Question.Status.HIDDEN
    elif action == "pin":
        question.pinned = not question.pinned
    elif action == "answer":
        question.status, question.answer = Question.Status.ANSWERED, clean(answer)
    else:
        raise ValidationError("未知操作")
    question.save(update_fields=["status", "pinned", "answer"])
    audit.record(actor=actor, action=f"question.{action}", target=question, org_path=question.meeting.org_path)
    return question


def attendance_sign_in(*, meeting: Meeting, name: str, role: str, device_hash: str) -> Attendance:
    name, role = clean(name), clean(role)
    if not name:
        raise ValidationError("请填写姓名")
    if len(name) > MAX_NAME or len(role) > MAX_NAME:
        raise ValidationError(f"姓名和身份各最多 {MAX_NAME} 字")
    found = Attendance.objects.filter(meeting=meeting, device_hash=device_hash).first() if device_hash else None
    if found is not None:
        return found
    return Attendance.objects.create(meeting=meeting, name=name, role=role,
                                     via=Attendance.Via.QR, device_hash=device_hash)


@transaction.atomic
def attendance_add(*, actor: Any, meeting: Meeting, names: Sequence[str], role: str = "", unnamed: int = 0) -> int:
    """Record, for those who did not sign in on a phone, attendees by name and ``unnamed`` more by count only (one
    row standing for them all); the minutes count both. Return how many people were added."""
    ensure_can_manage(actor, meeting.campaign.convener)
    if not 0 <= unnamed <= MAX_ATTENDANCE:
        raise ValidationError(_("未登记姓名的人数应为 0 至 %(max)d") % {"max": MAX_ATTENDANCE})
    role = clean(role)[:MAX_NAME]
    rows = [Attendance(meeting=meeting, name=clean(n)[:MAX_NAME], role=role, via=Attendance.Via.CLERK)
            for n in names if clean(n)]
    if unnamed:
        rows.append(Attendance(meeting=meeting, name="", role=role, via=Attendance.Via.CLERK, headcount=unnamed))
    if not rows:
        raise ValidationError(_("请填写参会人员姓名，或填写未登记姓名的人数"))
    Attendance.objects.bulk_create(rows)
    audit.record(actor=actor, action="meeting.attendance", target=meeting, org_path=meeting.org_path,
                 changes={"attendance": [None, sum(r.headcount for r in rows)]})
    return sum(r.headcount for r in rows)


@transaction.atomic
def report_upload(*, actor: Any, item: AgendaItem, upload: Any) -> AgendaItem:
    """Attach the secretary's 述职报告 (.docx or .pdf) and keep its text for reading on screen."""
    from .documents import extract_text

    ensure_can_upload_report(actor, item)
    if item.meeting.status == Meeting.Status.CLOSED:
        raise ValidationError("会议已结束，不能再更换报告")
    text = extract_text(upload)
    item.report.save(upload.name, upload, save=False)
    item.report_text, item.report_uploaded_at = text, timezone.now()
    item.save(update_fields=["report", "report_text", "report_uploaded_at"])
    audit.record(actor=actor, action="meeting.report", target=item, org_path=item.meeting.org_path,
                 changes={"report": [None, upload.name]})
    return item
