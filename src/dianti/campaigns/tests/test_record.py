"""A secretary's record over the years (履职档案), against a hand-built two-year history of 雪水港村's secretary:

2019 — topic from two opinions (one named, with a phone), the hand-counted meeting (score 82.81), results published,
a case opened and closed (销号), the annual assessment computed and confirmed; 2020 — twelve 群众代表 all say 差, the
results computed but not published, the annual assessment computed and not yet confirmed.

Each figure is the one its step stored (the score of record, the engine's α and its reading, the assessment's stars
and ranks); staff see what is unpublished marked as such, the secretary and the public never; the public page names
no one; out of scope answers 404.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dianti.appraisal.engine.alpha import reading
from dianti.appraisal.models import AnnualAssessment, SubjectResult
from dianti.appraisal.record import READINGS
from dianti.appraisal.tests.factories import HAND, POOR
from dianti.campaigns import record
from dianti.campaigns.models import Subject
from dianti.campaigns.tests.factories import choose, town_campaign
from dianti.core.components import Audience
from dianti.rectification.models import State
from dianti.rectification.tests.factories import case_in

from .history import ANONYMOUS, NAMED, one_year, two_years

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def history(tree: Any, users: Any) -> dict[int, Any]:
    return two_years(tree, users)


def _entries(years: list[record.RecordYear]) -> dict[int, record.RecordEntry]:
    return {y.year: e for y in years for e in y.entries if e.subject.organization.short_name == "雪水港村"}


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_each_year_reads_its_figures_from_the_step_that_owns_them(history: dict[int, Any], tree: Any,
                                                                  users: Any) -> None:
    years = record.build(record.org_subjects(users.town_admin, tree.village_a1), Audience.STAFF, users.town_admin)
    assert [y.year for y in years] == [2020, 2019]
    e = _entries(years)[2019].by_key
    r = SubjectResult.objects.get(subject=history[2019])
    assert e["score"].value == "82.81" == f"{r.score:.2f}" and e["score"].note == ""  # the hand-counted figure
    assert e["satisfaction"].value == f"{r.satisfaction * 100:.1f}%" and f"有效票 {r.ballots} 张" in e["satisfaction"].note
    assert e["alpha"].value == f"{r.alpha:.3f}" and e["alpha"].note == str(READINGS[reading(r.alpha)][0])
    assert e["topic"].value == "如何让村里的路灯常亮、夜路安全"
    assert e["voices"].value == "2 条意见，2 人反映，0 人次关心"
    quotes = [f.value for f in _entries(years)[2019].facts if f.key == record.QUOTE]
    assert sorted(quotes) == sorted([NAMED, ANONYMOUS])
    assert e["meeting"].value.startswith("2019年6月20日") and e["report"].value == "未上传"
    a = AnnualAssessment.objects.get(organization=tree.village_a1, year=2019)
    assert a.appraisal == r.score and e["stars"].value == ("★" * a.stars or "无星级")
    assert f"同级第 {a.peer_rank} / {a.peer_count} 名" in e["annual"].note and "待确认" not in e["annual"].note
    assert e["rectification"].value.startswith("已销号")


def test_staff_see_the_unpublished_year_marked_the_secretary_and_the_public_do_not(
        history: dict[int, Any], tree: Any, users: Any) -> None:
    draft = SubjectResult.objects.get(subject=history[2020])
    assert draft.status == SubjectResult.Status.DRAFT and draft.score is not None
    staff = _entries(record.build(record.org_subjects(users.town_admin, tree.village_a1), Audience.STAFF,
                                  users.town_admin))[2020].by_key
    assert staff["score"].value == f"{draft.score:.2f}" and staff["score"].note == "待公布"
    assert staff["score"].tone == "warn" and "待确认" in staff["annual"].note
    own = _entries(record.build(record.own_subjects(users.secretary), Audience.SELF, users.secretary))[2020].by_key
    public = _entries(record.build(record.public_subjects(tree.village_a1), Audience.PUBLIC))[2020].by_key
    for view in (own, public):
        assert view["score"].value == "尚未公布" and "satisfaction" not in view and "alpha" not in view
        assert "annual" not in view and "stars" not in view  # not yet confirmed
    # Another town's admin reads the 2020 figure nowhere: the campaign is not in their subtree.
    assert record.org_subjects(users.other_town_admin, tree.village_a1).count() == 0


def test_the_public_page_names_no_one_and_shows_nothing_unpublished(history: dict[int, Any], tree: Any,
                                                                    users: Any) -> None:
    draft = SubjectResult.objects.get(subject=history[2020])
    later = town_campaign(tree, year=2021)
    choose(later, tree.village_a1)  # a draft list: not a record yet
    body = Client().get(reverse("portal_record", args=[tree.village_a1.code])).content.decode()
    assert "现任书记" in body and "82.81" in body and NAMED in body
    for secret in ("张书记", "王大伯", "13900001111", "1111", f"{draft.score:.2f}", "2021", "待公布", "待确认"):
        assert secret not in body, secret
    assert Client().get(reverse("portal_record", args=["999999"])).status_code == 404


def test_the_record_is_read_in_the_same_queries_however_many_years(tree: Any, users: Any) -> None:
    def count(client: Client, url: str) -> int:
        with CaptureQueriesContext(connection) as q:
            assert client.get(url).status_code == 200
        return len(q)

    public, staff = Client(), _client(users.town_admin)
    one_year(tree, users, 2019, HAND, publish=True)
    urls = (reverse("portal_record", args=[tree.village_a1.code]), reverse("record_org", args=[tree.village_a1.code]))
    one = [count(public, urls[0]), count(staff, urls[1])]
    one_year(tree, users, 2020, POOR, publish=False)
    assert [count(public, urls[0]), count(staff, urls[1])] == one


def test_who_may_open_which_record(history: dict[int, Any], tree: Any, users: Any) -> None:
    person = history[2019].secretary
    org_url, person_url = reverse("record_org", args=[tree.village_a1.code]), reverse("record_person", args=[person.pk])
    assert _client(users.town_admin).get(person_url).status_code == 200
    assert _client(users.county_approver).get(org_url).status_code == 200
    assert _client(users.other_town_admin).get(org_url).status_code == 404
    assert _client(users.other_town_admin).get(person_url).status_code == 404
    assert _client(users.secretary).get(person_url).status_code == 403  # their own is record_mine
    mine = _client(users.secretary).get(reverse("record_mine"))
    assert [y.year for y in mine.context["years"]] == [2020, 2019]
    assert _client(users.point_staff).get(org_url).status_code == 403


def test_the_secretarys_home_shows_their_campaigns_not_subtree_counts(history: dict[int, Any], users: Any) -> None:
    page = _client(users.secretary).get(reverse("home"))
    body = page.content.decode()
    assert "我的述职" in body and "村级集体经济如何持续增收" in body and reverse("record_mine") in body
    assert "尚未公布" in body and 'class="stat"' not in body and page.context["roots"] == []
    staff = _client(users.town_admin).get(reverse("home"))
    assert 'class="stat"' in staff.content.decode() and staff.context["roots"]


def test_a_secretary_not_chosen_is_told_so_plainly(users: Any) -> None:
    body = _client(users.secretary).get(reverse("home")).content.decode()
    assert "您目前没有被点名述职" in body and "目前没有需要您处理的事项" in body


def test_point_staff_see_the_cases_their_points_supervise(history: dict[int, Any], tree: Any, users: Any) -> None:
    subject = Subject.objects.get(campaign__year=2019, organization=tree.village_a2)
    case = case_in(State.IN_PROGRESS, subject)
    body = _client(users.point_staff).get(reverse("home")).content.decode()
    assert "督查中的整改" in body and reverse("rectification_case", args=[case.pk]) in body
    assert "还没有点位走访过" in body and 'class="stat"' not in body
