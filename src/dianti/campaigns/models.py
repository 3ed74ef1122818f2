"""Campaigns (one 点题述职 cycle convened by one committee), their subjects (党委点名), the 党建责任清单 and the
secretary-led projects that make an organization a natural candidate."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dianti.orgs.models import Organization, Person


class Phase(models.TextChoices):
    NOMINATE = "nominate", _("点名")
    TOPICS = "topics", _("点题")
    REPORTING = "reporting", _("述职")
    APPRAISAL = "appraisal", _("评议")
    RECTIFICATION = "rectification", _("整改")
    ARCHIVED = "archived", _("归档")


PHASE_ORDER = [p.value for p in Phase]


class Campaign(models.Model):
    class ListStatus(models.TextChoices):
        DRAFT = "draft", _("拟定中")
        SUBMITTED = "submitted", _("待审批")
        PUBLISHED = "published", _("已公示")

    title = models.CharField(_("名称"), max_length=200)
    year = models.PositiveSmallIntegerField(_("年度"), db_index=True)
    batch = models.CharField(_("批次"), max_length=50, blank=True)
    convener = models.ForeignKey(Organization, verbose_name=_("召集组织"), on_delete=models.PROTECT,
                                 related_name="campaigns")
    # Copied from the convener so scoped reads and roll-ups are range scans, like organizations.
    org_path = models.CharField(max_length=255, editable=False, db_index=True)
    parent = models.ForeignKey("self", verbose_name=_("上级述职活动"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="children")
    candidate_level = models.CharField(_("述职对象层级"), max_length=16, choices=Organization.Level.choices,
                                       default=Organization.Level.GRASSROOTS)
    candidate_fields = models.JSONField(_("述职对象领域"), default=list, blank=True,
                                        help_text=_("为空表示全部领域"))
    direct_only = models.BooleanField(_("仅直属下级"), default=True)
    scheme_key = models.CharField(_("评分方案"), max_length=64, blank=True)
    # The county's knobs of the voices' heat formula ({knob: number}, dianti.voices.mining.heat.KNOBS); empty: the
    # defaults.
    heat_weights = models.JSONField(_("呼声热度权重"), default=dict, blank=True)
    phase = models.CharField(_("阶段"), max_length=16, choices=Phase.choices, default=Phase.NOMINATE)
    list_status = models.CharField(_("名单状态"), max_length=16, choices=ListStatus.choices,
                                   default=ListStatus.DRAFT)
    list_submitted_at = models.DateTimeField(null=True, blank=True)
    # Who submitted the list: the four-eyes rule keeps them from approving it (core/rules.py).
    list_submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                          on_delete=models.SET_NULL, related_name="+")
    list_published_at = models.DateTimeField(_("公示时间"), null=True, blank=True)
    list_approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                         on_delete=models.SET_NULL, related_name="+")
    deadlines = models.JSONField(_("各阶段截止日期"), default=dict, blank=True)
    reminders_sent = models.JSONField(default=dict, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("述职活动")
        verbose_name_plural = _("述职活动")
        ordering = ["-year", "org_path"]
        constraints = [
            models.UniqueConstraint(fields=["convener", "year", "batch"], name="uniq_campaign_per_convener_year"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.list_status == self.ListStatus.PUBLISHED

    def deadline_for(self, phase: str) -> str | None:
        value = self.deadlines.get(phase)
        return str(value) if value else None

    def due(self, phase: str | None = None) -> dt.date | None:
        """Return the deadline of ``phase`` (default: the phase it is in) as a date, None when none is set."""
        value = self.deadline_for(phase or self.phase)
        try:
            return dt.date.fromisoformat(value) if value else None
        except ValueError:
            return None


class Category(models.TextChoices):
    DEVELOPMENT = "development", _("发展任务重、群众期盼高")
    MODEL = "model", _("创先争优典型或服务功能重要")
    PROJECT = "project", _("书记项目、创新或攻坚项目")


class Subject(models.Model):
    """An organization chosen to report in a campaign, with its secretary frozen at the time of choosing."""

    class Status(models.TextChoices):
        CHOSEN = "chosen", _("已点名")
        TOPIC_SET = "topic_set", _("已点题")
        REPORTED = "reported", _("已述职")
        APPRAISED = "appraised", _("已评议")

    class Rectification(models.TextChoices):
        NONE = "none", _("无需整改")
        OPEN = "open", _("整改中")
        CLOSED = "closed", _("已销号")
        CARRIED_OVER = "carried_over", _("转下年度")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="subjects")
    organization = models.ForeignKey(Organization, verbose_name=_("组织"), on_delete=models.PROTECT,
                                     related_name="subjects")
    org_path = models.CharField(max_length=255, editable=False, db_index=True)
    secretary = models.ForeignKey(Person, verbose_name=_("书记"), null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="subjects")
    secretary_name = models.CharField(_("书记姓名"), max_length=50, blank=True)
    category = models.CharField(_("点名类别"), max_length=16, choices=Category.choices)
    reason = models.TextField(_("点名理由"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.CHOSEN)
    topic = models.CharField(_("述职题目"), max_length=200, blank=True)
    topic_assigned_at = models.DateTimeField(null=True, blank=True)
    # When the secretary was told "您已被点名": re-approving a returned list does not tell them twice.
    chosen_told_at = models.DateTimeField(null=True, blank=True, editable=False)
    score = models.FloatField(_("评议得分"), null=True, blank=True)
    rectification = models.CharField(_("整改"), max_length=16, choices=Rectification.choices,
                                     default=Rectification.NONE)
    order = models.PositiveIntegerField(_("顺序"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("述职对象")
        verbose_name_plural = _("述职对象")
        ordering = ["campaign", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["campaign", "organization"], name="uniq_subject")]

    def __str__(self) -> str:
        return self.display

    @property
    def display(self) -> str:
        """The subject as pages name it: "雪水港村 · 张书记", or "丰义村（书记空缺）" — never a dangling dot."""
        if self.secretary_name:
            return f"{self.organization.display_name} · {self.secretary_name}"
        return f"{self.organization.display_name}{_('（书记空缺）')}"


class ResponsibilityItem(models.Model):
    """One line of an organization's 党建责任清单 for a year: a possible source of its topic."""

    organization = models.ForeignKey(Organization, verbose_name=_("组织"), on_delete=models.CASCADE,
                                     related_name="responsibilities")
    org_path = models.CharField(max_length=255, editable=False, db_index=True)
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("责任事项"), max_length=200)
    detail = models.TextField(_("具体内容"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("党建责任清单事项")
        verbose_name_plural = _("党建责任清单")
        ordering = ["organization", "year", "id"]
        indexes = [models.Index(fields=["organization", "year"])]

    def __str__(self) -> str:
        return self.title


class Project(models.Model):
    """A 书记项目 (secretary-led Party-building project) or an innovation / hard-problem project."""

    class Kind(models.TextChoices):
        SECRETARY = "secretary", _("书记项目")
        INNOVATION = "innovation", _("创新项目")
        HARD_PROBLEM = "hard_problem", _("攻坚项目")

    organization = models.ForeignKey(Organization, verbose_name=_("组织"), on_delete=models.CASCADE,
                                     related_name="projects")
    org_path = models.CharField(max_length=255, editable=False, db_index=True)
    year = models.PositiveSmallIntegerField(_("年度"))
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("项目名称"), max_length=200)

    class Meta:
        verbose_name = _("书记项目")
        verbose_name_plural = _("书记项目")
        indexes = [models.Index(fields=["organization", "year"])]

    def __str__(self) -> str:
        return self.title


class HeatScheme(models.Model):
    """The knobs of the voices' heat formula a county sets once ({knob: number}, dianti.voices.mining.heat.KNOBS):
    every campaign under it inherits them, and a campaign may still override a knob (``Campaign.heat_weights``).
    What is in force for a campaign is resolved in one place: :func:`dianti.campaigns.heat.heat_weights_in_force`."""

    organization = models.OneToOneField(Organization, verbose_name=_("县级党委"), on_delete=models.CASCADE,
                                        related_name="heat_scheme")
    org_path = models.CharField(max_length=255, editable=False, db_index=True)
    weights = models.JSONField(_("呼声热度权重"), default=dict, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("呼声热度权重方案")
        verbose_name_plural = _("呼声热度权重方案")

    def __str__(self) -> str:
        return f"{self.organization} · {self.weights}"
