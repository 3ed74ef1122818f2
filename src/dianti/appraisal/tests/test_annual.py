"""年度综合考核: components imported from Excel all or nothing, totals with the 述职评议 share, bands, star grades
(晋位升级), ranks in the county and among a town's villages, and each organization's history."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from dianti.appraisal import annual, publication, services
from dianti.appraisal.engine import default_scheme
from dianti.appraisal.engine.policy import AssessmentConfig, Component
from dianti.appraisal.models import AnnualAssessment
from dianti.core.models import AuditEvent, Job
from dianti.core.scope import OutOfScope

from .factories import HAND, closed

pytestmark = pytest.mark.django_db
HEADER = "组织编码,年度,党建工作,中心工作,创新项目"


@pytest.fixture
def county_scheme(tree: Any) -> Any:
    """The county's scheme: 述职评议 10 %, 党建工作 40 %, 中心工作 50 %; the default star bands."""
    config = AssessmentConfig(components=(Component("appraisal", "述职评议", 0.1), Component("party", "党建工作", 0.4),
                                          Component("work", "中心工作", 0.5)))
    data = default_scheme().to_dict() | {"assessment": {**default_scheme().to_dict()["assessment"],
                                                        "components": [{"code": c.code, "label": c.label,
                                                                        "weight": c.weight}
                                                                       for c in config.components]}}
    return services.scheme_save(actor=None, key="haiyan", data=data, organization=tree.county)


@pytest.fixture
def upload(django_capture_on_commit_callbacks: Any) -> Any:
    """Return ``upload(client, rows)``: post a CSV to the import page and run the job it starts; return the job."""

    def run(client: Client, rows: list[str]) -> Job:
        body = "\n".join([HEADER, *rows]).encode("utf-8")
        with django_capture_on_commit_callbacks(execute=True):
            r = client.post("/appraisal/assessment/import/", {"file": SimpleUploadedFile("考核.csv", body)})
        assert r.status_code == 302
        return Job.objects.latest("pk")

    return run


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_template_lists_the_countys_components(county_scheme: Any, users: Any) -> None:
    r = _client(users.town_admin).get("/appraisal/assessment/import/?template=1&year=2020")
    ws = load_workbook(io.BytesIO(r.content)).active
    assert [c.value for c in ws[1]] == ["组织编码", "年度", "党建工作", "中心工作", "创新项目"]


def test_one_bad_row_imports_nothing_and_every_problem_is_named(
        county_scheme: Any, users: Any, tree: Any, upload: Any) -> None:
    job = upload(_client(users.town_admin), [
        "330424105201,2020,90,80,否",
        "330424105202,2020,120,80,否",      # row 3: out of range
        "999999,2020,90,80,否",             # row 4: no such organization
        "330424104201,2020,90,80,否",       # row 5: another town's village
        "330424105201,2020,91,81,否",       # row 6: the same organization and year again
        "330424105202,二〇二〇,90,80,也许",   # row 7: bad year, bad yes/no
    ])
    assert job.status == Job.Status.FAILED and "未导入任何数据" in job.message
    problems = {(e["row"], e["column"]): e["message"] for e in job.result["errors"]}
    assert problems[3, "党建工作"] == "“120”不是 0 到 100 之间的分数"
    assert problems[4, "组织编码"] == "找不到组织编码“999999”"
    assert problems[5, "组织编码"] == "您无权管理“中共长墙山村委员会”"
    assert problems[6, "组织编码"] == "与第 2 行重复（同一组织同一年度）"
    assert (7, "年度") in problems and (7, "创新项目") in problems
    assert not AnnualAssessment.objects.exists()


def test_a_good_file_is_imported_and_ranked_at_once(
        county_scheme: Any, users: Any, tree: Any, upload: Any) -> None:
    job = upload(_client(users.town_admin), ["330424105201,2020,90,80,否", "330424105202,2020,70,60,是"])
    assert job.status == Job.Status.DONE, job.result
    a1 = AnnualAssessment.objects.get(organization=tree.village_a1, year=2020)
    a2 = AnnualAssessment.objects.get(organization=tree.village_a2, year=2020)
    # No published appraisal yet: 述职评议 is missing and its 10 % is spread over the others; the total is provisional.
    assert a1.total == pytest.approx((0.4 * 90 + 0.5 * 80) / 0.9)   # 84.44
    assert a2.total == pytest.approx((0.4 * 70 + 0.5 * 60) / 0.9)   # 64.44
    # Provisional totals carry no band or stars and are not ranked against complete ones.
    assert (a1.band, a1.stars, a1.rank, a1.peer_rank, a1.peer_count) == ("", 0, None, None, 0)
    assert (a2.band, a2.stars, a2.rank, a2.innovation) == ("", 0, None, True)
    assert a1.provisional and a1.missing == ["述职评议"]
    assert [f["code"] for f in a1.flags] == ["provisional", "missing_component"]
    assert a1.scheme_id == county_scheme.pk and "总分 = " in a1.explanation


def test_the_published_appraisal_is_ten_percent_of_the_total(
        county_scheme: Any, users: Any, tree: Any, upload: Any) -> None:
    c = closed(tree, HAND)
    publication.results_submit(actor=users.town_admin, campaign=c.campaign)
    publication.results_publish(actor=users.county_admin, campaign=c.campaign)
    upload(_client(users.town_admin), ["330424105201,2020,90,80,否"])
    a1 = AnnualAssessment.objects.get(organization=tree.village_a1, year=2020)
    assert a1.appraisal == pytest.approx(82.8125)
    assert a1.total == pytest.approx(0.1 * 82.8125 + 0.4 * 90 + 0.5 * 80)  # 84.28
    assert not a1.flags


def _published(tree: Any, users: Any) -> None:
    """Publish the 2020 appraisals of 雪水港村 and 丰义村, so the 述职评议 component is in."""
    c = closed(tree, HAND)
    publication.results_submit(actor=users.town_admin, campaign=c.campaign)
    publication.results_publish(actor=users.county_admin, campaign=c.campaign)


def test_five_stars_need_an_innovation_project(
        county_scheme: Any, users: Any, tree: Any, upload: Any) -> None:
    _published(tree, users)
    upload(_client(users.town_admin), ["330424105201,2020,98,98,是", "330424105202,2020,98,98,否"])
    stars = dict(AnnualAssessment.objects.values_list("organization__short_name", "stars"))
    assert stars == {"雪水港村": 5, "丰义村": 4}


def test_a_total_from_the_appraisal_alone_is_provisional_with_no_band_or_stars(
        county_scheme: Any, users: Any, tree: Any) -> None:
    _published(tree, users)
    annual.annual_compute(actor=users.county_admin, county=tree.county, year=2020)
    a1 = AnnualAssessment.objects.get(organization=tree.village_a1, year=2020)
    assert a1.total == pytest.approx(82.8125) and (a1.band, a1.stars) == ("", 0)
    assert a1.missing == ["党建工作", "中心工作"]
    listing = _client(users.town_admin).get("/appraisal/assessment/?year=2020").content.decode()
    assert "暂定（缺少：党建工作、中心工作）" in listing and "★" not in listing.split("<tbody>")[1]


def test_the_year_list_offers_the_years_of_campaigns_and_this_year(
        county_scheme: Any, users: Any, tree: Any) -> None:
    from django.utils import timezone

    from dianti.campaigns.tests.factories import town_campaign

    town_campaign(tree, year=2021)
    page = _client(users.town_admin).get("/appraisal/assessment/").content.decode()
    years = page[page.index('id="year"'):page.index("</select>")]
    assert '<option value="2021"' in years and f'<option value="{timezone.localdate().year}"' in years


def test_recomputing_is_for_the_countys_admins(
        county_scheme: Any, users: Any, tree: Any, upload: Any) -> None:
    upload(_client(users.town_admin), ["330424105201,2020,90,80,否"])
    with pytest.raises(OutOfScope):
        annual.annual_compute(actor=users.town_admin, county=tree.county, year=2020)
    assert annual.annual_compute(actor=users.county_admin, county=tree.county, year=2020) == 1


def test_history_over_the_years_in_a_table_and_a_chart(
        county_scheme: Any, users: Any, tree: Any, upload: Any) -> None:
    _published(tree, users)
    client = _client(users.town_admin)
    upload(client, ["330424105201,2019,80,80,否", "330424105201,2020,90,92,是"])
    page = client.get(f"/appraisal/assessment/orgs/{tree.village_a1.code}/").content.decode()
    assert page.index("2019") < page.index("2020") and 'data-chart="history"' in page
    assert '"year": 2019, "total": 80.0' in page and '"stars": 5' in page and "暂定（缺少：述职评议）" in page
    listing = client.get("/appraisal/assessment/?year=2020").content.decode()
    assert "雪水港村" in listing and "★★★★★" in listing


def test_an_import_is_set_based_and_audits_every_row_with_what_it_replaced(
        county_scheme: Any, users: Any, tree: Any) -> None:
    def imported(orgs: list[Any], mark: float) -> int:
        rows = [annual.AnnualRow(o, 2020, {"party": mark, "work": mark}) for o in orgs]
        with CaptureQueriesContext(connection) as queries:
            annual.annual_scores_set(actor=users.county_admin, rows=rows)
        return len(queries)

    one = imported([tree.village_a1], 80)
    many = imported([tree.village_a1, tree.village_a2, tree.village_b1], 90)  # one replaced, two new
    assert many <= one + 1  # the update of the replaced row; nothing per row
    assert dict(AnnualAssessment.objects.values_list("organization__code", "scores")) == {
        o.code: {"party": 90.0, "work": 90.0} for o in (tree.village_a1, tree.village_a2, tree.village_b1)}
    trail = list(AuditEvent.objects.filter(action="assessment.import").order_by("id").values_list(
        "target_repr", "changes"))
    assert len(trail) == 4
    assert trail[1][1] == {"scores": [{"party": 80.0, "work": 80.0}, {"party": 90.0, "work": 90.0}]}
    assert trail[2][1] == {"scores": [None, {"party": 90.0, "work": 90.0}]}
