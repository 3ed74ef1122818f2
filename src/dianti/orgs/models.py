"""The organization tree, people, their positions, role grants and the public-opinion points."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dianti.core import paths
from dianti.core.crypto import EncryptedCharField, SearchHashField, SearchHashMixin


class OrgQuerySet(models.QuerySet["Organization"]):
    def subtree(self, path: str) -> OrgQuerySet:
        """Return the organizations at or below ``path`` (one indexed range scan)."""
        return self.filter(path__gte=path, path__lt=paths.successor(path))

    def grassroots(self) -> OrgQuerySet:
        return self.filter(level=Organization.Level.GRASSROOTS)


class Organization(models.Model):
    class Kind(models.TextChoices):
        COMMITTEE = "committee", _("党委")
        WORKING_COMMITTEE = "working_committee", _("党工委")
        GENERAL_BRANCH = "general_branch", _("党总支")
        BRANCH = "branch", _("党支部")

    class Level(models.TextChoices):
        PROVINCE = "province", _("省")
        CITY = "city", _("市")
        COUNTY = "county", _("县（市、区）")
        TOWN = "town", _("乡镇（街道）")
        GRASSROOTS = "grassroots", _("基层党组织")

    class Field(models.TextChoices):
        PARTY_COMMITTEE = "committee", _("党委机关")
        VILLAGE = "village", _("农村")
        COMMUNITY = "community", _("城市社区")
        ORGAN = "organ", _("机关")
        INSTITUTION = "institution", _("事业单位")
        SOE = "soe", _("国有企业")
        PRIVATE = "private", _("非公企业")
        SOCIAL = "social", _("社会组织")
        SCHOOL = "school", _("学校")
        HOSPITAL = "hospital", _("医院")
        OTHER = "other", _("其他")

    code = models.CharField(_("组织编码"), max_length=32, unique=True)
    name = models.CharField(_("组织名称"), max_length=100, db_index=True)
    short_name = models.CharField(_("简称"), max_length=50, blank=True)
    kind = models.CharField(_("组织类别"), max_length=24, choices=Kind.choices, default=Kind.BRANCH)
    level = models.CharField(_("层级"), max_length=16, choices=Level.choices, default=Level.GRASSROOTS)
    field = models.CharField(_("领域"), max_length=16, choices=Field.choices, default=Field.OTHER)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级组织"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    secretary = models.ForeignKey(
        "Person", verbose_name=_("书记"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    path = models.CharField(max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(editable=False, default=1)
    child_counter = models.PositiveIntegerField(editable=False, default=0)
    is_active = models.BooleanField(_("有效"), default=True)

    objects = OrgQuerySet.as_manager()

    class Meta:
        verbose_name = _("党组织")
        verbose_name_plural = _("党组织")
        ordering = ["path"]
        indexes = [
            # Grassroots counts of a subtree (stats, tree badges) read only this index: level by equality, then
            # the path range; is_active rides along so no table row is touched.
            models.Index(fields=["level", "path", "is_active"], name="org_level_path_idx"),
            # Search results come shallowest first: for a common fragment ("村") the page is the first 50 matches
            # walking this index, instead of sorting every match (and joining each to its parent and secretary).
            models.Index(fields=["depth", "path"], name="org_depth_path_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    def is_within(self, path: str) -> bool:
        return self.path.startswith(path)


class Person(SearchHashMixin, models.Model):
    class Gender(models.TextChoices):
        MALE = "M", _("男")
        FEMALE = "F", _("女")

    name = models.CharField(_("姓名"), max_length=50, db_index=True)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices, blank=True)
    # Encrypted at rest (dianti.core.crypto); found again by keyed hashes of the whole number and of its last
    # four digits — the part the masked number shows anyway.
    phone = EncryptedCharField(_("手机号"), max_length=11, blank=True)
    phone_hash = SearchHashField(source="phone", kind="phone")
    phone_tail_hash = SearchHashField(source="phone", kind="phone_tail", max_length=32)
    is_party_member = models.BooleanField(_("党员"), default=False)
    organization = models.ForeignKey(
        Organization, verbose_name=_("所属组织"), on_delete=models.PROTECT, related_name="people"
    )
    # Copied from the organization so a subtree's people are one indexed range scan, like organizations.
    org_path = models.CharField(max_length=255, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("账号"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="person",
    )

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        ordering = ["org_path", "id"]
        indexes = [
            # One index for a subtree's people: the path range in list order (org_path, id), and the people /
            # party-member counts of the stats endpoint answered from the index alone.
            models.Index(fields=["org_path", "id", "is_party_member"], name="person_path_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


def mask_phone(phone: str) -> str:
    """Return the phone with its middle four digits hidden (138****5678)."""
    if len(phone) < 7:
        return "*" * len(phone)
    return f"{phone[:3]}****{phone[-4:]}"


class Position(models.TextChoices):
    SECRETARY = "secretary", _("书记")
    DEPUTY = "deputy", _("副书记")
    COMMITTEE_MEMBER = "member_committee", _("委员")
    PARTY_MEMBER = "party_member", _("党员")
    PUBLIC_REP = "public_rep", _("群众代表")
    STAFF = "staff", _("工作人员")


class Membership(models.Model):
    person = models.ForeignKey(Person, verbose_name=_("人员"), on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(
        Organization, verbose_name=_("组织"), on_delete=models.CASCADE, related_name="memberships"
    )
    position = models.CharField(_("职务"), max_length=24, choices=Position.choices)
    since = models.DateField(_("任职时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("任职")
        verbose_name_plural = _("任职")
        constraints = [
            models.UniqueConstraint(fields=["person", "organization", "position"], name="uniq_membership"),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.organization} · {self.get_position_display()}"


class Role(models.TextChoices):
    COUNTY_ADMIN = "county_admin", _("县级管理员")
    TOWN_ADMIN = "town_admin", _("镇级管理员")
    SECRETARY = "secretary", _("书记")
    EVALUATOR = "evaluator", _("评议人")
    POINT_STAFF = "point_staff", _("点位工作人员")
    # Approves what a body at the top of the system decides (its list, its results, star grades): the second pair
    # of eyes where no level above is in the system. Sees the subtree; manages nothing. See core/rules.py.
    APPROVER = "approver", _("审批人")


ADMIN_ROLES = frozenset({Role.COUNTY_ADMIN, Role.TOWN_ADMIN})


class RoleGrant(models.Model):
    """A role held on an organization; it covers that organization's whole subtree."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("账号"), on_delete=models.CASCADE, related_name="role_grants"
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("组织"), on_delete=models.CASCADE, related_name="role_grants"
    )
    role = models.CharField(_("角色"), max_length=24, choices=Role.choices)
    granted_at = models.DateTimeField(_("授予时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        constraints = [models.UniqueConstraint(fields=["user", "organization", "role"], name="uniq_role_grant")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.organization}"


class ContactPoint(models.Model):
    """A 民情直报点 or 组织工作观察点: a place where staff relay opinions and watch rectification."""

    class Kind(models.TextChoices):
        DIRECT_REPORT = "direct_report", _("民情直报点")
        OBSERVATION = "observation", _("组织工作观察点")

    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=100)
    place = models.CharField(_("地点"), max_length=200, blank=True)
    organization = models.ForeignKey(
        Organization, verbose_name=_("所属组织"), on_delete=models.PROTECT, related_name="points"
    )
    org_path = models.CharField(max_length=255, editable=False, db_index=True)
    staff = models.ManyToManyField(Person, verbose_name=_("工作人员"), blank=True, related_name="points")

    class Meta:
        verbose_name = _("点位")
        verbose_name_plural = _("点位")
        ordering = ["org_path", "id"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.org_path = self.organization.path
        super().save(*args, **kwargs)


class PersonChannel(models.Model):
    """How a person is reached outside the site: one contact per medium (a phone for SMS, a WeChat openid, a
    DingTalk or 企业微信 userid, an e-mail address), used only once verified and while not opted out."""

    class Medium(models.TextChoices):
        SMS = "sms", _("短信")
        WECHAT = "wechat", _("微信公众号")
        DINGTALK = "dingtalk", _("钉钉")
        WECOM = "wecom", _("企业微信")
        EMAIL = "email", _("电子邮件")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="channels")
    medium = models.CharField(_("渠道"), max_length=16, choices=Medium.choices)
    address = EncryptedCharField(_("联系方式"), max_length=200)  # personal data, encrypted at rest like phones
    verified_at = models.DateTimeField(_("核实时间"), null=True, blank=True)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    opted_out_at = models.DateTimeField(_("退订时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("通知渠道")
        verbose_name_plural = _("通知渠道")
        ordering = ["person_id", "medium"]
        constraints = [models.UniqueConstraint(fields=["person", "medium"], name="person_channel_unique")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.medium}"

    @property
    def usable(self) -> bool:
        return self.verified_at is not None and self.opted_out_at is None

    @property
    def masked_address(self) -> str:
        """Return the contact as staff lists show it: a phone as 138****5678, an id or address by its ends."""
        if self.medium == self.Medium.SMS:
            return mask_phone(self.address)
        a = self.address
        return a if len(a) <= 4 else f"{a[:2]}…{a[-2:]}"
