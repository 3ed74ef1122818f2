"""Outbound delivery: queued in the act's transaction, sent after commit, retried with exponential backoff on
transport errors, failed with the provider's reason on a refusal, rate-limited per channel, never sent twice, and
never in the way of the act — with nothing personal in the log."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any, ClassVar

import pytest
from django.db import transaction
from django.utils import timezone

from dianti.core import notify, outbound
from dianti.core.channels.base import Outgoing, ProviderError, Sent
from dianti.core.models import Notification, OutboundMessage

S = OutboundMessage.Status
PHONE = "13912345678"


class Flaky:
    """A channel whose next answers the test scripts: "ok", "down" (a transport error) or a ProviderError."""

    name = "flaky"
    medium = "sms"
    script: ClassVar[list[Any]] = []
    seen: ClassVar[list[Outgoing]] = []

    def accepts(self, kind: str) -> bool:
        return kind != "no_template"

    def send(self, out: Outgoing) -> Sent:
        Flaky.seen.append(out)
        step = Flaky.script.pop(0) if Flaky.script else "ok"
        if step == "down":
            raise ConnectionRefusedError("connection refused")
        if isinstance(step, ProviderError):
            raise step
        return Sent(provider_id=f"biz-{len(Flaky.seen)}", code="OK")


@pytest.fixture(autouse=True)
def flaky(settings: Any) -> type[Flaky]:
    settings.NOTIFY_CHANNELS = ["dianti.core.notify.LogChannel", "dianti.core.tests.test_outbound.Flaky"]
    settings.NOTIFY_RETRY_BASE_SECONDS, settings.NOTIFY_RETRY_MAX_SECONDS, settings.NOTIFY_MAX_ATTEMPTS = 30, 3600, 4
    settings.NOTIFY_RATE_LIMITS = {}
    settings.JOBS_BACKEND = "sync"
    Flaky.script, Flaky.seen = [], []
    return Flaky


def villager(phone: str = PHONE) -> notify.Recipient:
    return notify.Recipient(user_id=None, name="王阿姨", phone=phone)


def tell(*recipients: notify.Recipient, kind: str = "opinion_chosen", capture: Any) -> None:
    with capture(execute=True), transaction.atomic():
        notify.notify(list(recipients), notify.Message(kind=kind, title="您反映的问题已被确定为述职题目",
                                                        body="王阿姨反映的路灯问题", params={"topic": "路灯"}))


@pytest.mark.django_db
def test_notify_records_one_queued_row_per_recipient_and_channel_in_the_transaction() -> None:
    with transaction.atomic():
        notify.notify([villager(), villager("13800000000")], notify.Message(kind="k", title="t"))
        rows = list(OutboundMessage.objects.order_by("channel", "id"))
    assert [(r.channel, r.status) for r in rows] == [("flaky", S.QUEUED)] * 2 + [("log", S.QUEUED)] * 2
    assert len({r.batch for r in rows}) == 1  # one message


@pytest.mark.django_db
def test_a_rolled_back_act_tells_nobody(django_user_model: Any) -> None:
    user = django_user_model.objects.create_user("u1")
    with pytest.raises(RuntimeError), transaction.atomic():
        notify.notify([notify.Recipient(user_id=user.pk, name="u", phone=PHONE)], notify.Message(kind="k", title="t"))
        raise RuntimeError("the act failed")
    assert not OutboundMessage.objects.exists() and not Notification.objects.exists()


@pytest.mark.django_db
def test_after_commit_each_row_is_sent_and_keeps_the_providers_id(django_capture_on_commit_callbacks: Any) -> None:
    tell(villager(), capture=django_capture_on_commit_callbacks)
    sms = OutboundMessage.objects.get(channel="flaky")
    assert (sms.status, sms.provider_id, sms.attempts) == (S.SENT, "biz-1", 1)
    assert Flaky.seen[0].params == {"topic": "路灯"} and Flaky.seen[0].to_address == PHONE
    assert OutboundMessage.objects.get(channel="log").status == S.DELIVERED


@pytest.mark.django_db
def test_a_kind_the_channel_cannot_carry_gets_no_row_there(django_capture_on_commit_callbacks: Any) -> None:
    tell(villager(), kind="no_template", capture=django_capture_on_commit_callbacks)
    assert list(OutboundMessage.objects.values_list("channel", flat=True)) == ["log"]


@pytest.mark.django_db
def test_a_provider_down_is_retried_with_exponential_backoff_then_sent(
        django_capture_on_commit_callbacks: Any) -> None:
    Flaky.script = ["down", "down", "ok"]
    tell(villager(), capture=django_capture_on_commit_callbacks)  # the act commits although the provider is down
    row = OutboundMessage.objects.get(channel="flaky")
    assert (row.status, row.attempts, row.provider_code) == (S.QUEUED, 1, "TRANSPORT")
    first_wait = row.next_attempt_at - timezone.now()
    assert timedelta(seconds=25) < first_wait <= timedelta(seconds=30)
    assert outbound.deliver_due() == 0  # not due yet: nothing is attempted early
    outbound.deliver_due(now=row.next_attempt_at)
    row.refresh_from_db()
    assert (row.status, row.attempts) == (S.QUEUED, 2)
    second_at = row.next_attempt_at
    outbound.deliver_due(now=second_at)
    row.refresh_from_db()
    assert (row.status, row.attempts, row.error) == (S.SENT, 3, "")
    assert len(Flaky.seen) == 3
    # base 30 s, then 60 s: the waits double.
    assert outbound.backoff(1) == 30 and outbound.backoff(2) == 60 and outbound.backoff(3) == 120


@pytest.mark.django_db
def test_a_provider_down_for_good_fails_after_the_last_attempt_with_the_reason(
        django_capture_on_commit_callbacks: Any) -> None:
    Flaky.script = ["down"] * 10
    tell(villager(), capture=django_capture_on_commit_callbacks)
    row = OutboundMessage.objects.get(channel="flaky")
    while row.status == S.QUEUED:
        outbound.deliver_due(now=row.next_attempt_at)
        row.refresh_from_db()
    assert (row.status, row.attempts) == (S.FAILED, 4)
    assert row.error.startswith("重试 4 次后仍失败：ConnectionRefusedError")


@pytest.mark.django_db
def test_a_refusal_fails_at_once_with_the_providers_code_and_reason(
        django_capture_on_commit_callbacks: Any) -> None:
    Flaky.script = [ProviderError("isv.BUSINESS_LIMIT_CONTROL", "触发号码天级流控")]
    tell(villager(), capture=django_capture_on_commit_callbacks)
    row = OutboundMessage.objects.get(channel="flaky")
    assert (row.status, row.provider_code, row.error, row.attempts) == (
        S.FAILED, "isv.BUSINESS_LIMIT_CONTROL", "触发号码天级流控", 1)


@pytest.mark.django_db
def test_the_rate_limit_holds_messages_back_without_spending_attempts(
        settings: Any, django_capture_on_commit_callbacks: Any) -> None:
    settings.NOTIFY_RATE_LIMITS = {"flaky": (2, 60)}
    phones = [f"1390000000{i}" for i in range(3)]
    tell(*[villager(p) for p in phones], capture=django_capture_on_commit_callbacks)
    rows = list(OutboundMessage.objects.filter(channel="flaky").order_by("id"))
    assert [r.status for r in rows] == [S.SENT, S.SENT, S.QUEUED]
    held = rows[2]
    assert (held.attempts, held.provider_code) == (0, "RATE_LIMITED") and len(Flaky.seen) == 2


@pytest.mark.django_db
def test_a_row_is_attempted_once_even_when_two_workers_reach_for_it(
        django_capture_on_commit_callbacks: Any) -> None:
    with transaction.atomic():
        notify.notify([villager()], notify.Message(kind="k", title="t"))
    row = OutboundMessage.objects.get(channel="flaky")
    assert outbound.deliver(row.pk) == S.SENT
    assert outbound.deliver(row.pk) == "skipped"
    assert len(Flaky.seen) == 1


@pytest.mark.django_db
def test_a_row_whose_worker_died_mid_send_is_swept_again_later() -> None:
    with transaction.atomic():
        notify.notify([villager()], notify.Message(kind="k", title="t"))
    row = OutboundMessage.objects.get(channel="flaky")
    OutboundMessage.objects.filter(pk=row.pk).update(status=S.SENDING, next_attempt_at=timezone.now())
    outbound.deliver_due(now=timezone.now() + timedelta(seconds=1))
    row.refresh_from_db()
    assert row.status == S.SENT


@pytest.mark.django_db
def test_the_log_never_holds_a_phone_number_or_a_body(caplog: Any, django_capture_on_commit_callbacks: Any) -> None:
    caplog.set_level(logging.DEBUG)
    Flaky.script = ["down", ProviderError("40003", "invalid openid")]
    tell(villager(), capture=django_capture_on_commit_callbacks)
    outbound.deliver_due(now=timezone.now() + timedelta(hours=1))
    text = caplog.text
    assert "flaky" in text  # the attempts were logged …
    assert PHONE not in text and PHONE[-4:] not in text and "王阿姨" not in text and "路灯" not in text


@pytest.mark.django_db
def test_the_retention_sweep_empties_the_address_and_body_of_messages_long_ended(
        django_capture_on_commit_callbacks: Any) -> None:
    from dianti.core import retention

    tell(villager(), capture=django_capture_on_commit_callbacks)
    assert retention.sweep()["outbound"] == 0  # just sent: kept
    later = timezone.now() + timedelta(days=181)
    assert retention.sweep(now=later)["outbound"] == 2
    row = OutboundMessage.objects.get(channel="flaky")
    assert (row.to_address, row.body, row.params, row.to_name) == ("", "", {}, "")
    assert (row.status, row.title, row.provider_id) == (S.SENT, "您反映的问题已被确定为述职题目", "biz-1")


@pytest.mark.django_db
def test_with_celery_each_row_is_a_task_on_the_urgent_queue_and_a_retry_one_with_a_countdown(
        settings: Any, monkeypatch: Any, django_capture_on_commit_callbacks: Any) -> None:
    from dianti.celery import app

    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(app, "send_task", lambda name, args=(), **kw: calls.append({"name": name, "args": args, **kw}))
    settings.JOBS_BACKEND = "celery"
    tell(villager(), capture=django_capture_on_commit_callbacks)
    rows = list(OutboundMessage.objects.order_by("id").values_list("pk", flat=True))
    assert calls == [{"name": "dianti.deliver_outbound", "args": (pk,), "queue": "urgent", "countdown": None}
                     for pk in rows]
    Flaky.script = ["down"]
    outbound.deliver(rows[1])  # what the worker's task does: the provider is down
    assert calls[-1] == {"name": "dianti.deliver_outbound", "args": (rows[1],), "queue": "urgent", "countdown": 30.0}
    assert app.amqp.router.route({}, "dianti.deliver_outbound")["queue"].name == "urgent"


@pytest.mark.django_db
def test_with_the_broker_down_the_rows_stay_queued_for_the_sweep(
        settings: Any, monkeypatch: Any, django_capture_on_commit_callbacks: Any) -> None:
    from dianti.celery import app

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise ConnectionRefusedError("redis is down")

    monkeypatch.setattr(app, "send_task", refuse)
    settings.JOBS_BACKEND = "celery"
    tell(villager(), capture=django_capture_on_commit_callbacks)  # the act is not disturbed
    assert set(OutboundMessage.objects.values_list("status", flat=True)) == {S.QUEUED}
    settings.JOBS_BACKEND = "sync"
    assert outbound.deliver_due(now=timezone.now() + timedelta(minutes=2)) == 2
    assert not OutboundMessage.objects.filter(status=S.QUEUED).exists()
