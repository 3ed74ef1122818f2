"""Shared kernel models: the append-only, hash-chained audit log and background jobs."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .crypto import EncryptedCharField

# The "previous hash" of the first record of the chain.
GENESIS = "0" * 64


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("审计日志只可追加，不可修改")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("审计日志只可追加，不可删除")

    def bulk_create(self, objs: Iterable[AuditEvent], *args: Any, **kwargs: Any) -> list[AuditEvent]:
        """Append ``objs`` to the chain in list order (an import's many records), under the chain-head lock."""
        objs = list(objs)
        if not objs:
            return objs
        with transaction.atomic(using=self.db, savepoint=False):
            _append(objs, lambda: super(AuditEventQuerySet, self).bulk_create(objs, *args, **kwargs))
        return objs


def _append(events: Sequence[AuditEvent], insert: Callable[[], Any]) -> None:
    """Chain ``events`` after the current head, insert them and move the head, all in the caller's transaction.

    The head row is locked first (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's IMMEDIATE transactions already
    serialize writers), so two concurrent writers can never both link to the same predecessor: the second waits for
    the first to commit and then links to its record. Ids are drawn after the lock, so id order is chain order.
    """
    head, _created = AuditChainHead.objects.select_for_update().get_or_create(pk=1, defaults={"hash": GENESIS})
    previous = head.hash
    for event in events:
        event.changes = _json_ready(event.changes)
        event.prev_hash = previous
        event.hash = event.compute_hash()
        previous = event.hash
    insert()
    AuditChainHead.objects.filter(pk=1).update(hash=previous, last_id=events[-1].pk, length=models.F("length")
                                               + len(events))
    sink = getattr(settings, "DIANTI_AUDIT_SINK", "")
    if sink:
        from .audit_sink import sink_write

        lines = [event.sink_line() for event in events]
        transaction.on_commit(lambda: sink_write(sink, lines))


def canonical(event: Any) -> bytes:
    """Return the bytes an audit record's hash covers: every stored field but the id and the hash itself, as
    sorted, compact UTF-8 JSON. Takes any object with the fields (the migration that back-fills passes its
    historical model), so the formula lives here alone."""
    content = {
        "prev": event.prev_hash,
        "at": event.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "actor": event.actor_id,
        "actor_name": event.actor_name,
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "target_repr": event.target_repr,
        "org_path": event.org_path,
        "changes": event.changes,
        "note": event.note,
    }
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def _json_ready(value: Any) -> Any:
    # Hash exactly what the database gives back: a JSON round trip turns tuples into lists, keys into strings.
    return json.loads(json.dumps(value if value is not None else {}, ensure_ascii=False))


class AuditEvent(models.Model):
    """One write to the system: who did what to which object, with old → new values. Never changed or deleted."""

    # Set before the insert (not auto_now_add, which stamps during the save) so the hash can cover it.
    at = models.DateTimeField(_("时间"), default=timezone.now, editable=False, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField(_("操作人姓名"), max_length=150, blank=True)
    action = models.CharField(_("操作"), max_length=64, db_index=True)
    target_type = models.CharField(_("对象类型"), max_length=64)
    target_id = models.CharField(_("对象编号"), max_length=64)
    target_repr = models.CharField(_("对象"), max_length=200)
    # The organization the object belongs to, as a materialized path, so scoped reads need no join.
    org_path = models.CharField(_("组织路径"), max_length=255, blank=True, db_index=True)
    changes = models.JSONField(_("变更"), default=dict, blank=True)
    note = models.TextField(_("备注"), blank=True)
    # Tamper evidence: SHA-256 of this record's canonical content, which includes the hash of the record before it.
    prev_hash = models.CharField(_("前一条哈希"), max_length=64, editable=False, default=GENESIS)
    hash = models.CharField(_("哈希"), max_length=64, editable=False, db_index=True, default="")

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计日志")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["target_type", "target_id"]),
            # The audit log newest first, one page at a time: the whole order (at, id) read backwards from the index.
            models.Index(fields=["at", "id"], name="audit_at_id_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.target_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("审计日志只可追加，不可修改")
        # No savepoint: a record is part of its service's write (audit.record runs inside the service's
        # transaction), so a failure here must fail that write, never be caught and skipped; a savepoint would only
        # add two round trips to every record.
        with transaction.atomic(using=kwargs.get("using"), savepoint=False):
            _append([self], lambda: super(AuditEvent, self).save(*args, **kwargs))

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("审计日志只可追加，不可删除")

    def canonical(self) -> bytes:
        return canonical(self)

    def compute_hash(self) -> str:
        return hashlib.sha256(canonical(self)).hexdigest()

    def sink_line(self) -> str:
        """Return the line the external sink keeps for this record: id, time, action and hash."""
        return f"{self.pk} {self.at.astimezone(dt.UTC):%Y-%m-%dT%H:%M:%S.%fZ} {self.action} {self.hash}"


class AuditChainHead(models.Model):
    """The one row naming the newest audit record's hash: the lock appends queue on, and a check on the tail."""

    hash = models.CharField(max_length=64, default=GENESIS)
    last_id = models.BigIntegerField(null=True, blank=True)
    length = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("审计链头")
        verbose_name_plural = _("审计链头")

    def __str__(self) -> str:
        return f"#{self.last_id} {self.hash[:12]}"


class Job(models.Model):
    """A long task (import, mining, export, document batch) run in the background with visible progress."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("进行中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    kind = models.CharField(_("类型"), max_length=64)
    title = models.CharField(_("名称"), max_length=200)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveIntegerField(_("已处理"), default=0)
    total = models.PositiveIntegerField(_("总数"), default=0)
    params = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    message = models.TextField(_("结果说明"), blank=True)
    input_file = models.FileField(upload_to="jobs/%Y/%m/", blank=True)
    output_file = models.FileField(upload_to="jobs/%Y/%m/", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(self.progress * 100 / self.total) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class ApiToken(models.Model):
    """A staff member's personal API token. Only its SHA-256 is stored; the token itself is shown once when made.

    A token speaks for its user with the user's roles of the moment (core/reads.py, core/rules.py), until it expires
    or is revoked (kept, with who revoked it, for the record). ``second_factor`` says whether it was made in a
    session that had passed the one-time code: a user who owes that code is refused with any token made without it
    (see :mod:`dianti.core.tokens`)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("用途"), max_length=100, blank=True)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(_("令牌开头"), max_length=12, blank=True)  # "dt_" and a few characters, to tell them apart
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(_("有效期至"), null=True, blank=True)
    second_factor = models.BooleanField(_("创建时已通过手机验证"), default=False)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    def __str__(self) -> str:
        return f"{self.user} · {self.name}"


class Notification(models.Model):
    """An in-app message to one user; the notification centre lists them, newest first."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("类型"), max_length=48, db_index=True)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.title


class OutboundMessage(models.Model):
    """One message for one recipient on one outbound channel (SMS, WeChat, DingTalk, 企业微信, e-mail, the log):
    recorded ``queued`` in the transaction of the act that told it, then sent by a background task
    (:mod:`dianti.core.outbound`) that retries with backoff and keeps the provider's answer."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已发送")
        DELIVERED = "delivered", _("已送达")
        FAILED = "failed", _("失败")

    channel = models.CharField(_("渠道"), max_length=32)
    kind = models.CharField(_("类型"), max_length=48)
    to_name = models.CharField(_("收件人"), max_length=100, blank=True)
    # A phone, an e-mail address, an openid or a userid: personal data, encrypted at rest like people's phones.
    to_address = EncryptedCharField(max_length=200, blank=True)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    params = models.JSONField(default=dict, blank=True)  # values for the provider's template
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(_("原因"), blank=True)  # the provider's reason (or the transport's) for the last try
    # Whom it was for, for the person's page and the staff's scope (no foreign key: the kernel imports no app).
    person_id = models.IntegerField(null=True, blank=True, db_index=True)
    user_id_to = models.IntegerField(null=True, blank=True)
    org_path = models.CharField(max_length=255, blank=True, db_index=True)
    # One notify() call is one message; its rows (recipients × channels) share the batch.
    batch = models.CharField(max_length=32, blank=True, db_index=True)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    provider_code = models.CharField(_("返回码"), max_length=64, blank=True)
    provider_id = models.CharField(_("回执编号"), max_length=128, blank=True)  # BizId, SerialNo, msgid, task_id

    class Meta:
        verbose_name = _("外发消息")
        verbose_name_plural = _("外发消息")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbound_due_idx")]

    def __str__(self) -> str:
        return f"{self.channel} → {self.to_name}: {self.title}"

    @property
    def channel_label(self) -> str:
        return str(CHANNEL_LABELS.get(self.channel, self.channel))

    @property
    def masked_address(self) -> str:
        """Return the address as staff pages show it: 139****5678, or an id or e-mail by its ends."""
        a = self.to_address
        if a.isdigit() and len(a) >= 7:
            return f"{a[:3]}****{a[-4:]}"
        return a if len(a) <= 4 else f"{a[:2]}…{a[-2:]}"

    @property
    def status_tag(self) -> str:
        return {"delivered": "green", "sent": "ok", "failed": "red"}.get(self.status, "amber")


CHANNEL_LABELS = {"log": _("站内记录"), "email": _("电子邮件"), "sms_aliyun": _("短信（阿里云）"),
                  "sms_tencent": _("短信（腾讯云）"), "wechat_mp": _("微信公众号"), "dingtalk": _("钉钉"),
                  "wecom": _("企业微信")}


class EventFailure(models.Model):
    """An on-commit subscriber of a domain event that failed (see :mod:`dianti.core.events`): kept with its payload
    so the admins of the organization see it and may run it again; resolved, never deleted."""

    event = models.CharField(_("事件"), max_length=48)
    subscriber = models.CharField(_("处理环节"), max_length=48)
    payload = models.JSONField(default=dict)
    error = models.TextField(_("错误"))
    org_path = models.CharField(max_length=255, db_index=True, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    attempts = models.PositiveIntegerField(_("尝试次数"), default=1)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        verbose_name = _("未完成的后续处理")
        verbose_name_plural = _("未完成的后续处理")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.event} → {self.subscriber}"


class DailyRun(models.Model):
    """The daily sweeps' claim for one local day (see :mod:`dianti.core.daily`): the first process to insert the
    day's row runs them; every other — another gunicorn worker, Celery beat — finds the row and does nothing."""

    day = models.DateField(_("日期"), unique=True)
    started_at = models.DateTimeField(_("开始时间"), default=timezone.now)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    results = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("每日例行处理")
        verbose_name_plural = _("每日例行处理")
        ordering = ["-day"]

    def __str__(self) -> str:
        return str(self.day)


class PhoneCode(models.Model):
    """A one-time SMS code sent to prove a phone (core/phone_codes.py): the phone and the code kept only as keyed
    hashes, valid a few minutes and for a few tries."""

    phone_hash = models.CharField(max_length=64, db_index=True)
    code_hash = models.CharField(max_length=64)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    verified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"phone code {self.pk}"
