"""The reporting meeting (述职会): agenda, evaluator panel, one-time codes, secret ballots, paper double entry,
questions from the floor and attendance.

Secrecy by construction: a :class:`Ballot` row carries the meeting, the agenda item and the evaluator *group* — never
the code or the person. Exactly-once is enforced by ``Ballot.token``, a hash of the evaluator's plain code and the
agenda item; only someone holding the plain code (printed on the slip, never stored) can compute it, so the database
alone cannot say which code cast which ballot. Codes are stored hashed, with no use time.

Records that deliberately carry no actor and no time (see docs/ballot-secrecy.md): :class:`Ballot` and
:class:`EvaluatorCode`. A time or an actor on either would let whoever reads the database line a ballot up with the
person seen voting at that moment (or with the code that cast it), which is what a secret ballot forbids. What is
audited instead is what staff do *around* the ballot (issuing codes, opening, closing, resolving paper), never the
ballot itself.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dianti.campaigns.models import Campaign, Subject

DEFAULT_GRADES = ["好", "较好", "一般", "差"]


class RealMeetings(models.Manager["Meeting"]):
    """Meetings that count: every meeting but rehearsals (模拟测评). The default manager, so that every count, list
    and related manager (``campaign.meetings``) leaves rehearsals out without having to remember to."""

    def get_queryset(self) -> models.QuerySet[Meeting]:
        return super().get_queryset().filter(rehearsal_of__isnull=True)


class Meeting(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("已安排")
        OPEN = "open", _("进行中")
        CLOSED = "closed", _("已结束")

    campaign = models.ForeignKey(Campaign, verbose_name=_("述职活动"), on_delete=models.CASCADE,
                                 related_name="meetings")
    org_path = models.CharField(max_length=255, editable=False, db_index=True)
    title = models.CharField(_("会议名称"), max_length=200)
    starts_at = models.DateTimeField(_("时间"))
    venue = models.CharField(_("地点"), max_length=200)
    host = models.CharField(_("主持人"), max_length=100, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.SCHEDULED)
    current_item = models.ForeignKey("AgendaItem", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    grades = models.JSONField(_("等次"), default=list)
    items = models.JSONField(_("分项"), default=list, blank=True, help_text=_("如：德、能、勤、绩、廉"))
    allow_revise = models.BooleanField(_("截止前可修改"), default=True)
    # Public key of the meeting's attendee page (/m/<key>/): unguessable, printed as a QR code in the hall.
    public_key = models.CharField(max_length=16, unique=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # A rehearsal (模拟测评) is a meeting of its own, copied from the real one it rehearses: its codes, ballots,
    # paper sheets and scans are its own rows, and every real count reads :attr:`objects`, which never sees it.
    rehearsal_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE,
                                     related_name="rehearsals", verbose_name=_("模拟测评的会议"))

    objects = RealMeetings()
    with_rehearsals = models.Manager()  # noqa: DJ012  (objects, declared first, stays the default)

    class Meta:
        verbose_name = _("述职会")
        verbose_name_plural = _("述职会")
        ordering = ["-starts_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_rehearsal(self) -> bool:
        return self.rehearsal_of_id is not None


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    subject = models.ForeignKey(Subject, verbose_name=_("述职对象"), on_delete=models.CASCADE,
                                related_name="agenda_items")
    order = models.PositiveIntegerField(_("顺序"))
    starts = models.TimeField(_("开始时间"), null=True, blank=True)
    minutes = models.PositiveIntegerField(_("时长（分钟）"), default=15)
    report = models.FileField(_("述职报告"), upload_to="reports/%Y/", blank=True)
    report_text = models.TextField(_("报告全文"), blank=True)
    report_uploaded_at = models.DateTimeField(null=True, blank=True)
    reported = models.BooleanField(_("已述职"), default=False)

    class Meta:
        ordering = ["meeting", "order"]
        constraints = [models.UniqueConstraint(fields=["meeting", "subject"], name="uniq_agenda_subject")]

    def __str__(self) -> str:
        return f"{self.order}. {self.subject}"


class PanelGroup(models.Model):
    """A group of evaluators (镇党委班子成员, 党员代表, 群众代表, 驻村干部 …) with its weight in the result."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(_("评议人类别"), max_length=50)
    weight = models.DecimalField(_("权重（%）"), max_digits=5, decimal_places=2)
    size = models.PositiveIntegerField(_("人数"))
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["meeting", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "name"], name="uniq_group_name")]

    def __str__(self) -> str:
        return self.name


class EvaluatorCode(models.Model):
    """A one-time evaluator code, stored only as a hash; printed once on a slip.

    ``used`` says the slip has been opened (scanned), ``cast`` that a ballot was cast with it: progress counts
    ``cast``, never ``used``. ``device_hash`` binds a cast code to the device that cast it — a keyed hash of a random
    secret kept in that device's cookie, distinct from the device id of the hall's question and sign-in pages, so it
    cannot be matched with a signed-in name. Only that device may read back or revise the ballot; any other gets
    "此评议码已使用". It is cleared when the meeting closes (codes are dead then), which also rewrites every code row
    of the meeting at once. Deliberately no actor and no time of use (see the module docstring).
    """

    class Kind(models.TextChoices):
        PHONE = "phone", _("手机")
        PAPER = "paper", _("纸质")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="codes")
    group = models.ForeignKey(PanelGroup, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=64, unique=True)
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.PHONE)
    used = models.BooleanField(default=False)
    cast = models.BooleanField(default=False)
    device_hash = models.CharField(max_length=64, blank=True)
    revoked = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["meeting", "group", "used"])]

    def __str__(self) -> str:
        return f"{self.meeting_id}/{self.group_id}"


def random_id() -> int:
    """Return a random positive id below 2**53 (exact as a JSON number in any browser)."""
    return secrets.randbelow(2**53 - 1) + 1


class RandomIdField(models.BigIntegerField):
    """A primary key drawn at random (:func:`random_id`), so that the order of ids says nothing of the order of
    writing. On SQLite the column is declared ``INTEGER`` so that it *is* the rowid: a ``BIGINT`` key would leave a
    hidden rowid counting insertions one by one."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("default", random_id)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def db_type(self, connection: Any) -> str | None:
        if connection.vendor == "sqlite":
            return "integer"
        return super().db_type(connection)


class Ballot(models.Model):
    """One evaluator's grade for one secretary. Carries the group, never the person or code.

    Deliberately no actor, no time (no ``created_at``, no ``auto_now``) and no link to the code or a paper entry:
    with any of them the database could tell who voted what. Ids are random (:class:`RandomIdField`), not a
    sequence: one evaluator's marks are not a block of consecutive ids in submission order that an access log's times
    could be lined up with. Closing the vote rewrites the meeting's ballots in a random order under fresh ids
    (:func:`dianti.meetings.ballots.ballots_reshuffle`), which also drops the physical order of the rows.
    """

    class Kind(models.TextChoices):
        PHONE = "phone", _("手机")
        PAPER = "paper", _("纸质")

    id = RandomIdField(primary_key=True, serialize=False)
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="ballots")
    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="ballots")
    group = models.ForeignKey(PanelGroup, on_delete=models.PROTECT, related_name="ballots")
    grade = models.CharField(_("等次"), max_length=16)
    scores = models.JSONField(_("分项得分"), default=dict, blank=True)
    comment = models.CharField(_("意见"), max_length=500, blank=True)
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.PHONE)
    token = models.CharField(max_length=64, unique=True)

    class Meta:
        indexes = [models.Index(fields=["item", "group"])]

    def __str__(self) -> str:
        return f"{self.item_id}:{self.grade}"


class PaperEntry(models.Model):
    """One clerk's entry of one paper ballot (serial number), typed or a machine read the clerk confirmed
    (``source``); two clerks' entries must agree before it counts."""

    class Source(models.TextChoices):
        TYPED = "typed", _("手工录入")
        SCAN = "scan", _("扫描识别")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="paper_entries")
    group = models.ForeignKey(PanelGroup, on_delete=models.CASCADE, related_name="+")
    serial = models.PositiveIntegerField(_("选票编号"))
    clerk = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    grades = models.JSONField(_("各对象等次"), default=dict)  # {agenda item id: grade}
    created_at = models.DateTimeField(auto_now_add=True)
    accepted = models.BooleanField(default=False)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.TYPED)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "serial", "clerk"], name="uniq_paper_entry")]

    def __str__(self) -> str:
        return f"{self.meeting_id}#{self.serial} by {self.clerk_id}"


class PrintedSerial(models.Model):
    """A serial the platform printed on one of the meeting's paper ballots (:func:`.paper.paper_serials_issue`).

    Kept so that a second printing never repeats a serial and a typed serial that was never printed for this meeting
    (a typo, a rehearsal's sheet) is refused. The rows are written in the serials' own order, so neither their ids nor
    anything else here keeps the order the sheets came off the printer in (the order they were handed out in).
    """

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="printed_serials")
    serial = models.PositiveIntegerField(_("选票编号"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "serial"], name="uniq_printed_serial")]

    def __str__(self) -> str:
        return f"{self.meeting_id}#{self.serial}"


def scan_path(instance: PaperScan, filename: str) -> str:
    # A random name: neither the clerk's file name (a photo may be named after anyone) nor an order of scanning.
    return f"paper-scans/{instance.meeting_id}/{secrets.token_hex(12)}.jpg"


class PaperScan(models.Model):
    """One page of a paper ballot as a scanner or a phone saw it, and what the reader made of it; kept with the
    meeting's records until the retention period ends, so any count can be checked against the paper.

    ``read`` holds the reader's decision per row (``{"group": {...}, "rows": [{"item", "choice", "confidence",
    "flag"}]}``); ``entry`` the clerk's entry made from it once confirmed. Like the sheet itself, nothing here names
    a person: no uploader, no time, no file name (the batch's job, a clerk's own record, holds those).
    """

    class Status(models.TextChoices):
        READ = "read", _("待确认")
        CONFIRMED = "confirmed", _("已确认")
        DUPLICATE = "duplicate", _("重复")
        REJECTED = "rejected", _("无法识别")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="paper_scans")
    job = models.ForeignKey("core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    image = models.FileField(upload_to=scan_path, blank=True)
    serial = models.PositiveIntegerField(_("选票编号"), null=True, blank=True)
    page = models.PositiveSmallIntegerField(default=1)
    pages = models.PositiveSmallIntegerField(default=1)
    read = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.READ)
    problem = models.CharField(max_length=200, blank=True)
    entry = models.ForeignKey(PaperEntry, null=True, blank=True, on_delete=models.SET_NULL, related_name="scans")

    class Meta:
        indexes = [models.Index(fields=["meeting", "status"])]

    def __str__(self) -> str:
        return f"{self.meeting_id}#{self.serial or '?'} p{self.page}"


class Question(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("已通过")
        ANSWERED = "answered", _("已回答")
        HIDDEN = "hidden", _("未采纳")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="questions")
    item = models.ForeignKey(AgendaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="questions")
    text = models.CharField(_("问题"), max_length=300)
    asker = models.CharField(_("提问人"), max_length=50, blank=True)
    device_hash = models.CharField(max_length=64, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    pinned = models.BooleanField(_("置顶"), default=False)
    votes = models.PositiveIntegerField(_("赞同"), default=0)
    answer = models.TextField(_("回答要点"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-pinned", "-votes", "created_at"]

    def __str__(self) -> str:
        return self.text[:40]


class QuestionVote(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="vote_set")
    device_hash = models.CharField(max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["question", "device_hash"], name="uniq_question_vote")]

    def __str__(self) -> str:
        return f"+1 {self.question_id}"


class Attendance(models.Model):
    """Someone signed in at the meeting, by scanning the hall's QR code or through a clerk.

    A clerk's row may stand for several people present who gave no name (``headcount`` > 1, e.g. 群众代表 12 人);
    the minutes count heads, not rows.
    """

    class Via(models.TextChoices):
        QR = "qr", _("扫码签到")
        CLERK = "clerk", _("工作人员登记")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    name = models.CharField(_("姓名"), max_length=50)
    role = models.CharField(_("身份"), max_length=50, blank=True)
    via = models.CharField(max_length=8, choices=Via.choices)
    headcount = models.PositiveIntegerField(_("人数"), default=1)
    device_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "device_hash"], condition=~models.Q(device_hash=""),
                                               name="uniq_attendance_device")]

    def __str__(self) -> str:
        return self.name
