"""The demo's outbound channels: the 通元镇 secretary's SMS (verified) and WeChat (waiting to be verified), the point
staff's 企业微信 (verified) and DingTalk (opted out) — and, since ``make run`` has no provider keys and sends only to
the log channel, three earlier text messages to the secretary as a provider would have answered them (delivered,
sent, refused for the daily limit), so the person's page shows what each status looks like."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.utils import timezone

from dianti.core.models import OutboundMessage

from . import channels
from .models import Person, PersonChannel

M = PersonChannel.Medium
S = OutboundMessage.Status


def load(secretary: Person | None, point_staff: Person | None) -> None:
    if secretary is not None and secretary.phone and not secretary.channels.exists():
        channels.person_channel_set(actor=None, person=secretary, medium=M.SMS, address=secretary.phone,
                                    verified=True)
        channels.person_channel_set(actor=None, person=secretary, medium=M.WECHAT, address="oDemo_wx_5f3a9c21")
        _history(secretary)
    if point_staff is not None and not point_staff.channels.exists():
        channels.person_channel_set(actor=None, person=point_staff, medium=M.WECOM, address="TongyuanLianluo",
                                    verified=True)
        opted = channels.person_channel_set(actor=None, person=point_staff, medium=M.DINGTALK,
                                            address="ding_lianluo_01", verified=True)
        channels.person_channel_opt(actor=None, channel=opted, opted_out=True)


def _history(person: Person) -> None:
    tz = timezone.get_current_timezone()
    answers: list[tuple[dt.datetime, str, str, str, str, dict[str, Any]]] = [
        (dt.datetime(2019, 5, 28, 7, 0, tzinfo=tz), "deadline", "2019年度点题述职：“点题”阶段将于 2019-05-31 截止",
         S.DELIVERED, "DELIVERED", {"attempts": 1}),
        (dt.datetime(2019, 6, 3, 10, 12, tzinfo=tz), "topic_assigned", "您的述职题目：村口道路照明改造", S.SENT, "OK",
         {"attempts": 2}),
        (dt.datetime(2019, 12, 20, 7, 0, tzinfo=tz), "rectification_reminder", "整改期限临近：通元党整〔2019〕3号",
         S.FAILED, "isv.BUSINESS_LIMIT_CONTROL", {"attempts": 1, "error": "触发号码天级流控Permits:10"}),
    ]
    for at, kind, title, status, code, extra in answers:
        row = OutboundMessage.objects.create(
            channel="sms_aliyun", kind=kind, to_name=person.name, to_address=person.phone, title=title,
            person_id=person.pk, org_path=person.org_path, batch=uuid.uuid4().hex, status=status,
            provider_code=code, provider_id=f"demo{at:%Y%m%d}^0", sent_at=at, finished_at=at, **extra)
        OutboundMessage.objects.filter(pk=row.pk).update(created_at=at)  # auto_now_add: set the past date after
