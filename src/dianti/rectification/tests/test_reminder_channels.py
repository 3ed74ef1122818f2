"""Reminders and the villager's news go out through people's channels: a deadline reminder reaches the
secretary's verified SMS with the template's parameters; a villager who left a phone gets an SMS when their
opinion becomes a topic and when the case behind it closes — the steps between stay on the tracking page (no SMS
template for them)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from dianti.core import events
from dianti.core.models import OutboundMessage
from dianti.core.tests.test_outbound import Flaky
from dianti.orgs import channels
from dianti.orgs.models import Person
from dianti.rectification.deadlines import deadline_sweep
from dianti.rectification.models import State

from .factories import case_in
from .test_deadlines import running  # noqa: F401 — the fixture

pytestmark = pytest.mark.django_db(transaction=True)  # notifications are sent on commit


@pytest.fixture(autouse=True)
def sms(settings: Any) -> type[Flaky]:
    settings.NOTIFY_CHANNELS = ["dianti.core.notify.LogChannel", "dianti.core.tests.test_outbound.Flaky"]
    settings.NOTIFY_RATE_LIMITS, settings.JOBS_BACKEND = {}, "sync"
    Flaky.script, Flaky.seen = [], []
    return Flaky


def test_a_measure_reminder_reaches_the_secretarys_verified_sms(running: Any, users: Any) -> None:  # noqa: F811
    person = Person.objects.get(user=users.secretary)
    channels.person_channel_set(actor=users.town_admin, person=person, medium="sms", address="13812345678",
                                verified=True)
    with time_machine.travel(dt.datetime.combine(dt.date(2020, 9, 27), dt.time(8, 0),
                                                 tzinfo=timezone.get_current_timezone()), tick=False):
        assert deadline_sweep()["reminded"] == 1
    sms = OutboundMessage.objects.get(channel="flaky", kind="rectification_reminder")
    assert (sms.status, sms.person_id, sms.org_path) == (OutboundMessage.Status.SENT, person.pk, running.org_path)
    assert Flaky.seen[0].to_address == "13812345678"
    assert Flaky.seen[0].params == {"number": running.number, "deadline": "2020年10月31日"}


def test_without_a_verified_channel_the_reminder_stays_in_app(running: Any, users: Any) -> None:  # noqa: F811
    with time_machine.travel(dt.datetime.combine(dt.date(2020, 9, 27), dt.time(8, 0),
                                                 tzinfo=timezone.get_current_timezone()), tick=False):
        deadline_sweep()
    assert not OutboundMessage.objects.filter(channel="flaky").exists()
    assert OutboundMessage.objects.filter(channel="log", kind="rectification_reminder").exists()


def test_the_villager_gets_an_sms_when_the_opinion_becomes_a_topic_and_when_the_case_closes(
        settings: Any, subject: Any, users: Any, voiced: list[Any]) -> None:
    settings.NOTIFY_TEMPLATES = {}  # the log channel takes every kind; the SMS channel below only two

    class TwoKinds(Flaky):
        def accepts(self, kind: str) -> bool:
            return kind in ("opinion_chosen", "opinion_case_closed")

    settings.NOTIFY_CHANNELS = ["dianti.core.notify.LogChannel",
                                "dianti.rectification.tests.test_reminder_channels.TwoKindsSms"]
    globals()["TwoKindsSms"] = TwoKinds
    with transaction.atomic():
        events.publish("topic_assigned", actor=users.town_admin, subject_id=subject.pk, topic="村口路灯",
                       org_path=subject.campaign.org_path)
    case_in(State.CLOSED, subject, actor=users.town_admin, secretary=users.secretary)
    sms = OutboundMessage.objects.filter(channel="flaky").order_by("id")
    assert [(m.kind, m.to_address) for m in sms] == [("opinion_chosen", "13900001111"),
                                                    ("opinion_case_closed", "13900001111")]
    assert all(m.org_path for m in sms)  # the town's staff see them in their outbound log
    chosen, closed = (out for out in Flaky.seen)
    assert chosen.params["topic"] == "村口路灯" and closed.params["code"] == voiced[0].tracking_code
    # The moves between reached the log channel (and the tracking page), not the phone.
    assert OutboundMessage.objects.filter(channel="log", kind="rectification_public").count() == 3
