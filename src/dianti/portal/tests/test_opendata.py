"""Open data: published results and rectification states as JSON and CSV, with stable fields, streamed in chunks."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dianti.portal import opendata

from .factories import World, world

pytestmark = pytest.mark.django_db

DOCS = Path(__file__).resolve().parents[4] / "docs" / "open-data.md"


@pytest.fixture
def w(tree: Any, users: Any, django_capture_on_commit_callbacks: Any) -> World:
    with django_capture_on_commit_callbacks(execute=True):
        return world(tree, users)


def body(client: Any, name: str, fmt: str, query: str = "") -> tuple[Any, str]:
    response = client.get(reverse("portal_data_file", args=[name, fmt]) + query)
    if response.status_code != 200:
        return response, response.content.decode()
    return response, b"".join(response.streaming_content).decode("utf-8")


def test_the_results_file_holds_each_published_result_as_counted_by_hand(client: Any, tree: Any, w: World) -> None:
    response, text = body(client, "results", "json")
    assert response.streaming and response["Content-Type"].startswith("application/json")
    doc = json.loads(text)
    names = [f.name for f in opendata.RESULT_FIELDS]
    assert (doc["dataset"], doc["version"], doc["fields"], doc["count"]) == ("results", 1, names, 2)
    rows = {r["organization_code"]: r for r in doc["items"]}
    assert all(list(r) == names for r in rows.values())  # the same fields, in the declared order, in every row
    va1, va2 = rows[tree.village_a1.code], rows[tree.village_a2.code]
    # Twelve 群众代表 graded 雪水港村 差 and 丰义村 好 (the factory's ballots).
    assert (va1["valid_ballots"], va1["distribution"], va1["satisfaction_pct"]) == (
        12, {"好": 0, "较好": 0, "一般": 0, "差": 12}, 0.0)
    assert (va2["valid_ballots"], va2["distribution"]["好"], va2["satisfaction_pct"]) == (12, 12, 100.0)
    w.va1.refresh_from_db()
    assert va1["score"] == w.va1.score  # the published figure, to two decimals, as the subject carries it
    assert (va1["year"], va1["convener_code"], va1["parent_code"], va1["topic"]) == (
        2020, tree.town_a.code, tree.town_a.code, "三组路灯如何修好管好")


def test_the_rectification_file_holds_states_dates_and_progress_only(client: Any, tree: Any, w: World) -> None:
    _, text = body(client, "rectification", "csv")
    assert text.startswith("\ufeff")  # spreadsheet programs read UTF-8 with the mark
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert list(rows[0]) == [f.name for f in opendata.RECTIFICATION_FIELDS]
    (row,) = rows
    assert (row["organization_code"], row["issuer_code"], row["state"], row["overdue"]) == (
        tree.village_a1.code, tree.town_a.code, "in_progress", "false")
    assert (row["measures"], row["measures_done"], row["progress_pct"]) == ("1", "0", "50")
    assert row["deadline"] == w.case.deadline.isoformat() and row["issued_on"] == w.case.issued_on.isoformat()


def test_filters_narrow_to_a_subtree_and_a_year_and_bad_ones_say_so(client: Any, tree: Any, w: World) -> None:
    assert json.loads(body(client, "results", "json", f"?org={tree.town_a.code}&year=2020")[1])["count"] == 2
    assert json.loads(body(client, "results", "json", f"?org={tree.village_a2.code}")[1])["count"] == 1
    assert json.loads(body(client, "results", "json", f"?org={tree.town_b.code}")[1])["count"] == 0
    assert json.loads(body(client, "rectification", "json", "?year=2019")[1])["count"] == 0
    assert body(client, "results", "json", "?year=20x0")[0].status_code == 400
    assert body(client, "results", "json", "?org=999999")[0].status_code == 404
    assert body(client, "ballots", "json")[0].status_code == 404
    assert body(client, "results", "xlsx")[0].status_code == 404


def test_the_files_are_streamed_one_chunk_at_a_time(client: Any, tree: Any, w: World,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(opendata, "CHUNK", 1)
    response = client.get(reverse("portal_data_file", args=["results", "csv"]))
    pieces = iter(response.streaming_content)
    with CaptureQueriesContext(connection) as first:
        header, row = next(pieces), next(pieces)
    with CaptureQueriesContext(connection) as rest:
        tail = list(pieces)
    assert b"result_id" in header and b"," in row and len(tail) == 1
    # The first row went out after one chunk was read; the second chunk (and the empty third) only after it.
    assert len(first.captured_queries) == 1 and len(rest.captured_queries) == 2


def test_formula_like_text_reaches_the_csv_as_text(client: Any, tree: Any, w: World) -> None:
    from dianti.campaigns.models import Subject

    Subject.objects.filter(pk=w.va2.pk).update(topic='=HYPERLINK("http://evil.example","点")')
    _, text = body(client, "results", "csv")
    topics = [r["topic"] for r in csv.DictReader(io.StringIO(text.lstrip("\ufeff")))]
    assert "'=HYPERLINK(\"http://evil.example\",\"点\")" in topics


def test_one_address_downloading_in_a_loop_is_told_to_wait(client: Any, tree: Any, monkeypatch: Any) -> None:
    from dianti.portal import views_data

    monkeypatch.setattr(views_data, "PER_HOUR", 2)
    url = reverse("portal_data_file", args=["results", "csv"])
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 429]


def test_the_docs_describe_every_field_of_every_file() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for dataset in opendata.DATASETS.values():
        assert f"/p/data/{dataset.name}.json" in text
        missing = [f.name for f in dataset.fields if f"`{f.name}`" not in text]
        assert not missing, f"docs/open-data.md does not describe {dataset.name}: {missing}"
