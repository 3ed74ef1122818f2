"""Proving a phone without an account: a one-time code by SMS, typed back within a few minutes.

Where a county turns it on, a named opinion or a "我也关心" counts as a verified person once the phone it gives has
been proved. The code is six digits, drawn with :mod:`secrets`; only keyed hashes of the phone and of the code are
stored (:class:`~dianti.core.models.PhoneCode`), and neither is ever logged — logs show the phone masked
(``138****5678``). Sending is rate-limited per phone and per address (:mod:`.ratelimit`); a code expires after
:data:`CODE_TTL` and dies after :data:`MAX_ATTEMPTS` wrong tries.

The code goes straight to the configured SMS adapters (:mod:`.channels.sms`), not through the outbound log: that
log is read by staff and kept for months, and a code has no business there. Without an SMS provider (``make run``)
and with ``DEBUG`` on, the code is written to the console log for the tester and nowhere else; without a provider
and without ``DEBUG`` nothing can be sent and the person is told so.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from . import ratelimit
from .channels.base import Outgoing, ProviderError, channels
from .models import PhoneCode

log = logging.getLogger(__name__)

KIND = "phone_code"  # the message kind whose SMS template carries the code (settings.NOTIFY_TEMPLATES)
CODE_TTL = timedelta(minutes=5)
MAX_ATTEMPTS = 5
PER_PHONE = ((1, 60), (5, 3600), (10, 86400))  # (codes, seconds) sent to one phone
PER_ADDRESS = ((10, 3600), (30, 86400))  # (codes, seconds) asked for from one address
_PHONE = re.compile(r"^1[3-9]\d{9}$")


def mask(phone: str) -> str:
    """Return the phone as logs and pages may show it: 138****5678."""
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 7 else "****"


def phone_key(phone: str) -> str:
    """Return the keyed hash that stands for ``phone`` (the same one opinions count people by)."""
    return ratelimit.digest(f"phone:{phone}")


def _code_hash(phone_hash: str, code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"code:{phone_hash}:{code}".encode(), hashlib.sha256).hexdigest()


def clean_phone(phone: str) -> str:
    phone = (phone or "").strip().replace(" ", "").replace("-", "")
    if not _PHONE.match(phone):
        raise ValidationError({"phone": "不是有效的手机号（应为以1开头的11位数字）"})
    return phone


def _within_limits(phone_hash: str, ip_hash: str) -> None:
    for limit, window in PER_PHONE:
        if not ratelimit.allow(f"phone_code:phone:{window}", phone_hash, limit, window):
            raise ratelimit.RateLimited("验证码发送太频繁了，请稍后再试" if window == 60
                                        else "这个手机号今天收到的验证码已经够多了，请稍后再试或匿名提交")
    for limit, window in PER_ADDRESS:
        if ip_hash and not ratelimit.allow(f"phone_code:ip:{window}", ip_hash, limit, window):
            raise ratelimit.RateLimited("提交太频繁了，请稍后再试")


def _deliver(phone: str, code: str) -> None:
    """Hand the code to every SMS adapter that has a template for it; in DEBUG without one, to the console."""
    out = Outgoing(kind=KIND, title="验证码", body=f"您的验证码是 {code}，{CODE_TTL.seconds // 60} 分钟内有效。",
                   url="", to_name="", to_address=phone, params={"code": code})
    sms = [c for c in channels() if c.medium == "sms" and c.accepts(KIND)]
    for channel in sms:
        try:
            channel.send(out)
        except ProviderError as exc:
            log.warning("phone code to %s not sent by %s: %s", mask(phone), channel.name, exc.code)
            continue
        log.info("phone code sent to %s by %s", mask(phone), channel.name)
        return
    if not sms and settings.DEBUG:
        # Development only (make run, the demo): the tester reads the code here. Never in production logs.
        log.warning("DEBUG 验证码 %s → %s（未配置短信服务，仅开发模式显示）", mask(phone), code)
        return
    raise ValidationError({"phone": "短信暂时发不出去，请稍后再试，或不留手机号匿名提交"})


def phone_code_send(*, phone: str, ip_hash: str = "") -> PhoneCode:
    """Send a new code to ``phone`` (an earlier unused one dies); raise RateLimited when asked too often."""
    phone = clean_phone(phone)
    phone_hash = phone_key(phone)
    _within_limits(phone_hash, ip_hash)
    code = f"{secrets.randbelow(10**6):06d}"
    with transaction.atomic():
        PhoneCode.objects.filter(phone_hash=phone_hash, verified_at__isnull=True).delete()
        row = PhoneCode.objects.create(phone_hash=phone_hash, code_hash=_code_hash(phone_hash, code),
                                       expires_at=timezone.now() + CODE_TTL)
    _deliver(phone, code)
    return row


def phone_code_check(*, phone: str, code: str) -> str:
    """Check the code typed for ``phone``; return the phone's key (:func:`phone_key`) once proved, or raise a
    ValidationError that says what to do. A code proves once; wrong tries count against it."""
    phone = clean_phone(phone)
    phone_hash = phone_key(phone)
    code = (code or "").strip()
    with transaction.atomic():  # the wrong try is counted even though the answer is a refusal
        problem = _try(phone_hash, code)
    if problem:
        raise ValidationError({"code": problem})
    return phone_hash


def _try(phone_hash: str, code: str) -> str:
    """Spend one try of the phone's live code; return "" when it matches, else what to tell the person."""
    row = (PhoneCode.objects.select_for_update().filter(phone_hash=phone_hash, verified_at__isnull=True)
           .order_by("-created_at").first())
    if row is None or row.expires_at <= timezone.now():
        return "验证码已过期或未发送，请重新获取"
    if row.attempts >= MAX_ATTEMPTS:
        return "验证码错误次数太多，请重新获取"
    if not hmac.compare_digest(row.code_hash, _code_hash(phone_hash, code)):
        PhoneCode.objects.filter(pk=row.pk).update(attempts=row.attempts + 1)
        left = MAX_ATTEMPTS - row.attempts - 1
        return f"验证码不对，还可以再试 {left} 次" if left else "验证码错误次数太多，请重新获取"
    row.verified_at = timezone.now()
    row.save(update_fields=["verified_at"])
    return ""
