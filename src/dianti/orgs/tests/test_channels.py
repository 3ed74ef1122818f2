"""A person's channels: recorded by staff, used only once verified and while not opted out; the person opts out
themself; staff see the statuses on the person's page and the outbound log of their subtree only."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from dianti.core import notify
from dianti.core.models import OutboundMessage
from dianti.orgs import channels
from dianti.orgs.models import Person, PersonChannel

S = OutboundMessage.Status


@pytest.fixture(autouse=True)
def sms_channel(settings: Any) -> None:
    from dianti.core.tests.test_outbound import Flaky

    settings.NOTIFY_CHANNELS = ["dianti.core.notify.LogChannel", "dianti.core.tests.test_outbound.Flaky"]
    settings.NOTIFY_RATE_LIMITS, settings.JOBS_BACKEND = {}, "sync"
    Flaky.script, Flaky.seen = [], []


@pytest.fixture
def secretary(users: Any) -> Person:
    return Person.objects.get(user=users.secretary)


def remind(person: Person, capture: Any) -> list[str]:
    """Send the person a reminder; return the channels it was queued on."""
    with capture(execute=True), transaction.atomic():
        notify.notify([notify.recipient_for_person(person)], notify.Message(kind="deadline", title="述职报告将于 3 天后截止"))
    return sorted(OutboundMessage.objects.filter(kind="deadline").values_list("channel", flat=True))


def test_an_unverified_contact_gets_nothing_and_a_verified_one_gets_the_message(
        users: Any, secretary: Person, django_capture_on_commit_callbacks: Any) -> None:
    channel = channels.person_channel_set(actor=users.town_admin, person=secretary, medium="sms",
                                          address="138 1234 5678")
    assert channel.address == "13812345678" and channel.verified_at is None
    assert remind(secretary, django_capture_on_commit_callbacks) == ["log"]
    channels.person_channel_verify(actor=users.town_admin, channel=channel)
    OutboundMessage.objects.all().delete()
    assert remind(secretary, django_capture_on_commit_callbacks) == ["flaky", "log"]
    assert OutboundMessage.objects.get(channel="flaky").person_id == secretary.pk


def test_the_person_opts_out_and_back_in_themself(users: Any, secretary: Person,
                                                  django_capture_on_commit_callbacks: Any) -> None:
    channel = channels.person_channel_set(actor=users.town_admin, person=secretary, medium="sms",
                                          address="13812345678", verified=True)
    channels.person_channel_opt(actor=users.secretary, channel=channel, opted_out=True)
    assert remind(secretary, django_capture_on_commit_callbacks) == ["log"]
    channels.person_channel_opt(actor=users.secretary, channel=channel, opted_out=False)
    OutboundMessage.objects.all().delete()
    assert remind(secretary, django_capture_on_commit_callbacks) == ["flaky", "log"]


def test_a_changed_address_must_be_verified_again(users: Any, secretary: Person) -> None:
    channels.person_channel_set(actor=users.town_admin, person=secretary, medium="sms", address="13812345678",
                                verified=True)
    changed = channels.person_channel_set(actor=users.town_admin, person=secretary, medium="sms",
                                          address="13900001111")
    assert changed.verified_at is None and channels.contacts([secretary.pk]) == {secretary.pk: {"sms": ""}}


def test_bad_contacts_are_refused_in_chinese(users: Any, secretary: Person) -> None:
    for medium, address, message in (("sms", "12345", "不是有效的手机号"), ("email", "not-mail", "不是有效的电子邮件地址"),
                                      ("wechat", "带空格 的", "账号标识只能由字母")):
        with pytest.raises(ValidationError) as exc:
            channels.person_channel_set(actor=users.town_admin, person=secretary, medium=medium, address=address)
        assert message in "".join(exc.value.messages)
    assert not PersonChannel.objects.exists()


def test_another_town_cannot_record_or_opt_out_for_the_person(users: Any, secretary: Person) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        channels.person_channel_set(actor=users.other_town_admin, person=secretary, medium="sms",
                                    address="13812345678")
    channel = channels.person_channel_set(actor=users.town_admin, person=secretary, medium="sms",
                                          address="13812345678", verified=True)
    with pytest.raises(PermissionDenied):
        channels.person_channel_opt(actor=users.other_town_admin, channel=channel, opted_out=True)


def test_the_person_page_shows_channels_and_delivery_statuses_masked(
        client: Any, users: Any, secretary: Person, django_capture_on_commit_callbacks: Any) -> None:
    from dianti.core.channels.base import ProviderError
    from dianti.core.tests.test_outbound import Flaky

    channels.person_channel_set(actor=users.town_admin, person=secretary, medium="sms", address="13812345678",
                                verified=True)
    Flaky.script = [ProviderError("isv.BUSINESS_LIMIT_CONTROL", "触发号码天级流控")]
    remind(secretary, django_capture_on_commit_callbacks)
    client.force_login(users.town_admin)
    html = client.get(f"/orgs/people/{secretary.pk}/").content.decode()
    assert "通知渠道" in html and "已核实" in html and "138****5678" in html
    assert "isv.BUSINESS_LIMIT_CONTROL" in html and "触发号码天级流控" in html and "失败" in html
    assert "13812345678" not in html.split('id="channels"')[1]  # staff lists show the number masked
    failed = OutboundMessage.objects.get(channel="flaky")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/outbound/{failed.pk}/resend/")
    failed.refresh_from_db()
    assert failed.status == S.SENT  # queued again and sent


def test_staff_see_the_outbound_log_of_their_subtree_only(
        client: Any, users: Any, secretary: Person, django_capture_on_commit_callbacks: Any) -> None:
    remind(secretary, django_capture_on_commit_callbacks)
    row = OutboundMessage.objects.get(channel="log")
    client.force_login(users.town_admin)
    assert "述职报告将于 3 天后截止" in client.get("/outbound/").content.decode()
    assert client.get(f"/outbound/m/{row.batch}/").status_code == 200
    client.force_login(users.other_town_admin)
    assert "述职报告将于 3 天后截止" not in client.get("/outbound/").content.decode()
    assert client.get(f"/outbound/m/{row.batch}/").status_code == 404
    assert client.post(f"/outbound/{row.pk}/resend/").status_code == 404
    assert client.get(f"/orgs/people/{secretary.pk}/").status_code == 404


def test_a_person_opts_out_on_their_own_page(client: Any, users: Any, secretary: Person) -> None:
    channels.person_channel_set(actor=users.town_admin, person=secretary, medium="wechat", address="openid-zhang")
    client.force_login(users.secretary)
    page = client.get("/orgs/me/channels/").content.decode()
    assert "微信公众号" in page and "待核实" in page and "确认是我的" in page
    client.post("/orgs/me/channels/", {"medium": "wechat", "action": "verify"})
    client.post("/orgs/me/channels/", {"medium": "wechat", "action": "opt_out"})
    channel = PersonChannel.objects.get(person=secretary)
    assert channel.verified_at is not None and channel.opted_out_at is not None
    assert "已退订" in client.get("/orgs/me/channels/").content.decode()


def test_the_api_records_verifies_and_lists_channels_and_the_outbound_log(
        client: Any, users: Any, secretary: Person, django_capture_on_commit_callbacks: Any) -> None:
    client.force_login(users.town_admin)
    url = f"/api/v1/orgs/people/{secretary.pk}/channels"
    made = client.post(url, {"medium": "sms", "address": "13812345678"}, content_type="application/json")
    assert made.status_code == 200 and made.json() == [
        {"medium": "sms", "address": "138****5678", "verified": False, "opted_out": False}]
    bad = client.post(url, {"medium": "sms", "address": "123"}, content_type="application/json")
    assert bad.status_code == 422  # the house answer to a refused write, with the reason in Chinese
    assert "不是有效的手机号" in bad.content.decode()
    client.post(url, {"medium": "sms", "action": "verify"}, content_type="application/json")
    assert client.get(url).json()[0]["verified"] is True
    remind(secretary, django_capture_on_commit_callbacks)
    rows = client.get("/api/v1/outbound?channel=flaky").json()["items"]
    assert [(r["status"], r["to_address"], r["person_id"]) for r in rows] == [("sent", "138****5678", secretary.pk)]
    client.force_login(users.other_town_admin)
    assert client.get(url).status_code == 404
    assert client.get("/api/v1/outbound").json()["items"] == []


def test_the_outbound_log_is_of_the_subtree_one_manages(
        client: Any, users: Any, tree: Any, django_capture_on_commit_callbacks: Any) -> None:
    """The log names villagers told of a case: an admin of another town who is also a village's secretary (a role
    that reads no log) must not learn from it who in that village raised opinions, nor resend to them."""
    from dianti.orgs import services
    from dianti.orgs.models import Role

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        notify.notify([notify.Recipient(user_id=None, name="李大妈", phone="13900001111")],
                      notify.Message(kind="opinion_case_closed", title="您关心的问题：整改已销号",
                                     org_path=tree.village_a1.path))
    row = OutboundMessage.objects.get(channel="log")
    OutboundMessage.objects.filter(pk=row.pk).update(status=S.FAILED)
    services.role_grant(actor=None, user=users.other_town_admin, organization=tree.village_a1, role=Role.SECRETARY)
    client.force_login(users.other_town_admin)
    assert "李大妈" not in client.get("/outbound/").content.decode()
    assert client.get(f"/outbound/m/{row.batch}/").status_code == 404
    assert client.post(f"/outbound/{row.pk}/resend/").status_code == 404
    assert client.get("/api/v1/outbound").json()["items"] == []
    assert client.post(f"/api/v1/outbound/{row.pk}/resend").status_code == 404
    assert OutboundMessage.objects.get(pk=row.pk).status == S.FAILED
    client.force_login(users.town_admin)
    assert "李大妈" in client.get("/outbound/").content.decode()


def test_a_resend_goes_to_the_contact_as_it_is_now_and_never_to_one_opted_out(
        users: Any, secretary: Person, django_capture_on_commit_callbacks: Any) -> None:
    from dianti.core.channels.base import ProviderError
    from dianti.core.services import outbound_resend
    from dianti.core.tests.test_outbound import Flaky

    channel = channels.person_channel_set(actor=users.town_admin, person=secretary, medium="sms",
                                          address="13812345678", verified=True)
    Flaky.script = [ProviderError("isv.MOBILE_NUMBER_ILLEGAL", "号码格式错误")]
    remind(secretary, django_capture_on_commit_callbacks)
    failed = OutboundMessage.objects.get(channel="flaky", status=S.FAILED)
    channels.person_channel_opt(actor=users.secretary, channel=channel, opted_out=True)
    with pytest.raises(ValidationError, match="退订"):
        outbound_resend(actor=users.town_admin, message=failed)
    assert OutboundMessage.objects.get(pk=failed.pk).status == S.FAILED
    channels.person_channel_opt(actor=users.secretary, channel=channel, opted_out=False)
    channels.person_channel_set(actor=users.town_admin, person=secretary, medium="sms", address="13987654321",
                                verified=True)  # the number corrected: the cause of the failure fixed
    with django_capture_on_commit_callbacks(execute=True):
        outbound_resend(actor=users.town_admin, message=failed)
    assert OutboundMessage.objects.get(pk=failed.pk).status == S.SENT
    assert Flaky.seen[-1].to_address == "13987654321"


def test_the_resend_service_itself_refuses_an_actor_who_does_not_manage_the_recipient(
        users: Any, secretary: Person, django_capture_on_commit_callbacks: Any) -> None:
    from django.core.exceptions import PermissionDenied

    from dianti.core.services import outbound_resend

    remind(secretary, django_capture_on_commit_callbacks)
    row = OutboundMessage.objects.get(channel="log")
    OutboundMessage.objects.filter(pk=row.pk).update(status=S.FAILED)
    for actor in (users.other_town_admin, users.secretary):
        with pytest.raises(PermissionDenied):
            outbound_resend(actor=actor, message=row)
    assert OutboundMessage.objects.get(pk=row.pk).status == S.FAILED
