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


def test_the_admin_lists_filter_by_their_declared_filters_only(tree: Any, users: Any) -> None:
    """Django lets a changelist filter on any column of its model (?author_key__startswith=…), shown or not: one
    prefix at a time, a town admin could read an anonymous opinion's hidden author key, then list the opinions that
    share it — the same person's, named. Only the declared filters (and the search box) are answered."""
    anonymous = opinion(tree.village_a1, "村口的路灯坏了好几个月，晚上很黑", who="same-phone", phone="13900001111")
    named = opinion(tree.village_a1, "垃圾清运点太远了，老人走不过去", who="same-phone", phone="13900001111",
                    name="王小明", anonymous=False)
    assert anonymous.anonymous and anonymous.author_key == named.author_key  # the link the admin must not offer
    client = Client()
    client.force_login(users.town_admin)
    key = anonymous.author_key
    for query in (f"author_key={key}", f"author_key__startswith={key[:4]}",
                  f"tracking_code={anonymous.tracking_code}&author_key__startswith={key[:1]}", "author_phone=",
                  "author_name__startswith=王", "photo=", "entered_by__username=town_admin"):
        answer = client.get(f"/admin/voices/opinion/?{query}")
        assert answer.status_code == 400, query
    for query in ("status__exact=visible", "anonymous__exact=1", "channel__exact=online", "q=路灯"):
        assert client.get(f"/admin/voices/opinion/?{query}").status_code == 200, query
    assert client.get("/admin/meetings/question/?device_hash__startswith=a").status_code == 400
    assert client.get("/admin/meetings/question/?status__exact=pending").status_code == 200
