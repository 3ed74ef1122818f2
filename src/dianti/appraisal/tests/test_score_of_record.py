"""One truth for the score: the engine's stored result is the figure of record, and the meeting page, the meetings
API, the minutes and the appraisal pages all print that one — or, before it is computed, say so."""

from __future__ import annotations

import io
from typing import Any

import docx
from django.urls import reverse

from dianti.appraisal.models import SubjectResult
from dianti.meetings import selectors as meeting_selectors

from .factories import HAND, closed


def _everywhere(client: Any, c: Any) -> dict[str, str]:
    """Return the pages, the API answer and the minutes' text, each as one string."""
    minutes = docx.Document(io.BytesIO(client.get(reverse("meeting_minutes", args=[c.meeting.pk])).content))
    return {
        "meeting page": client.get(reverse("meeting_detail", args=[c.meeting.pk])).content.decode(),
        "meetings api": str(client.get(f"/api/v1/meetings/{c.meeting.pk}/results").json()),
        "minutes": "\n".join(cell.text for row in minutes.tables[0].rows for cell in row.cells),
        "appraisal page": client.get(reverse("appraisal_meeting", args=[c.meeting.pk])).content.decode(),
        "subject page": client.get(reverse("appraisal_subject", args=[c.va1.pk])).content.decode(),
    }


def test_the_meeting_page_api_minutes_and_appraisal_show_the_same_score(tree: Any, users: Any, client: Any) -> None:
    c = closed(tree, HAND)
    result = SubjectResult.objects.get(subject=c.va1)
    figure = f"{result.score:.2f}"
    client.force_login(users.town_admin)
    for where, text in _everywhere(client, c).items():
        assert figure in text, f"{where} does not show the score of record {figure}"
    assert "平均分" not in _everywhere(client, c)["meeting page"]
    (api,) = [r for r in client.get(f"/api/v1/meetings/{c.meeting.pk}/results").json()["items"] if r["organization"] == "雪水港村"]
    assert (api["score"], api["score_text"]) == (result.score, figure) and "mean" not in api


def test_a_recomputed_score_is_the_one_every_place_shows(tree: Any, users: Any, client: Any) -> None:
    c = closed(tree, HAND)
    SubjectResult.objects.filter(subject=c.va1).update(score=58.0)
    client.force_login(users.town_admin)
    for where, text in _everywhere(client, c).items():
        assert "58.00" in text, f"{where} keeps a figure of its own"


def test_before_the_result_is_computed_the_meeting_says_so(tree: Any, users: Any, client: Any) -> None:
    c = closed(tree, HAND)
    SubjectResult.objects.all().delete()
    client.force_login(users.town_admin)
    texts = _everywhere(client, c)
    for where in ("meeting page", "meetings api", "minutes"):
        assert "尚未计算评议结果" in texts[where], where
    rows = meeting_selectors.results(c.meeting)
    assert [r.score for r in rows] == [None, None]
