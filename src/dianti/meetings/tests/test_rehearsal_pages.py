"""What the real meeting's page says about its rehearsal: running, or finished and waiting to be wiped."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from dianti.meetings import rehearsal, services

from .factories import held


@pytest.fixture
def h(tree, users):
    return held(tree)


def _page(users, meeting) -> str:
    client = Client()
    client.force_login(users.town_admin)
    return client.get(reverse("meeting_detail", args=[meeting.pk])).content.decode()


def test_a_running_rehearsal_is_entered_from_the_real_meeting(h, users):
    copy = rehearsal.rehearsal_start(actor=users.town_admin, meeting=h.meeting)
    html = _page(users, h.meeting)
    assert "进入模拟测评" in html and reverse("meeting_detail", args=[copy.pk]) in html and "一键清除模拟测评" in html


def test_a_finished_rehearsal_is_said_finished_not_in_progress(h, users):
    copy = rehearsal.rehearsal_start(actor=users.town_admin, meeting=h.meeting)
    services.codes_issue(actor=users.town_admin, meeting=copy)
    services.meeting_open(actor=users.town_admin, meeting=copy)
    services.meeting_close(actor=users.town_admin, meeting=copy)
    html = _page(users, h.meeting)
    assert "模拟测评已演练完毕" in html and "查看模拟测评" in html and "一键清除模拟测评" in html
    assert "模拟测评进行中" not in html
