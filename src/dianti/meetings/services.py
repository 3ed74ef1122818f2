"""Writes for meetings: scheduling, codes, reports, opening and closing, ballots (exactly once, secret), paper
double entry, questions and attendance."""

from __future__ import annotations

import contextlib
import datetime as dt
import secrets
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from dianti.campaigns import services as campaign_services
from dianti.campaigns.models import Campaign, Phase, Subject
from dianti.core import audit, notify, ratelimit
from dianti.core.scope import OutOfScope, scope_for
from dianti.orgs.permissions import ensure_can_manage

from .models import (
    DEFAULT_GRADES,
    AgendaItem,
    Attendance,
    Ballot,
    EvaluatorCode,
    Meeting,
    PanelGroup,
    PaperEntry,
    Question,
    QuestionVote,
)

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10
MAX_EVALUATORS = 2000
# Later steps of the cycle act on a closed meeting inside its transaction (the appraisal step computes drafts).
CLOSE_HOOKS: list[Callable[[Any, Meeting], None]] = []


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
    when = f"{start:%Y年%m月%d日 %H:%M}"
    notify.notify([notify.recipient_for_person(s.secretary) for s in subjects if s.secretary],
                  notify.Message(kind="meeting_scheduled", title=f"述职会安排：{when}，{venue}",
                                 body=f"{meeting.title}。请提前上传述职报告。", url=reverse("my_campaigns")))
    return meeting


def format_code(code: str) -> str:
    return f"{code[:5]}-{code[5:]}"


def normalize_code(text: str) -> str:
    return "".join(ch for ch in text.upper() if ch.isalnum())


def code_hash(code: str) -> str:
    return ratelimit.digest(f"evaluator:{normalize_code(code)}")


def ballot_token(code: str, item_id: int) -> str:
    return ratelimit.digest(f"ballot:{normalize_code(code)}:{item_id}")


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
        for _ in range(max(0, group.size - have)):
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            rows.append(EvaluatorCode(meeting=meeting, group=group, code_hash=code_hash(code)))
            issued.append((group, code))
    # Slips are handed out in print order; rows stored in that order would let their ids say whose slip each was.
    secrets.SystemRandom().shuffle(rows)
    EvaluatorCode.objects.bulk_create(rows)
    audit.record(actor=actor, action="meeting.codes", target=meeting, org_path=meeting.org_path,
                 changes={"codes": [None, len(issued)]})
    return issued


def evaluator_for(meeting: Meeting, code: str) -> EvaluatorCode:
    found = EvaluatorCode.objects.filter(code_hash=code_hash(code), meeting_id=meeting.pk).first()
    if found is None:
        raise ValidationError("评议码不正确，请核对评议码条上的字符")
    if found.revoked:
        raise ValidationError("该评议码已作废，请向工作人员领取新的评议码")
    return found


def evaluator_enter(*, code: str) -> EvaluatorCode:
    """Return the evaluator code scanned from a slip (or typed in) and mark it taken, so a reissue keeps it.

    Marked here, in the scan's own transaction, and not by the first ballot: PostgreSQL stamps every row a
    transaction writes with its id (``xmin``), so a code row updated with the ballots would name its ballots.
    """
    found = EvaluatorCode.objects.filter(code_hash=code_hash(code)).select_related("meeting").first()
    if found is None:
        raise ValidationError("评议码不正确，请核对评议码条上的字符")
    if found.revoked:
        raise ValidationError("该评议码已作废，请向工作人员领取新的评议码")
    if not found.used:
        EvaluatorCode.objects.filter(pk=found.pk).update(used=True)
        found.used = True
    return found


@transaction.atomic
def meeting_open(*, actor: Any, meeting: Meeting) -> Meeting:
    ensure_can_manage(actor, meeting.campaign.convener)
    if meeting.campaign.phase != Phase.REPORTING:
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
def meeting_close(*, actor: Any, meeting: Meeting) -> Meeting:
    """Close voting: nothing more is accepted; every secretary on the agenda has now reported."""
    ensure_can_manage(actor, meeting.campaign.convener)
    # Wait for ballots in flight (they hold the meeting row FOR SHARE) and keep new ones out until committed, so
    # every acknowledged ballot is one this close — and the appraisal it triggers — counts.
    meeting.status = Meeting.objects.select_for_update().values_list("status", flat=True).get(pk=meeting.pk)
    if meeting.status != Meeting.Status.OPEN:
        raise ValidationError("只有进行中的会议可以结束投票")
    disputed = disputes(meeting)
    if disputed:
        raise ValidationError(f"还有 {len(disputed)} 张纸质选票两次录入不一致，请先核对：编号 "
                              + "、".join(str(s) for s in disputed[:10]))
    meeting.status, meeting.closed_at = Meeting.Status.CLOSED, timezone.now()
    meeting.save(update_fields=["status", "closed_at"])
    for item in meeting.agenda.select_related("subject", "subject__campaign", "subject__campaign__convener"):
        AgendaItem.objects.filter(pk=item.pk).update(reported=True)
        if item.subject.status in (Subject.Status.CHOSEN, Subject.Status.TOPIC_SET):
            campaign_services.subject_update(actor=actor, subject=item.subject, status=Subject.Status.REPORTED)
    audit.record(actor=actor, action="meeting.close", target=meeting, org_path=meeting.org_path,
                 changes={"status": ["进行中", "已结束"], "ballots": [None, meeting.ballots.count()]})
    for hook in CLOSE_HOOKS:
        hook(actor, meeting)
    return meeting


@dataclass(frozen=True)
class Mark:
    grade: str
    scores: Mapping[str, int] | None = None
    comment: str = ""


def _check_mark(meeting: Meeting, mark: Mark) -> dict[str, int]:
    if mark.grade not in meeting.grades:
        raise ValidationError(f"“{mark.grade}”不是有效的等次")
    scores = {}
    for name, value in (mark.scores or {}).items():
        if name not in meeting.items:
            raise ValidationError(f"没有“{name}”这一分项")
        if type(value) is not int or not 0 <= value <= 100:  # noqa: E721  (True is an int, not a score)
            raise ValidationError(f"“{name}”的分数应为 0 至 100 的整数")
        scores[name] = value
    return scores


class VotingClosed(ValidationError):
    pass


# SQLite has one writer at a time, and a writer that finds the database locked sleeps in growing steps (1, 2, 5 …
# 100 ms) before it tries again: with a hall voting at once, a thread could sleep through several turns. The threads
# of one server process queue here instead and are woken the moment the writer before them is done.
_SQLITE_BALLOT_WRITER = threading.Lock()


def _one_writer_at_a_time() -> contextlib.AbstractContextManager[Any]:
    return _SQLITE_BALLOT_WRITER if connection.vendor == "sqlite" else contextlib.nullcontext()


def _read_open_meeting(pk: int) -> Meeting:
    """Read the meeting's voting state, holding it FOR SHARE on PostgreSQL: ballots do not block each other, but
    a close waits for them and they wait for a close (SQLite serialises writing transactions anyway)."""
    qs = Meeting.objects.only("status", "grades", "items", "allow_revise")
    if connection.vendor == "postgresql":
        table = Meeting._meta.db_table
        found = list(Meeting.objects.raw(
            f'SELECT id, status, grades, items, allow_revise FROM "{table}" WHERE id = %s FOR SHARE', [pk]))
        if found:
            return found[0]
    return qs.get(pk=pk)


def ballot_submit(*, meeting: Meeting, code: str, marks: Mapping[int, Mark]) -> int:
    """Store one evaluator's marks (agenda item id → mark), each exactly once per code and item.

    A retry or a double tap of the same ballot changes nothing; a changed mark replaces the earlier one while the
    meeting allows revising, and is refused otherwise. The stored ballot carries the evaluator's group only.
    Return how many marks this submission holds.

    A fixed number of queries whatever the number of secretaries: the marks are written in one statement, which
    settles races on the unique token in the database — ``ON CONFLICT`` updates (or, without revising, skips) the
    row that a concurrent copy of the same ballot stored first — so concurrent submissions never fail and never
    store a mark twice. While revising is allowed every mark is written, unchanged ones too, so of two copies
    racing the one that writes last wins. Otherwise the earlier marks of this code are read to refuse a change,
    and ``_write_ballots`` compares again after writing.

    What need not be read inside the writing transaction (the agenda, the earlier marks) is read before it, to keep
    SQLite's single-writer turn short.
    """
    items = set(AgendaItem.objects.filter(meeting_id=meeting.pk).order_by().values_list("pk", flat=True))
    tokens = {item_id: ballot_token(code, item_id) for item_id in marks}
    earlier = None if meeting.allow_revise else _marks_of(list(tokens.values()))
    with _one_writer_at_a_time(), transaction.atomic():
        # The status as of now, not as of the page load.
        meeting = _read_open_meeting(meeting.pk)
        if meeting.status != Meeting.Status.OPEN:
            raise VotingClosed("投票已截止，不能再提交" if meeting.status == Meeting.Status.CLOSED else "会议尚未开始投票")
        evaluator = evaluator_for(meeting, code)
        wanted: dict[str, Ballot] = {}
        for item_id, mark in marks.items():
            if item_id not in items:
                raise ValidationError("选票中有不属于本场会议的述职对象")
            token = tokens[item_id]
            wanted[token] = Ballot(meeting_id=meeting.pk, item_id=item_id, group_id=evaluator.group_id, token=token,
                                   grade=mark.grade, scores=_check_mark(meeting, mark),
                                   comment=mark.comment.strip()[:500])
        if meeting.allow_revise:
            to_write = list(wanted.values())
        else:
            earlier = _marks_of(list(wanted)) if earlier is None else earlier
            to_write = [b for t, b in wanted.items() if earlier.get(t) != (b.grade, b.scores, b.comment)]
            if any(b.token in earlier for b in to_write):
                raise ValidationError("本场会议的评议提交后不能修改")
        if to_write:
            _write_ballots(to_write, revise=meeting.allow_revise)
        if not evaluator.used:
            EvaluatorCode.objects.filter(pk=evaluator.pk).update(used=True)
    return len(wanted)


BALLOT_VALUES = ["grade", "scores", "comment"]


def _marks_of(tokens: list[str]) -> dict[str, tuple[str, dict[str, int], str]]:
    return {token: (grade, scores, comment) for token, grade, scores, comment in Ballot.objects.filter(
        token__in=tokens).values_list("token", *BALLOT_VALUES)}


def _write_ballots(rows: list[Ballot], *, revise: bool) -> None:
    """Insert ``rows``; a row whose token a concurrent transaction stored meanwhile is replaced when revising, and
    must otherwise hold the very same mark (a double tap) or the whole ballot is refused."""
    if revise:
        Ballot.objects.bulk_create(rows, update_conflicts=True, unique_fields=["token"], update_fields=BALLOT_VALUES)
        return
    Ballot.objects.bulk_create(rows, ignore_conflicts=True)
    stored = _marks_of([b.token for b in rows])
    if any(stored.get(b.token) != (b.grade, b.scores, b.comment) for b in rows):
        raise ValidationError("本场会议的评议提交后不能修改")


@transaction.atomic
def paper_enter(*, actor: Any, meeting: Meeting, group: PanelGroup, serial: int, grades: Mapping[int, str]) -> str:
    """Record one clerk's typing of paper ballot ``serial``. When two clerks' entries agree, the ballot counts;
    when they differ, it waits for :func:`paper_resolve`. Return "waiting", "accepted" or "mismatch"."""
    ensure_can_manage(actor, meeting.campaign.convener)
    if meeting.status != Meeting.Status.OPEN:
        raise VotingClosed("只有进行中的会议可以录入纸质选票")
    if group.meeting_id != meeting.pk or serial < 1:
        raise ValidationError("选票编号或评议人类别不正确")
    items = set(meeting.agenda.values_list("pk", flat=True))
    clean = {}
    for item_id, grade in grades.items():
        if item_id not in items:
            raise ValidationError("选票中有不属于本场会议的述职对象")
        if grade:
            _check_mark(meeting, Mark(grade))
            clean[str(item_id)] = grade
    if PaperEntry.objects.filter(meeting=meeting, serial=serial, accepted=True).exists():
        raise ValidationError(f"编号 {serial} 的选票已经计入，无需再录")
    PaperEntry.objects.update_or_create(meeting=meeting, serial=serial, clerk=actor,
                                        defaults={"group": group, "grades": clean})
    entries = list(PaperEntry.objects.filter(meeting=meeting, serial=serial).exclude(clerk=actor))
    if not entries:
        return "waiting"
    other = entries[0]
    if other.grades != clean or other.group_id != group.pk:
        return "mismatch"
    _accept_paper(meeting, group, serial, clean)
    return "accepted"


def _accept_paper(meeting: Meeting, group: PanelGroup, serial: int, grades: Mapping[str, str]) -> None:
    for item_id, grade in grades.items():
        Ballot.objects.get_or_create(token=ratelimit.digest(f"paper:{meeting.pk}:{serial}:{item_id}"), defaults={
            "meeting": meeting, "item_id": int(item_id), "group": group, "grade": grade, "kind": Ballot.Kind.PAPER})
    PaperEntry.objects.filter(meeting=meeting, serial=serial).update(accepted=True)


def disputes(meeting: Meeting) -> list[int]:
    """Return the serials typed twice that disagree and are not yet resolved."""
    by_serial: dict[int, list[PaperEntry]] = {}
    for e in PaperEntry.objects.filter(meeting=meeting, accepted=False):
        by_serial.setdefault(e.serial, []).append(e)
    return sorted(s for s, es in by_serial.items() if len(es) >= 2)


@transaction.atomic
def paper_resolve(*, actor: Any, meeting: Meeting, serial: int, entry: PaperEntry) -> None:
    """Settle a disputed paper ballot by choosing the entry that matches the paper, after looking at it."""
    ensure_can_manage(actor, meeting.campaign.convener)
    if meeting.status != Meeting.Status.OPEN:
        raise VotingClosed("只有进行中的会议可以录入纸质选票")
    if entry.meeting_id != meeting.pk or entry.serial != serial:
        raise ValidationError("所选录入记录与选票编号不符")
    # A ballot typed only once has not been checked by a second clerk; one already counted must not count twice.
    if serial not in disputes(meeting):
        raise ValidationError(f"编号 {serial} 没有两次录入不一致的记录，无需核对")
    _accept_paper(meeting, entry.group, serial, entry.grades)
    audit.record(actor=actor, action="meeting.paper_resolve", target=meeting, org_path=meeting.org_path,
                 note=f"纸质选票编号 {serial} 以 {entry.clerk} 的录入为准")


MAX_QUESTION = 300


def question_ask(*, meeting: Meeting, text: str, device_hash: str, asker: str = "") -> Question:
    text = " ".join(text.split())
    if len(text) < 4:
        raise ValidationError("问题太短，请写清楚想问什么")
    if len(text) > MAX_QUESTION:
        raise ValidationError(f"问题请控制在 {MAX_QUESTION} 字以内")
    if meeting.status != Meeting.Status.OPEN:
        raise ValidationError("会议未在进行中，暂不能提问")
    if not ratelimit.allow("question", device_hash, 5, 600):
        raise ValidationError("提问太频繁了，请稍后再试")
    return Question.objects.create(meeting=meeting, item=meeting.current_item, text=text, asker=asker.strip()[:50],
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
        question.status, question.answer = Question.Status.ANSWERED, answer.strip()
    else:
        raise ValidationError("未知操作")
    question.save(update_fields=["status", "pinned", "answer"])
    audit.record(actor=actor, action=f"question.{action}", target=question, org_path=question.meeting.org_path)
    return question


def attendance_sign_in(*, meeting: Meeting, name: str, role: str, device_hash: str) -> Attendance:
    name = name.strip()
    if not name:
        raise ValidationError("请填写姓名")
    found = Attendance.objects.filter(meeting=meeting, device_hash=device_hash).first() if device_hash else None
    if found is not None:
        return found
    return Attendance.objects.create(meeting=meeting, name=name[:50], role=role.strip()[:50],
                                     via=Attendance.Via.QR, device_hash=device_hash)


@transaction.atomic
def attendance_add(*, actor: Any, meeting: Meeting, names: Sequence[str], role: str = "") -> int:
    ensure_can_manage(actor, meeting.campaign.convener)
    rows = [Attendance(meeting=meeting, name=n.strip()[:50], role=role.strip()[:50], via=Attendance.Via.CLERK)
            for n in names if n.strip()]
    Attendance.objects.bulk_create(rows)
    return len(rows)


@transaction.atomic
def report_upload(*, actor: Any, item: AgendaItem, upload: Any) -> AgendaItem:
    """Attach the secretary's 述职报告 (.docx or .pdf) and keep its text for reading on screen."""
    from .documents import extract_text

    subject = item.subject
    is_secretary = subject.secretary is not None and subject.secretary.user_id == getattr(actor, "pk", None)
    if not is_secretary and not scope_for(actor).can_manage_path(item.meeting.org_path):
        raise OutOfScope("只有述职书记本人或召集组织的管理员可以上传述职报告")
    if item.meeting.status == Meeting.Status.CLOSED:
        raise ValidationError("会议已结束，不能再更换报告")
    text = extract_text(upload)
    item.report.save(upload.name, upload, save=False)
    item.report_text, item.report_uploaded_at = text, timezone.now()
    item.save(update_fields=["report", "report_text", "report_uploaded_at"])
    audit.record(actor=actor, action="meeting.report", target=item, org_path=item.meeting.org_path,
                 changes={"report": [None, upload.name]})
    return item
