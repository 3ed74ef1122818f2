"""Opinions from every channel, the topics mined from them, +1 supports, and the topic assigned to each subject."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dianti.campaigns.models import Campaign, ResponsibilityItem, Subject
from dianti.core.crypto import EncryptedCharField
from dianti.orgs.models import ContactPoint, Organization


class Channel(models.TextChoices):
    ONLINE = "online", _("扫码/网上征集")
    VISIT = "visit", _("走访")
    SYMPOSIUM = "symposium", _("座谈")
    DIRECT_REPORT = "direct_report", _("民情直报点")
    OBSERVATION = "observation", _("组织工作观察点")
    SELF_INSPECTION = "self_inspection", _("自查")


OFFLINE_CHANNELS = [Channel.VISIT, Channel.SYMPOSIUM, Channel.DIRECT_REPORT, Channel.OBSERVATION,
                    Channel.SELF_INSPECTION]


class Topic(models.Model):
    """A concern raised by several opinions about one organization: mined, then curated by staff."""

    organization = models.ForeignKey(Organization, verbose_name=_("组织"), on_delete=models.CASCADE,
                                     related_name="topics")
    org_path = models.CharField(max_length=255, editable=False, db_index=True)
    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="topics")
    title = models.CharField(_("话题"), max_length=200)
    keywords = models.JSONField(_("关键词"), default=list, blank=True)
    category = models.CharField(_("类别"), max_length=32, blank=True)
    size = models.PositiveIntegerField(_("意见数"), default=0)
    people = models.PositiveIntegerField(_("人数"), default=0)
    supports = models.PositiveIntegerField(_("关心数"), default=0)
    # Of the people and supporters, those who proved a phone by SMS code (voices/figures.py counts them).
    verified_people = models.PositiveIntegerField(_("已验证手机的人数"), default=0)
    heat = models.FloatField(_("呼声指数"), default=0.0, db_index=True)
    channels = models.JSONField(_("渠道"), default=dict, blank=True)
    first_at = models.DateTimeField(null=True, blank=True)
    last_at = models.DateTimeField(null=True, blank=True)
    # Curated by staff (renamed, merged, split or hand-moved): re-mining keeps it and its members as they are.
    curated = models.BooleanField(_("人工整理"), default=False)
    # The miner's own id for this topic in the organization's stored mining state ("" for hand-made topics).
    mining_key = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("话题")
        verbose_name_plural = _("话题")
        ordering = ["-heat", "id"]
        indexes = [models.Index(fields=["organization", "campaign", "-heat"])]

    def __str__(self) -> str:
        return self.title

    @property
    def channel_list(self) -> list[tuple[str, int]]:
        """Return (channel label, opinions) pairs, most first, for display."""
        labels = dict(Channel.choices)
        return sorted(((str(labels.get(k, k)), n) for k, n in self.channels.items()), key=lambda p: -p[1])


class Opinion(models.Model):
    class Status(models.TextChoices):
        VISIBLE = "visible", _("正常")
        HIDDEN = "hidden", _("已屏蔽")

    class CategorySource(models.TextChoices):
        NONE = "", _("未分类")
        RULE = "rule", _("关键词规则")
        MODEL = "model", _("模型")
        STAFF = "staff", _("人工")

    organization = models.ForeignKey(Organization, verbose_name=_("组织"), on_delete=models.PROTECT,
                                     related_name="opinions")
    org_path = models.CharField(max_length=255, editable=False, db_index=True)
    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="opinions")
    channel = models.CharField(_("渠道"), max_length=20, choices=Channel.choices, default=Channel.ONLINE)
    point = models.ForeignKey(ContactPoint, verbose_name=_("点位"), null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="opinions")
    title = models.CharField(_("标题"), max_length=100, blank=True)
    text = models.TextField(_("意见内容"))
    author_name = models.CharField(_("姓名"), max_length=50, blank=True)
    # Encrypted at rest (dianti.core.crypto); author_key below is its keyed hash for counting people.
    author_phone = EncryptedCharField(_("手机号"), max_length=11, blank=True)
    anonymous = models.BooleanField(_("匿名"), default=False)
    # The phone was proved by an SMS code (voices/verify.py) where the county asks for it: a verified person.
    phone_verified = models.BooleanField(_("手机号已验证"), default=False)
    # Who raised it, hashed (phone, else device, else the opinion itself): counts distinct people, never shown.
    author_key = models.CharField(max_length=64, db_index=True)
    people_met = models.PositiveIntegerField(_("接触人次"), default=0)
    photo = models.FileField(_("照片"), upload_to="opinions/%Y/%m/", blank=True)
    tracking_code = models.CharField(_("查询码"), max_length=12, unique=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.VISIBLE)
    hidden_reason = models.CharField(_("屏蔽理由"), max_length=200, blank=True)
    duplicate_of = models.ForeignKey("self", verbose_name=_("重复于"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="duplicates")
    topic = models.ForeignKey(Topic, verbose_name=_("话题"), null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="opinions")
    category = models.CharField(_("类别"), max_length=32, blank=True, db_index=True)
    category_confidence = models.FloatField(null=True, blank=True)
    category_source = models.CharField(max_length=8, choices=CategorySource.choices, blank=True, default="")
    supports = models.PositiveIntegerField(_("关心数"), default=0)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    # The key the recording phone drew for this record (voices/offline.py): the same record sent twice is one row.
    client_key = models.UUIDField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("意见")
        verbose_name_plural = _("意见")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "status"]), models.Index(fields=["org_path", "created_at"])]
        constraints = [models.UniqueConstraint(fields=["entered_by", "client_key"], name="uniq_opinion_client_key",
                                               condition=models.Q(client_key__isnull=False))]

    def __str__(self) -> str:
        return self.title or self.text[:30]

    @property
    def sorted(self) -> bool:
        return self.topic_id is not None or bool(self.category)


class Support(models.Model):
    """One "我也关心" (+1) from one device, on an opinion or on a topic; where the county asks for it, the supporter
    may prove a phone first (voices/verify.py) and the support then counts as a verified person."""

    opinion = models.ForeignKey(Opinion, null=True, blank=True, on_delete=models.CASCADE, related_name="support_set")
    topic = models.ForeignKey(Topic, null=True, blank=True, on_delete=models.CASCADE, related_name="support_set")
    device_hash = models.CharField(max_length=64)
    # The proved phone's keyed hash (core/phone_codes.phone_key, never the number); "" for an unverified support.
    phone_hash = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["opinion", "device_hash"], name="uniq_opinion_support"),
            models.UniqueConstraint(fields=["topic", "device_hash"], name="uniq_topic_support"),
            # One proved phone supports a topic (or an opinion) once, whatever device it uses.
            models.UniqueConstraint(fields=["opinion", "phone_hash"], name="uniq_opinion_support_phone",
                                    condition=~models.Q(phone_hash="")),
            models.UniqueConstraint(fields=["topic", "phone_hash"], name="uniq_topic_support_phone",
                                    condition=~models.Q(phone_hash="")),
        ]

    def __str__(self) -> str:
        return f"+1 {self.opinion_id or self.topic_id}"


class AssignedTopic(models.Model):
    """Where a subject's topic came from: a mined topic (the people's voice) or a 党建责任清单 item."""

    subject = models.OneToOneField(Subject, on_delete=models.CASCADE, related_name="topic_source")
    topic = models.ForeignKey(Topic, null=True, blank=True, on_delete=models.SET_NULL, related_name="assignments")
    responsibility = models.ForeignKey(ResponsibilityItem, null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="+")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    assigned_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("题目来源")
        verbose_name_plural = _("题目来源")

    def __str__(self) -> str:
        return f"{self.subject_id} ← {self.topic_id or self.responsibility_id}"


class ClassifierState(models.Model):
    """The learned policy-category classifier, retrained in the background from the labels staff give."""

    blob = models.BinaryField()
    labels = models.PositiveIntegerField(default=0)
    classes = models.JSONField(default=list)
    cv_macro_f1 = models.FloatField(null=True, blank=True)
    trained_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-trained_at"]
        get_latest_by = "trained_at"

    def __str__(self) -> str:
        return f"classifier {self.trained_at:%Y-%m-%d} ({self.labels} labels)"


class MiningState(models.Model):
    """The miner's state for one organization and campaign, so a new opinion joins its topic in milliseconds."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    blob = models.BinaryField()
    opinions = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "campaign"], name="uniq_mining_state")]

    def __str__(self) -> str:
        return f"mining state {self.organization_id}/{self.campaign_id}"


class VerificationSetting(models.Model):
    """A county's choice to prove phones by SMS code before a named opinion counts as a verified person (off unless
    set; voices/verify.py)."""

    organization = models.OneToOneField(Organization, verbose_name=_("县（市、区）"), on_delete=models.CASCADE,
                                        related_name="+")
    phone_codes = models.BooleanField(_("留手机号的意见须短信验证"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("手机号验证设置")
        verbose_name_plural = _("手机号验证设置")

    def __str__(self) -> str:
        return f"{self.organization_id}: {'on' if self.phone_codes else 'off'}"
