"""Each provider's adapter against its local fake (dianti.testing.fakes): the signature the fake recomputes from the
documentation (a wrong secret fails), the template and its parameters, the provider's errors mapped to a failed
message with its code and reason or to a retry, access tokens fetched once and refreshed once when refused, and a
provider down losing nothing."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from dianti.core import notify, outbound
from dianti.core.channels import signing
from dianti.core.channels.base import Outgoing, ProviderError
from dianti.core.channels.im import DingTalk, WeChatMp, WeCom
from dianti.core.channels.sms import AliyunSms, TencentSms
from dianti.core.models import OutboundMessage
from dianti.testing.fakes import FakeAliyunSms, FakeDingTalk, FakeTencentSms, FakeWeChat, FakeWeCom

S = OutboundMessage.Status
PHONE = "13912345678"
TEMPLATES = {"sms_aliyun": {"opinion_chosen": ["SMS_900001", ["org", "topic"]]},
             "sms_tencent": {"opinion_chosen": ["2100001", ["org", "topic"]]},
             "wechat_mp": {"deadline": ["tpl-deadline", ["title", "due"]]}}


def out(kind: str = "opinion_chosen", to: str = PHONE, **params: str) -> Outgoing:
    return Outgoing(kind=kind, title="您反映的问题已被确定为述职题目", body="王阿姨：通元村书记将围绕“路灯”述职。",
                    url="/v/t/ABCD2345/", to_name="王阿姨", to_address=to,
                    params=params or {"org": "通元村", "topic": "路灯"})


@pytest.fixture(autouse=True)
def templates(settings: Any) -> None:
    settings.NOTIFY_TEMPLATES = TEMPLATES
    settings.NOTIFY_HTTP_TIMEOUT = 2
    settings.NOTIFY_SITE_URL = "https://dianti.example.gov.cn"
    cache.clear()


@pytest.fixture
def aliyun_fake() -> Iterator[FakeAliyunSms]:
    fake = FakeAliyunSms(key_id="LTAI-test", secret="aliyun-secret", sign_name="海盐组工",
                         templates={"SMS_900001": ["org", "topic"]})
    yield fake
    fake.close()


def aliyun(fake: FakeAliyunSms, secret: str = "aliyun-secret") -> AliyunSms:
    return AliyunSms({"access_key_id": "LTAI-test", "access_key_secret": secret, "sign_name": "海盐组工",
                      "endpoint": f"{fake.url}/", "region": "cn-hangzhou"})


@pytest.fixture
def tencent_fake() -> Iterator[FakeTencentSms]:
    fake = FakeTencentSms(secret_id="AKID-test", secret_key="tencent-secret", app_id="1400006666",
                          sign_name="海盐组工", templates={"2100001": 2})
    yield fake
    fake.close()


def tencent(fake: FakeTencentSms, secret: str = "tencent-secret") -> TencentSms:
    return TencentSms({"secret_id": "AKID-test", "secret_key": secret, "sdk_app_id": "1400006666",
                       "sign_name": "海盐组工", "endpoint": f"{fake.url}/", "region": "ap-guangzhou"})


# ── Signatures: the documentation's worked examples ──────────────────────────────────────────────────────────────

def test_aliyun_signature_matches_the_worked_example_of_the_sms_documentation() -> None:
    params = {"AccessKeyId": "testId", "Action": "SendSms", "Format": "XML", "OutId": "123",
              "PhoneNumbers": "15300000001", "RegionId": "cn-hangzhou", "SignName": "阿里云短信测试专用",
              "SignatureMethod": "HMAC-SHA1", "SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466",
              "SignatureVersion": "1.0", "TemplateCode": "SMS_71390007", "TemplateParam": '{"customer":"test"}',
              "Timestamp": "2017-07-12T02:42:19Z", "Version": "2017-05-25"}
    assert signing.aliyun_signature("GET", params, "testSecret") == "zJDF+Lrzhj/ThnlvIToysFRq6t4="


def test_tc3_signature_matches_the_worked_example_of_the_api3_documentation() -> None:
    payload = '{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}'
    auth = signing.tc3_authorization(secret_id="AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
                                     secret_key="Gu5t9xGARNpq86cd98joQYCN3EXAMPLE", service="cvm",
                                     host="cvm.tencentcloudapi.com", payload=payload, timestamp=1551113065)
    assert auth.endswith("Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168")
    assert "Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request" in auth


# ── Alibaba Cloud SMS ────────────────────────────────────────────────────────────────────────────────────────────

def test_aliyun_sends_the_template_with_its_parameters(aliyun_fake: FakeAliyunSms) -> None:
    sent = aliyun(aliyun_fake).send(out())
    assert sent.code == "OK" and sent.provider_id == aliyun_fake.sent[0]["biz"]
    assert aliyun_fake.sent == [{"phone": PHONE, "template": "SMS_900001", "params": {"org": "通元村", "topic": "路灯"},
                                 "biz": sent.provider_id}]


def test_aliyun_with_a_wrong_secret_is_refused_by_the_signature_check(aliyun_fake: FakeAliyunSms) -> None:
    with pytest.raises(ProviderError) as exc:
        aliyun(aliyun_fake, secret="not-the-secret").send(out())
    assert exc.value.code == "SignatureDoesNotMatch" and not exc.value.retry and not aliyun_fake.sent


def test_aliyun_business_limit_is_a_failure_with_the_providers_reason(aliyun_fake: FakeAliyunSms) -> None:
    aliyun_fake.queue_error("isv.BUSINESS_LIMIT_CONTROL", "触发号码天级流控Permits:10")
    with pytest.raises(ProviderError) as exc:
        aliyun(aliyun_fake).send(out())
    assert (exc.value.code, exc.value.reason, exc.value.retry) == (
        "isv.BUSINESS_LIMIT_CONTROL", "触发号码天级流控Permits:10", False)


def test_aliyun_template_parameters_must_match_the_approved_template(settings: Any,
                                                                      aliyun_fake: FakeAliyunSms) -> None:
    settings.NOTIFY_TEMPLATES = {"sms_aliyun": {"opinion_chosen": ["SMS_900001", ["topic"]]}}
    with pytest.raises(ProviderError) as exc:
        aliyun(aliyun_fake).send(out())
    assert exc.value.code == "isv.TEMPLATE_MISSING_PARAMETERS"


def test_aliyun_system_error_and_a_provider_outage_are_retried(aliyun_fake: FakeAliyunSms) -> None:
    aliyun_fake.queue_error("isp.SYSTEM_ERROR", "系统错误")
    aliyun_fake.queue_answer(b"<html>Service Unavailable</html>", status=503)
    for _ in range(2):
        with pytest.raises(ProviderError) as exc:
            aliyun(aliyun_fake).send(out())
        assert exc.value.retry


def test_an_sms_channel_carries_only_kinds_with_a_template(aliyun_fake: FakeAliyunSms) -> None:
    channel = aliyun(aliyun_fake)
    assert channel.accepts("opinion_chosen") and not channel.accepts("deadline")


# ── Tencent Cloud SMS ────────────────────────────────────────────────────────────────────────────────────────────

def test_tencent_sends_the_template_with_its_parameters_in_order(tencent_fake: FakeTencentSms) -> None:
    sent = tencent(tencent_fake).send(out())
    assert sent.provider_id.startswith("2640:")
    assert tencent_fake.sent[0]["phone"] == f"+86{PHONE}" and tencent_fake.sent[0]["params"] == ["通元村", "路灯"]


def test_tencent_with_a_wrong_secret_fails_the_tc3_check(tencent_fake: FakeTencentSms) -> None:
    with pytest.raises(ProviderError) as exc:
        tencent(tencent_fake, secret="wrong").send(out())
    assert exc.value.code == "AuthFailure.SignatureFailure" and not exc.value.retry


def test_tencent_per_number_daily_limit_is_a_failure_and_internal_error_a_retry(
        tencent_fake: FakeTencentSms) -> None:
    tencent_fake.number_errors.append(("LimitExceeded.PhoneNumberDailyLimit",
                                       "the number of sms messages sent from a single mobile number every day "
                                       "exceeds the upper limit"))
    with pytest.raises(ProviderError) as exc:
        tencent(tencent_fake).send(out())
    assert exc.value.code == "LimitExceeded.PhoneNumberDailyLimit" and not exc.value.retry
    tencent_fake.queue_error("InternalError.Timeout", "请求下发短信超时")
    with pytest.raises(ProviderError) as exc:
        tencent(tencent_fake).send(out())
    assert exc.value.retry


# ── WeChat Official Account, DingTalk, 企业微信 ──────────────────────────────────────────────────────────────────

@pytest.fixture
def wechat_fake() -> Iterator[FakeWeChat]:
    fake = FakeWeChat(app_id="wx-app", secret="wx-secret", users={"openid-wang"},
                      templates={"tpl-deadline": ["title", "due"]})
    yield fake
    fake.close()


def wechat(fake: FakeWeChat, secret: str = "wx-secret", mode: str = "template") -> WeChatMp:
    return WeChatMp({"app_id": "wx-app", "app_secret": secret, "endpoint": fake.url, "mode": mode})


def deadline_for(to: str) -> Outgoing:
    return out(kind="deadline", to=to, title="2026年点题述职", due="2026年12月10日")


@pytest.mark.django_db
def test_wechat_sends_the_template_and_fetches_the_token_once(wechat_fake: FakeWeChat) -> None:
    channel = wechat(wechat_fake)
    channel.send(deadline_for("openid-wang"))
    channel.send(deadline_for("openid-wang"))
    assert wechat_fake.tokens_issued == 1 and len(wechat_fake.sent) == 2
    body = wechat_fake.sent[0]["body"]
    assert body["data"] == {"title": {"value": "2026年点题述职"}, "due": {"value": "2026年12月10日"}}
    assert body["url"] == "https://dianti.example.gov.cn/v/t/ABCD2345/"


@pytest.mark.django_db
def test_wechat_invalid_token_40001_is_refreshed_and_retried_once(wechat_fake: FakeWeChat) -> None:
    channel = wechat(wechat_fake)
    channel.send(deadline_for("openid-wang"))
    wechat_fake.expire_tokens()
    channel.send(deadline_for("openid-wang"))
    assert wechat_fake.tokens_issued == 2 and len(wechat_fake.sent) == 2
    # A token refused twice in a row is not retried a third time.
    wechat_fake.queue_error(40001, "invalid credential")
    wechat_fake.queue_error(40001, "invalid credential")
    with pytest.raises(ProviderError) as exc:
        channel.send(deadline_for("openid-wang"))
    assert exc.value.code == "40001"


@pytest.mark.django_db
def test_wechat_subscribe_mode_uses_bizsend_and_an_unknown_openid_fails(wechat_fake: FakeWeChat) -> None:
    wechat(wechat_fake, mode="subscribe").send(deadline_for("openid-wang"))
    assert wechat_fake.sent[0]["path"] == "/cgi-bin/message/subscribe/bizsend" and "page" in wechat_fake.sent[0]["body"]
    with pytest.raises(ProviderError) as exc:
        wechat(wechat_fake).send(deadline_for("openid-nobody"))
    assert (exc.value.code, exc.value.reason) == ("40003", "invalid openid")


@pytest.mark.django_db
def test_wechat_wrong_secret_fails_at_the_token(wechat_fake: FakeWeChat) -> None:
    with pytest.raises(ProviderError) as exc:
        wechat(wechat_fake, secret="wrong").send(deadline_for("openid-wang"))
    assert exc.value.code == "40125" and not wechat_fake.sent


@pytest.fixture
def dingtalk_fake() -> Iterator[FakeDingTalk]:
    fake = FakeDingTalk(app_id="ding-key", secret="ding-secret", agent_id=2233, users={"manager4220"})
    yield fake
    fake.close()


@pytest.mark.django_db
def test_dingtalk_sends_a_work_notification_and_refreshes_a_refused_token(dingtalk_fake: FakeDingTalk) -> None:
    channel = DingTalk({"app_key": "ding-key", "app_secret": "ding-secret", "agent_id": "2233",
                        "endpoint": dingtalk_fake.url})
    sent = channel.send(out(to="manager4220"))
    body = dingtalk_fake.sent[0]["body"]
    assert sent.provider_id == str(dingtalk_fake.sent[0]["msgid"]) and body["userid_list"] == "manager4220"
    assert body["msg"]["text"]["content"].startswith("【点题述职】您反映的问题")
    dingtalk_fake.expire_tokens()
    channel.send(out(to="manager4220"))
    assert dingtalk_fake.tokens_issued == 2
    dingtalk_fake.queue_error(-1, "系统繁忙")
    with pytest.raises(ProviderError) as exc:
        channel.send(out(to="manager4220"))
    assert exc.value.retry
    with pytest.raises(ProviderError) as exc:
        channel.send(out(to="someone-else"))
    assert exc.value.code == "33012" and not exc.value.retry


@pytest.mark.django_db
def test_wecom_sends_an_application_message_and_an_unknown_user_fails() -> None:
    fake = FakeWeCom(app_id="ww-corp", secret="ww-secret", agent_id=1000002, users={"ZhangSan"})
    try:
        channel = WeCom({"corp_id": "ww-corp", "corp_secret": "ww-secret", "agent_id": "1000002",
                         "endpoint": fake.url})
        assert channel.send(out(to="ZhangSan")).provider_id.startswith("msg")
        assert fake.sent[0]["body"]["touser"] == "ZhangSan" and fake.sent[0]["body"]["agentid"] == 1000002
        with pytest.raises(ProviderError) as exc:
            channel.send(out(to="LiSi"))
        assert (exc.value.code, exc.value.reason) == ("81013", "user & party & tag all invalid")
        bad = WeCom({"corp_id": "ww-corp", "corp_secret": "wrong", "agent_id": "1000002", "endpoint": fake.url})
        cache.clear()
        with pytest.raises(ProviderError) as exc:
            bad.send(out(to="ZhangSan"))
        assert exc.value.code == "40001"
    finally:
        fake.close()


# ── Through the queue: errors kept on the message, a provider down losing nothing, nothing personal logged ─────

@pytest.fixture
def via_aliyun(settings: Any, aliyun_fake: FakeAliyunSms) -> FakeAliyunSms:
    settings.NOTIFY_CHANNELS = ["dianti.core.channels.sms.AliyunSms"]
    settings.NOTIFY_PROVIDERS = {**settings.NOTIFY_PROVIDERS, "sms_aliyun": {
        "access_key_id": "LTAI-test", "access_key_secret": "aliyun-secret", "sign_name": "海盐组工",
        "endpoint": f"{aliyun_fake.url}/", "region": "cn-hangzhou"}}
    settings.NOTIFY_RATE_LIMITS, settings.JOBS_BACKEND = {}, "sync"
    return aliyun_fake


def tell_villager(capture: Any) -> OutboundMessage:
    with capture(execute=True), transaction.atomic():
        notify.notify([notify.Recipient(user_id=None, name="王阿姨", phone=PHONE)],
                      notify.Message(kind="opinion_chosen", title="您反映的问题已被确定为述职题目",
                                     body="王阿姨：通元村书记将围绕“路灯”述职。", params={"org": "通元村", "topic": "路灯"}))
    return OutboundMessage.objects.get()


@pytest.mark.django_db
def test_a_refusal_is_kept_on_the_message_as_failed_with_the_providers_code(
        via_aliyun: FakeAliyunSms, django_capture_on_commit_callbacks: Any) -> None:
    via_aliyun.queue_error("isv.BUSINESS_LIMIT_CONTROL", "触发号码天级流控Permits:10")
    row = tell_villager(django_capture_on_commit_callbacks)
    assert (row.status, row.provider_code, row.error) == (S.FAILED, "isv.BUSINESS_LIMIT_CONTROL",
                                                          "触发号码天级流控Permits:10")


@pytest.mark.django_db
def test_a_provider_down_loses_nothing_and_the_message_goes_out_when_it_is_back(
        settings: Any, via_aliyun: FakeAliyunSms, django_capture_on_commit_callbacks: Any) -> None:
    via_aliyun.close()  # the provider is down: connection refused
    row = tell_villager(django_capture_on_commit_callbacks)
    assert (row.status, row.provider_code, row.attempts) == (S.QUEUED, "TRANSPORT", 1)
    back = FakeAliyunSms(key_id="LTAI-test", secret="aliyun-secret", sign_name="海盐组工",
                         templates={"SMS_900001": ["org", "topic"]})
    try:
        settings.NOTIFY_PROVIDERS["sms_aliyun"]["endpoint"] = f"{back.url}/"
        outbound.deliver_due(now=timezone.now() + timedelta(minutes=5))
        row.refresh_from_db()
        assert (row.status, row.attempts, row.provider_id) == (S.SENT, 2, back.sent[0]["biz"])
    finally:
        back.close()


@pytest.mark.django_db
def test_nothing_personal_reaches_the_log_whatever_the_provider_answers(
        caplog: Any, via_aliyun: FakeAliyunSms, django_capture_on_commit_callbacks: Any) -> None:
    caplog.set_level(logging.DEBUG)
    via_aliyun.queue_answer(b"oops", status=500)
    via_aliyun.queue_error("isv.MOBILE_NUMBER_ILLEGAL", "非法手机号")
    tell_villager(django_capture_on_commit_callbacks)
    outbound.deliver_due(now=timezone.now() + timedelta(minutes=5))
    assert "sms_aliyun" in caplog.text
    for secret in (PHONE, PHONE[-4:], "王阿姨", "路灯", "aliyun-secret"):
        assert secret not in caplog.text


# ── Delivery receipts and timeouts ─────────────────────────────────────────────────────────────────────────────

@pytest.mark.django_db
def test_receipts_turn_sent_messages_delivered_or_failed(settings: Any, client: Any, via_aliyun: FakeAliyunSms,
                                                         django_capture_on_commit_callbacks: Any) -> None:
    settings.NOTIFY_RECEIPT_TOKEN = "receipt-secret"
    row = tell_villager(django_capture_on_commit_callbacks)
    assert row.status == S.SENT
    report = [{"phone_number": PHONE, "send_time": "2026-12-07 09:00:00", "report_time": "2026-12-07 09:00:05",
               "success": True, "err_code": "DELIVERED", "err_msg": "用户接收成功", "sms_size": "1",
               "biz_id": row.provider_id, "out_id": ""}]
    url = "/outbound/receipts/sms_aliyun/receipt-secret/"
    answer = client.post(url, report, content_type="application/json")
    assert answer.json() == {"code": 0, "msg": "接收成功"}
    row.refresh_from_db()
    assert (row.status, row.provider_code) == (S.DELIVERED, "DELIVERED")
    assert client.post("/outbound/receipts/sms_aliyun/guess/", report, content_type="application/json").status_code == 404
    assert client.post(url, "not json", content_type="application/json").status_code == 400


@pytest.mark.django_db
def test_a_tencent_receipt_of_a_failure_keeps_the_carriers_reason(settings: Any, client: Any) -> None:
    settings.NOTIFY_RECEIPT_TOKEN = "receipt-secret"
    row = OutboundMessage.objects.create(channel="sms_tencent", kind="k", title="t", to_address=PHONE,
                                         status=S.SENT, provider_id="2640:42")
    client.post("/outbound/receipts/sms_tencent/receipt-secret/", [
        {"user_receive_time": "2026-12-07 09:00:05", "nationcode": "86", "mobile": PHONE, "report_status": "FAIL",
         "errmsg": "MK:0001", "description": "用户空号", "sid": "2640:42"}], content_type="application/json")
    row.refresh_from_db()
    assert (row.status, row.provider_code, row.error) == (S.FAILED, "MK:0001", "用户空号")


@pytest.mark.django_db
def test_guessing_the_receipts_secret_is_cut_off_and_a_replayed_or_reversed_receipt_changes_nothing(
        settings: Any, client: Any) -> None:
    from dianti.core import views_outbound

    settings.NOTIFY_RECEIPT_TOKEN = "receipt-secret"
    row = OutboundMessage.objects.create(channel="sms_tencent", kind="k", title="t", to_address=PHONE,
                                         status=S.SENT, provider_id="2640:43")
    url = "/outbound/receipts/sms_tencent/receipt-secret/"

    def report(status: str) -> list[dict[str, str]]:
        return [{"mobile": PHONE, "report_status": status, "errmsg": "DELIVRD", "description": "", "sid": "2640:43"}]

    assert client.post(url, report("SUCCESS"), content_type="application/json").status_code == 200
    assert client.post(url, report("FAIL"), content_type="application/json").status_code == 200  # replayed, reversed
    row.refresh_from_db()
    assert row.status == S.DELIVERED
    guesses = [client.post(f"/outbound/receipts/sms_tencent/guess-{i}/", report("FAIL"),
                           content_type="application/json").status_code for i in range(views_outbound.GUESSES + 2)]
    assert guesses[:views_outbound.GUESSES] == [404] * views_outbound.GUESSES and guesses[-1] == 429
    assert client.post(url, report("SUCCESS"), content_type="application/json").status_code == 429  # that address


def test_a_provider_that_hangs_is_given_up_on_after_the_timeout(settings: Any, aliyun_fake: FakeAliyunSms) -> None:
    import time

    settings.NOTIFY_HTTP_TIMEOUT = 0.3
    aliyun_fake.delay = 2.0
    started = time.monotonic()
    with pytest.raises(OSError):  # a timeout: the queue retries it later
        aliyun(aliyun_fake).send(out())
    assert time.monotonic() - started < 1.5
