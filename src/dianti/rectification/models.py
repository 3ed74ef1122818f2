"""整改 (三责联诺): a case per subject — the problems found (理), the notice that states them, the secretary's
commitment of measures (改) and lasting mechanisms (立), progress with evidence, supervision by the points and the
public, and every state change on a timeline."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dianti.appraisal.models import ActionProposal
from dianti.campaigns.models import Campaign, Subject
from dianti.orgs.models import ContactPoint, Organization


class State(models.TextChoices):
    DRAFT = "draft", _("拟定中")
    ISSUED = "issued", _("已下发")
    COMMITTED = "committed", _("已承诺")
    IN_PROGRESS = "in_progress", _("整改中")
    AWAITING = "awaiting", _("待验收")
    OVERDUE = "overdue", _("已逾期")
    CLOSED = "closed", _("已销号")
    CARRIED_OVER = "carried_over", _("转下年度")
    WITHDRAWN = "withdrawn", _("已撤销")


#: States in which the case is still being worked on (the subject's rectification is "open").
ACTIVE = (State.DRAFT, State.ISSUED, State.COMMITTED, State.IN_PROGRESS, State.AWAITING, State.OVERDUE)
#: States in which the deadline still binds: passing it makes the case overdue.
RUNNING = (State.ISSUED, State.COMMITTED, State.IN_PROGRESS, State.OVERDUE)


class Escalation(models.IntegerChoices):
    NONE = 0, _("未上报")
    ISSUER = 1, _("已报镇（街道）党委")
    ABOVE = 2, _("已报县委组织部")


class NoticeCounter(models.Model):
    """The last notice number a body used in a year; incremented under a row lock when a notice is issued."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "year"], name="uniq_notice_counter")]

    def __str__(self) -> str:
        return f"{self.organization_id}/{self.year}: {self.last}"


class Case(models.Model):
    """One rectification of one subject, from the notice to 销号 (or 转下年度)."""

    subject = models.ForeignKey(Subject, verbose_name=_("述职对象"), on_delete=models.PROTECT, related_name="cases")
    campaign = models.ForeignKey(Campaign, verbose_name=_("述职活动"), on_delete=models.PROTECT,
                                 related_name="rectification_cases")
    proposal = models.ForeignKey(ActionProposal, verbose_name=_("处置建议"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    # The subject's organization (for scope and stats) and the issuing committee (the campaign's convener).
    org_path = models.CharField(max_length=255, editable=False, db_index=True)
    issuer = models.ForeignKey(Organization, verbose_name=_("发文单位"), on_delete=models.PROTECT, related_name="+")
    issuer_path = models.CharField(max_length=255, editable=False, db_index=True)
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.DRAFT, db_index=True)
    # While overdue: the state to resume when the deadline is extended.
    resume_state = models.CharField(max_length=16, choices=State.choices, blank=True)
    requirements = models.TextField(_("整改要求"), blank=True)
    deadline = models.DateField(_("整改期限"))
    number = models.CharField(_("文号"), max_length=40, blank=True)
    year = models.PositiveSmallIntegerField(_("发文年度"), null=True, blank=True)
    seq = models.PositiveIntegerField(null=True, blank=True)
    issued_on = models.DateField(_("成文日期"), null=True, blank=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    notice_docx = models.FileField(upload_to="rectification/notices/%Y/", blank=True)
    notice_pdf = models.FileField(upload_to="rectification/notices/%Y/", blank=True)
    pledge = models.TextField(_("承诺书"), blank=True)
    committed_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField(_("审核意见"), blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    close_reason = models.TextField(_("销号理由"), blank=True)
    carried_to_year = models.PositiveSmallIntegerField(_("结转年度"), null=True, blank=True)
    overdue_for = models.DateField(null=True, blank=True, editable=False)  # the deadline it was marked overdue for
    reminded_for = models.DateField(null=True, blank=True, editable=False)
    escalation = models.PositiveSmallIntegerField(choices=Escalation.choices, default=Escalation.NONE)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("整改")
        verbose_name_plural = _("整改")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["issuer", "year", "seq"], name="uniq_notice_number")]
        indexes = [models.Index(fields=["state", "deadline"])]

    def __str__(self) -> str:
        return f"{self.number or _('整改（未下发）')} · {self.subject.organization.display_name}"

    @property
    def is_overdue(self) -> bool:
        """Whether the deadline has passed while the case is still running (red on every list)."""
        return self.state == State.OVERDUE or (self.state in RUNNING and self.deadline < timezone.localdate())

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE

    @property
    def days_to_close(self) -> int | None:
        if self.closed_at is None or self.issued_at is None:
            return None
        return max(0, (self.closed_at - self.issued_at).days)


class Problem(models.Model):
    """A problem found (理), stated in the notice; the secretary answers each with measures."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="problems")
    order = models.PositiveSmallIntegerField(default=0)
    text = models.TextField(_("问题"))

    class Meta:
        verbose_name = _("问题")
        verbose_name_plural = _("问题")
        ordering = ["case", "order", "id"]

    def __str__(self) -> str:
        return self.text[:40]


class Measure(models.Model):
    """A measure (改) against a problem: who, by when, with what result; its latest progress."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="measures")
    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="measures")
    order = models.PositiveSmallIntegerField(default=0)
    text = models.TextField(_("整改措施"))
    owner = models.CharField(_("责任人"), max_length=50)
    deadline = models.DateField(_("完成时限"))
    expected = models.CharField(_("预期成效"), max_length=300)
    percent = models.PositiveSmallIntegerField(_("进度"), default=0)
    done_at = models.DateTimeField(null=True, blank=True)
    reminded_for = models.DateField(null=True, blank=True, editable=False)
    escalation = models.PositiveSmallIntegerField(choices=Escalation.choices, default=Escalation.NONE)
    escalated_on = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("整改措施")
        verbose_name_plural = _("整改措施")
        ordering = ["case", "problem__order", "order", "id"]
        indexes = [models.Index(fields=["deadline", "percent"])]

    def __str__(self) -> str:
        return self.text[:40]

    def is_late(self, today: dt.date | None = None) -> bool:
        return self.percent < 100 and self.deadline < (today or timezone.localdate())


class Mechanism(models.Model):
    """A lasting mechanism (立) the organization sets up so the problem does not come back."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="mechanisms")
    order = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(_("长效机制"), max_length=300)

    class Meta:
        verbose_name = _("长效机制")
        verbose_name_plural = _("长效机制")
        ordering = ["case", "order", "id"]

    def __str__(self) -> str:
        return self.text[:40]


class ProgressReport(models.Model):
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="reports")
    percent = models.PositiveSmallIntegerField(_("进度"))
    text = models.TextField(_("进展情况"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    author_name = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("整改进展")
        verbose_name_plural = _("整改进展")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.measure_id}: {self.percent}%"


class Evidence(models.Model):
    class Kind(models.TextChoices):
        PHOTO = "photo", _("照片")
        DOCUMENT = "document", _("文档")

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    file = models.FileField(upload_to="rectification/evidence/%Y/%m/")
    name = models.CharField(max_length=200)
    size = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")

    def __str__(self) -> str:
        return self.name


class Rating(models.TextChoices):
    GOOD = "good", _("好")
    FAIR_GOOD = "fair_good", _("较好")
    FAIR = "fair", _("一般")
    POOR = "poor", _("差")


class SupervisionReport(models.Model):
    """A visit by staff of a 民情直报点 or 组织工作观察点: what they saw and how they rate the rectification."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="supervisions")
    point = models.ForeignKey(ContactPoint, verbose_name=_("点位"), null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    visited_on = models.DateField(_("走访日期"))
    seen = models.TextField(_("看到的情况"))
    rating = models.CharField(_("评价"), max_length=10, choices=Rating.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    author_name = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("督查记录")
        verbose_name_plural = _("督查记录")
        ordering = ["-visited_on", "-id"]

    def __str__(self) -> str:
        return f"{self.case_id} · {self.visited_on}"


class Observation(models.Model):
    """What a villager saw, sent from the tracking page of an opinion behind the subject's topic."""

    class Status(models.TextChoices):
        VISIBLE = "visible", _("正常")
        HIDDEN = "hidden", _("已屏蔽")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="observations")
    opinion = models.ForeignKey("voices.Opinion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(_("群众观察"))
    device_hash = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.VISIBLE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("群众观察")
        verbose_name_plural = _("群众观察")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.text[:40]


class EventKind(models.TextChoices):
    OPEN = "open", _("开立")
    ISSUE = "issue", _("下发通知单")
    COMMIT = "commit", _("提交承诺")
    APPROVE = "approve", _("承诺通过")
    RETURN = "return", _("承诺退回")
    PROGRESS = "progress", _("整改进展")
    SUBMIT = "submit", _("申请验收")
    CLOSE = "close", _("销号")
    REJECT = "reject", _("验收不通过")
    OVERDUE = "overdue", _("逾期")
    EXTEND = "extend", _("调整期限")
    REOPEN = "reopen", _("重新打开")
    CARRY_OVER = "carry_over", _("转下年度")
    WITHDRAW = "withdraw", _("撤销")
    SUPERVISION = "supervision", _("督查")
    OBSERVATION = "observation", _("群众观察")
    ESCALATE = "escalate", _("逾期上报")


class CaseEvent(models.Model):
    """One line of the case's timeline: a state change (from → to) or a report, with time, actor and note."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    kind = models.CharField(_("事项"), max_length=24, choices=EventKind.choices)
    from_state = models.CharField(max_length=16, choices=State.choices, blank=True)
    to_state = models.CharField(max_length=16, choices=State.choices, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    actor_name = models.CharField(_("操作人"), max_length=150, blank=True)
    note = models.TextField(_("说明"), blank=True)
    # Shown to the public on the tracking pages of the opinions behind the topic.
    public = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("整改记录")
        verbose_name_plural = _("整改记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.at:%Y-%m-%d}"
