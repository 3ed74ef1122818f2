"""The dashboards as each role meets them: the county's figures and funnel by town, each number leading to the list
of what it counts; a town sees its own subtree only; the page costs the same queries however big the county."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from dianti.orgs.tests.factories import grow

from .fixtures import two_years

pytestmark = pytest.mark.django_db


@pytest.fixture
def years(tree: Any, users: Any) -> Any:
    return two_years(tree, users)


def _page(client: Client, user: Any, url: str) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _figure(page: str, key: str) -> str:
    """The value shown for an upward figure (its link's text, or the bare number)."""
    block = re.search(rf'data-figure="{key}".*?class="figure-value">(.*?)<small', page, re.S)
    assert block, key
    return re.sub(r"<[^>]+>", "", block.group(1)).strip()


def _row(page: str, name: str) -> list[str]:
    """The cells of the funnel table's row for ``name``."""
    row = re.search(rf"<tr[^>]*>\s*<th scope=\"row\">(?:<a [^>]*>)?{name}(?:</a>)?</th>(.*?)</tr>", page, re.S)
    assert row, name
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)]


def test_the_county_sees_the_upward_figures_and_the_funnel_by_town(client: Client, users: Any, years: Any) -> None:
    page = _page(client, users.county_admin, reverse("dashboard"))
    assert "2020 年度点题述职数据" in page
    assert {k: _figure(page, k) for k in ("organizations_covered", "meetings", "participants", "opinions",
                                          "opinions_sorted", "points_active")} == {
        "organizations_covered": "2", "meetings": "1", "participants": "15", "opinions": "4", "opinions_sorted": "3",
        "points_active": "1"}
    assert "较上年 +1（上年 1）" in page  # organizations covered: 2 against 1 in 2019
    # 点名 点题 述职 公布 整改中 其中逾期 已销号
    assert _row(page, "通元镇") == ["2", "2", "2", "2", "1", "1", "1"]
    assert _row(page, "澉浦镇") == ["1", "0", "0", "0", "0", "0", "0"]
    assert _row(page, "本级") == ["2", "0", "0", "0", "0", "0", "0"]
    assert _row(page, "合计") == ["5", "2", "2", "2", "1", "1", "1"]


def test_an_earlier_year_is_one_click_away(client: Client, users: Any, years: Any) -> None:
    page = _page(client, users.county_admin, reverse("dashboard") + "?year=2019")
    assert _figure(page, "opinions") == "1" and _row(page, "通元镇")[:3] == ["1", "0", "1"]
    assert 'href="?year=2020"' in page


def test_every_figure_drills_down_to_the_records_it_counts(client: Client, users: Any, years: Any,
                                                           tree: Any) -> None:
    page = _page(client, users.county_admin, reverse("dashboard"))
    town = reverse("dashboard_org", args=["330424105"])
    assert f'href="{town}?year=2020"' in page  # county → town
    cases = re.search(r'href="(/rectification/\?org=330424105&amp;year=2020&amp;overdue=1)"', page)
    assert cases, "the overdue count links to the list of overdue cases"
    listed = _page(client, users.county_admin, cases.group(1).replace("&amp;", "&"))
    assert listed.count('href="/rectification/') >= 1 and "雪水港村" in listed and "丰义村" not in listed
    opinions = re.search(r'href="(/voices/\?org=330424&amp;year=2020&amp;category=[^"]+)"', page)
    assert opinions, "each hot category links to its opinions"
    listed = _page(client, users.county_admin, opinions.group(1).replace("&amp;", "&"))
    assert listed.count("河道有垃圾") == 2 and "村道破损" not in listed
    town_page = _page(client, users.county_admin, town + "?year=2020")  # town → organization
    village = reverse("dashboard_org", args=["330424105201"])
    assert f'href="{village}"' in town_page
    village_page = _page(client, users.county_admin, village)  # organization → record
    assert reverse("appraisal_subject", args=[years.overdue.subject_id]) in village_page
    assert reverse("rectification_case", args=[years.overdue.pk]) in village_page


def test_a_town_sees_its_own_subtree_only(client: Client, users: Any, years: Any) -> None:
    page = _page(client, users.town_admin, reverse("dashboard"))
    assert "中共通元镇委员会" in page and _figure(page, "opinions") == "3"
    assert "希望多办几场文艺演出" not in page and "澉浦镇" not in page
    for code in ("330424", "330424104", "330424104201"):
        assert client.get(reverse("dashboard_org", args=[code])).status_code == 404
        assert client.get(f"/api/v1/dashboard/{code}").status_code == 404
    assert client.post(reverse("dashboard_report", args=["330424"]), {"format": "pdf"}).status_code == 404


@pytest.mark.parametrize("name", ["secretary", "point_staff", "evaluator", "public"])
def test_who_runs_no_committee_sees_no_dashboard(client: Client, users: Any, years: Any, name: str) -> None:
    client.force_login(getattr(users, name))
    assert client.get(reverse("dashboard")).status_code == 403
    assert reverse("dashboard") not in client.get(reverse("home")).content.decode()


def test_the_approver_sees_the_figures_but_no_link_into_opinions(client: Client, users: Any, years: Any) -> None:
    page = _page(client, users.county_approver, reverse("dashboard"))
    assert _figure(page, "opinions") == "4" and "/voices/?" not in page


def test_the_navigation_and_the_home_page_lead_to_the_dashboard(client: Client, users: Any, years: Any) -> None:
    home = _page(client, users.county_admin, reverse("home"))
    assert f'href="{reverse("dashboard")}"' in home  # the bar
    assert f'href="{reverse("dashboard_org", args=["330424"])}"' in home  # the county's own card


def test_the_api_answers_the_same_figures(client: Client, users: Any, years: Any) -> None:
    client.force_login(users.county_admin)
    body = client.get("/api/v1/dashboard/330424", {"year": 2020}).json()
    assert {h["key"]: h["value"] for h in body["headlines"]}["participants"] == 15
    rows = {r["name"]: r for r in body["rows"]}
    assert (rows["通元镇"]["subjects"], rows["合计"]["rectifications_closed"]) == (2, 1)
    assert {d["class"]: d["n"] for d in body["distributions"]["grades"]} == {"好": 4, "较好": 6, "一般": 3, "差": 3}


#: Session, user, scope, navigation, then one query per figure, the children's names and the breadcrumbs (and a
#: town's records: three) — however many towns and organizations.
PAGE_QUERIES = 36


@pytest.mark.parametrize("who", ["county_admin", "town_admin"])
def test_the_page_makes_the_same_queries_however_many_towns(client: Client, users: Any, years: Any, tree: Any,
                                                            who: str, django_assert_max_num_queries: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(getattr(users, who))
    client.get(reverse("dashboard"))  # warm the per-process caches
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("dashboard"))
    grow(tree.county, towns=5, villages=4)
    grow(tree.town_a, towns=2, villages=3)
    with django_assert_max_num_queries(PAGE_QUERIES), CaptureQueriesContext(connection) as big:
        assert client.get(reverse("dashboard")).status_code == 200
    assert len(big.captured_queries) == len(small.captured_queries)
