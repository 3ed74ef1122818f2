"""One-time SMS codes that prove a phone: hashed, short-lived, a few tries, rate-limited, and never in a log."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from dianti.core import phone_codes, ratelimit
from dianti.core.channels.base import Sent
from dianti.core.models import OutboundMessage, PhoneCode

PHONE = "13812345678"


class FakeSms:
    """An SMS adapter that keeps what it was handed (the provider's side)."""

    name, medium = "sms_fake", "sms"
    sent: list = []

    def accepts(self, kind: str) -> bool:
        return kind == phone_codes.KIND

    def send(self, out):
        FakeSms.sent.append(out)
        return Sent(provider_id="fake-1")


@pytest.fixture
def sms(settings):
    FakeSms.sent = []
    settings.NOTIFY_CHANNELS = ["dianti.core.tests.test_phone_codes.FakeSms"]
    return FakeSms.sent


def _code(sms) -> str:
    return sms[-1].params["code"]


def test_a_code_proves_the_phone_once_and_only_hashes_are_stored(db, sms, caplog):
    caplog.set_level(logging.DEBUG)
    row = phone_codes.phone_code_send(phone=PHONE, ip_hash="ip1")
    code = _code(sms)
    assert re.fullmatch(r"\d{6}", code) and sms[-1].to_address == PHONE
    assert PHONE not in (row.phone_hash + row.code_hash) and code not in row.code_hash
    assert phone_codes.phone_code_check(phone=PHONE, code=code) == phone_codes.phone_key(PHONE)
    with pytest.raises(ValidationError, match="已过期或未发送"):
        phone_codes.phone_code_check(phone=PHONE, code=code)  # spent
    assert not OutboundMessage.objects.exists()  # never in the outbound log staff read
    assert code not in caplog.text and PHONE not in caplog.text and "138****5678" in caplog.text


def test_wrong_tries_are_counted_and_end_the_code(db, sms):
    phone_codes.phone_code_send(phone=PHONE)
    code = _code(sms)
    wrong = "000000" if code != "000000" else "111111"
    for left in (4, 3, 2, 1):
        with pytest.raises(ValidationError, match=f"还可以再试 {left} 次"):
            phone_codes.phone_code_check(phone=PHONE, code=wrong)
    with pytest.raises(ValidationError, match="错误次数太多"):
        phone_codes.phone_code_check(phone=PHONE, code=wrong)
    with pytest.raises(ValidationError, match="错误次数太多"):
        phone_codes.phone_code_check(phone=PHONE, code=code)  # even the right one, now


def test_a_code_expires(db, sms):
    row = phone_codes.phone_code_send(phone=PHONE)
    PhoneCode.objects.filter(pk=row.pk).update(expires_at=row.expires_at - phone_codes.CODE_TTL - timedelta(seconds=1))
    with pytest.raises(ValidationError, match="已过期"):
        phone_codes.phone_code_check(phone=PHONE, code=_code(sms))


def test_a_new_code_replaces_the_old(db, sms):
    phone_codes.phone_code_send(phone=PHONE)
    first = _code(sms)
    with ratelimit.suspended():
        phone_codes.phone_code_send(phone=PHONE)
    assert PhoneCode.objects.count() == 1
    if first != _code(sms):
        with pytest.raises(ValidationError):
            phone_codes.phone_code_check(phone=PHONE, code=first)


def test_sending_is_rate_limited_per_phone_and_per_address(db, sms):
    phone_codes.phone_code_send(phone=PHONE, ip_hash="ip1")
    with pytest.raises(ratelimit.RateLimited, match="太频繁"):
        phone_codes.phone_code_send(phone=PHONE, ip_hash="ip2")
    for n in range(9):
        phone_codes.phone_code_send(phone=f"1390000000{n}", ip_hash="ip1")
    with pytest.raises(ratelimit.RateLimited):
        phone_codes.phone_code_send(phone="13911112222", ip_hash="ip1")


def test_a_bad_phone_is_refused_in_chinese(db, sms):
    with pytest.raises(ValidationError, match="不是有效的手机号"):
        phone_codes.phone_code_send(phone="12345")
    assert not sms


def test_without_a_provider_the_code_is_shown_only_in_debug(db, settings, caplog):
    settings.NOTIFY_CHANNELS = ["dianti.core.notify.LogChannel"]
    settings.DEBUG = True
    caplog.set_level(logging.INFO, logger="dianti.core.phone_codes")
    phone_codes.phone_code_send(phone=PHONE)
    assert re.search(r"DEBUG 验证码 138\*\*\*\*5678 → \d{6}", caplog.text) and PHONE not in caplog.text
    settings.DEBUG = False
    with ratelimit.suspended(), pytest.raises(ValidationError, match="短信暂时发不出去"):
        phone_codes.phone_code_send(phone="13900001111")
