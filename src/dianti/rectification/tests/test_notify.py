"""Who is told, on commit: the secretary of the notice, the committee of the commitment, and every villager behind
the topic (phone → outbound log; tracking page) of each public move — nobody when the action fails."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from dianti.core.models import Notification, OutboundMessage
from dianti.rectification import services
from dianti.rectification.models import State
from dianti.voices import tracking

from .factories import PROBLEMS, case_in, in_days, measures_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_issuing_sends_the_notice_to_the_secretary(subject: Any, users: Any) -> None:
    case = case_in(State.ISSUED, subject, actor=users.town_admin)
    n = Notification.objects.get(recipient=users.secretary, kind="rectification_notice")
    assert case.number in n.title and n.url == f"/rectification/{case.pk}/"
    # (to_address is encrypted at rest: compare what it decrypts to.)
    assert "13812345678" in {m.to_address for m in OutboundMessage.objects.filter(kind="rectification_notice")}


def test_a_commitment_tells_the_town_committee_and_no_other(subject: Any, users: Any) -> None:
    case = case_in(State.ISSUED, subject, actor=users.town_admin)
    services.commitment_submit(actor=users.secretary, case=case, measures=measures_for(case), mechanisms="每月公开")
    assert Notification.objects.filter(recipient=users.town_admin, kind="rectification_commitment").count() == 1
    assert not Notification.objects.filter(recipient=users.other_town_admin).exists()


def test_a_refused_commitment_tells_nobody(subject: Any, users: Any) -> None:
    case = case_in(State.ISSUED, subject, actor=users.town_admin)
    with pytest.raises(ValidationError) as exc:
        services.commitment_submit(actor=users.secretary, case=case, measures=[], mechanisms="")
    assert "问题 1 还没有整改措施" in exc.value.messages
    assert not Notification.objects.filter(kind="rectification_commitment").exists()
    case.refresh_from_db()
    assert case.state == State.ISSUED and not case.measures.exists()


def test_every_villager_behind_the_topic_is_told_when_the_case_moves(subject: Any, users: Any,
                                                                       voiced: list[Any]) -> None:
    case = case_in(State.CLOSED, subject, actor=users.town_admin, secretary=users.secretary)
    told = OutboundMessage.objects.filter(kind__in=["rectification_public", "opinion_case_closed"])
    assert set(told.values_list("to_address", flat=True)) == {"13900001111"}  # the anonymous one left no phone
    assert told.order_by("id").last().kind == "opinion_case_closed"  # its own kind: an SMS template may take it
    titles = list(told.order_by("id").values_list("title", flat=True))
    assert titles == ["您关心的问题：整改下发整改通知单", "您关心的问题：整改审核通过承诺", "您关心的问题：整改申请验收",
                      "您关心的问题：整改验收销号"]
    assert voiced[0].tracking_code in told.last().body
    # Both opinions' tracking pages show the ending.
    for opinion in voiced:
        steps = tracking.timeline(opinion)
        labels = [s.label for s in steps]
        assert labels[-4:] == ["整改承诺", "整改进展", "申请验收", "已销号"]
        assert case.number in steps[labels.index("整改通知")].detail


def test_an_open_case_shows_the_step_still_to_come(subject: Any, users: Any, voiced: list[Any]) -> None:
    case_in(State.IN_PROGRESS, subject, actor=users.town_admin, secretary=users.secretary)
    steps = tracking.timeline(voiced[1])
    assert steps[-1].label == "销号" and not steps[-1].done


def test_a_draft_is_not_shown_to_the_public(subject: Any, users: Any, voiced: list[Any]) -> None:
    services.case_open(actor=users.town_admin, subject=subject, problems=PROBLEMS, deadline=in_days(30))
    assert "整改通知" not in [s.label for s in tracking.timeline(voiced[0])]
    assert not OutboundMessage.objects.filter(kind="rectification_public").exists()
