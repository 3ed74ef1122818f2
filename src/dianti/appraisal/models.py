"""Scoring schemes (versioned), each subject's appraisal result, and the actions rules propose for a person to
confirm. The numbers come from :mod:`dianti.appraisal.engine`; these models only store them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dianti.campaigns.models import Campaign, Subject
from dianti.meetings.models import Meeting
from dianti.orgs.models import Organization


class ScoringScheme(models.Model):
    """One version of a scoring scheme (grade points, group weights, trimming, rules, star bands). A new version is
    a new row; results record the version they were computed with and can be recomputed with another."""

    key = models.CharField(_("方案编号"), max_length=64, db_index=True)
    version = models.PositiveIntegerField(_("版本"))
    name = models.CharField(_("名称"), max_length=100)
    organization = models.ForeignKey(Organization, verbose_name=_("制定单位"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    data = models.JSONField(_("方案内容"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("评分方案")
        verbose_name_plural = _("评分方案")
        constraints = [models.UniqueConstraint(fields=["key", "version"], name="uniq_scheme_version")]
        ordering = ["key", "-version"]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class SubjectResult(models.Model):
    """A subject's appraisal as computed by the engine: the published number and everything that explains it."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("待公布")
        SUBMITTED = "submitted", _("待审核")
        PUBLISHED = "published", _("已公布")

    subject = models.OneToOneField(Subject, on_delete=models.CASCADE, related_name="result")
    scheme = models.ForeignKey(ScoringScheme, on_delete=models.PROTECT, related_name="results")
    # The meeting whose ballots were scored (the last closed one that heard the subject).
    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    score = models.FloatField(_("得分"), null=True)
    ballots = models.PositiveIntegerField(_("有效票"), default=0)
    invalid = models.PositiveIntegerField(_("无效票"), default=0)
    satisfaction = models.FloatField(_("满意率"), null=True)
    satisfaction_low = models.FloatField(null=True)
    satisfaction_high = models.FloatField(null=True)
    dissatisfaction = models.FloatField(_("不满意率"), null=True)
    alpha = models.FloatField(_("评议一致性 α"), null=True)
    # The engine's to_dict(kept=False): groups (with the ballots each trimmed, not every one it kept), distribution,
    # outcomes, flags; and the meeting's panel figures.
    detail = models.JSONField(_("明细"), default=dict)
    # Empty since results stopped storing it: explanations.result_explanation rebuilds it from the ballots.
    explanation = models.TextField(_("计算说明"), blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    computed_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")

    class Meta:
        verbose_name = _("评议结果")
        verbose_name_plural = _("评议结果")

    def __str__(self) -> str:
        return f"{self.subject}: {self.score}"


class ResultPublication(models.Model):
    """One publication (公示) of a subject's result, kept for ever: what was published, by whom, and — if it was
    withdrawn (撤回) — by whom, when and why. Nothing published is silently overwritten: a withdrawn result goes
    back to draft, and its next publication is a new row here."""

    result = models.ForeignKey(SubjectResult, on_delete=models.CASCADE, related_name="publications")
    score = models.FloatField(_("得分"), null=True)
    satisfaction = models.FloatField(_("满意率"), null=True)
    ballots = models.PositiveIntegerField(_("有效票"), default=0)
    scheme_label = models.CharField(_("评分方案"), max_length=200, blank=True)
    published_at = models.DateTimeField(_("公示时间"))
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    withdraw_reason = models.TextField(_("撤回理由"), blank=True)

    class Meta:
        verbose_name = _("评议结果公示记录")
        verbose_name_plural = _("评议结果公示记录")
        ordering = ["result", "published_at"]

    def __str__(self) -> str:
        return f"{self.result}: {self.published_at:%Y-%m-%d}"


class ActionProposal(models.Model):
    """An action a rule proposes from a result (约谈, 不合格, 整改通知单). Never automatic: a person confirms it.

    The rectification step opens a case from each confirmed proposal whose action is ``rectification``.
    """

    class Action(models.TextChoices):
        TALK = "talk", _("约谈")
        UNQUALIFIED = "unqualified", _("不合格")
        RECTIFICATION = "rectification", _("整改通知")

    class Status(models.TextChoices):
        PENDING = "pending", _("待确认")
        CONFIRMED = "confirmed", _("已确认")
        DISMISSED = "dismissed", _("不采纳")

    subject = models.ForeignKey(Subject, on_delete=models.CASCADE, related_name="proposals")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="proposals")
    org_path = models.CharField(max_length=255, editable=False, db_index=True)  # the campaign convener's path
    action = models.CharField(_("建议措施"), max_length=16, choices=Action.choices)
    rule = models.CharField(_("规则"), max_length=64)
    reason = models.TextField(_("依据"))
    uncertain = models.BooleanField(_("结果不确定"), default=False)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(_("备注"), blank=True)

    class Meta:
        verbose_name = _("处置建议")
        verbose_name_plural = _("处置建议")
        constraints = [models.UniqueConstraint(fields=["subject", "action"], name="uniq_proposal_action")]

    def __str__(self) -> str:
        return f"{self.subject} · {self.get_action_display()}"


class AnnualAssessment(models.Model):
    """One organization's annual comprehensive assessment (年度综合考核) for one year.

    ``scores`` holds the components imported from Excel ({component code: 0–100}); the 述职评议 component is taken
    from the organization's published appraisal of that year when the assessment is computed. Everything below
    ``appraisal`` is the engine's output: total, grade band, star grade (晋位升级) and ranks among the county and
    among the peers under the same parent (a town's villages).
    """

    organization = models.ForeignKey(Organization, verbose_name=_("组织"), on_delete=models.CASCADE,
                                     related_name="assessments")
    org_path = models.CharField(max_length=255, editable=False, db_index=True)
    year = models.PositiveSmallIntegerField(_("年度"), db_index=True)
    scores = models.JSONField(_("各项得分"), default=dict, blank=True)
    innovation = models.BooleanField(_("创新项目"), default=False)
    imported_at = models.DateTimeField(null=True, blank=True)
    appraisal = models.FloatField(_("述职评议得分"), null=True, blank=True)
    scheme = models.ForeignKey(ScoringScheme, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    total = models.FloatField(_("总分"), null=True, blank=True)
    parts = models.JSONField(_("构成"), default=list, blank=True)
    band = models.CharField(_("考核等次"), max_length=20, blank=True)
    stars = models.PositiveSmallIntegerField(_("星级"), default=0)
    rank = models.PositiveIntegerField(_("县内排名"), null=True, blank=True)
    rank_of = models.PositiveIntegerField(default=0)
    peers_path = models.CharField(max_length=255, blank=True)
    peer_rank = models.PositiveIntegerField(_("同级排名"), null=True, blank=True)
    peer_count = models.PositiveIntegerField(default=0)
    flags = models.JSONField(default=list, blank=True)
    explanation = models.TextField(_("计算说明"), blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("年度综合考核")
        verbose_name_plural = _("年度综合考核")
        ordering = ["year", "rank", "org_path"]
        constraints = [models.UniqueConstraint(fields=["organization", "year"], name="uniq_assessment_year")]
        indexes = [models.Index(fields=["year", "org_path"])]

    def __str__(self) -> str:
        return f"{self.organization} {self.year}: {self.total}"

    @property
    def missing(self) -> list[str]:
        """Return the labels of the components still missing: while any is, the total is provisional (暂定)."""
        return next((list(f.get("missing", [])) for f in self.flags if f.get("code") == "provisional"), [])

    @property
    def provisional(self) -> bool:
        return bool(self.missing)


class AssessmentRound(models.Model):
    """A county's annual assessment for one year as a whole: who computed it, and who (above the county, or its
    approver) confirmed the grades and stars (core/rules.py ``appraisal.stars_confirm``). Recomputing clears the
    confirmation: changed grades are confirmed again."""

    county = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="assessment_rounds")
    year = models.PositiveSmallIntegerField(_("年度"))
    computed_at = models.DateTimeField(null=True, blank=True)
    computed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    note = models.TextField(_("确认意见"), blank=True)

    class Meta:
        verbose_name = _("年度考核确认")
        verbose_name_plural = _("年度考核确认")
        constraints = [models.UniqueConstraint(fields=["county", "year"], name="uniq_assessment_round")]

    def __str__(self) -> str:
        return f"{self.county} {self.year}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None
