"""The admin shows opinions read-only, with the author's name and phone masked, and no ballot or device anywhere."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.test import Client

from dianti.meetings.models import Attendance, Ballot, EvaluatorCode, PaperEntry, QuestionVote
from dianti.voices.models import Support

from .factories import opinion


def test_an_opinion_in_the_admin_shows_its_author_masked_and_cannot_be_changed(tree: Any, users: Any) -> None:
    op = opinion(tree.village_a1, "村口的路灯坏了好几个月，晚上很黑", name="王小明", phone="13812345678", anonymous=False)
    client = Client()
    client.force_login(users.superuser)
    listing = client.get("/admin/voices/opinion/").content.decode()
    page = client.get(f"/admin/voices/opinion/{op.pk}/change/").content.decode()
    assert "王**" in listing and "王**" in page and "138****5678" in page
    for html in (listing, page):
        assert "13812345678" not in html and "王小明" not in html
    assert client.get("/admin/voices/opinion/?q=13812345678").status_code == 200
    assert client.post(f"/admin/voices/opinion/{op.pk}/change/", {"text": "改"}).status_code == 403


def test_nothing_that_could_link_a_ballot_to_a_person_or_device_is_in_the_admin() -> None:
    for model in (Ballot, EvaluatorCode, PaperEntry, Attendance, QuestionVote, Support):
        assert not admin.site.is_registered(model), model
