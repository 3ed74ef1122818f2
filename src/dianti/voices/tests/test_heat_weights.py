"""Voice counts people: a visit stands for the households met, and the county sets the heat formula's knobs."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from dianti.campaigns import services as campaign_services
from dianti.campaigns.tests.factories import in_topics
from dianti.core.models import AuditEvent
from dianti.voices import topics
from dianti.voices.models import Opinion, Topic

from .factories import opinion, visit


def _topic(campaign, org, title: str, members: list[Opinion]) -> Topic:
    topic = Topic.objects.create(organization=org, org_path=org.path, campaign=campaign, title=title)
    Opinion.objects.filter(pk__in=[m.pk for m in members]).update(topic=topic)
    topics.refresh(topic.pk)
    topic.refresh_from_db()
    return topic


def test_a_visit_that_met_twelve_households_outranks_two_online_messages(tree):
    campaign, village = in_topics(tree), tree.village_a1
    online = _topic(campaign, village, "修复路灯", [opinion(village, "三组路灯坏了", who="a"),
                                                 opinion(village, "三组路灯晚上不亮", who="b")])
    door_to_door = _topic(campaign, village, "老年食堂开晚餐", [visit(village, "走访十二户，都说老年食堂要开晚餐", met=12)])
    assert door_to_door.heat > 5 * online.heat


def test_the_county_knob_changes_the_ranking_and_is_audited(tree, django_capture_on_commit_callbacks):
    campaign, village = in_topics(tree), tree.village_a1
    online = _topic(campaign, village, "修复路灯", [opinion(village, f"三组路灯坏了第{i}盏", who=f"p{i}")
                                                 for i in range(5)])
    meeting = _topic(campaign, village, "老年食堂开晚餐", [visit(village, "座谈会上六人都说老年食堂要开晚餐", met=6)])
    assert meeting.heat > online.heat
    with django_capture_on_commit_callbacks(execute=True):  # the background job runs once the save commits
        campaign_services.campaign_update(actor=None, campaign=campaign, heat_weights={"participant_weight": 0.1})
    for t in (online, meeting):  # recomputed when the campaign saved its knobs
        t.refresh_from_db()
    assert meeting.heat < online.heat
    event = AuditEvent.objects.filter(action="campaign.update").latest("pk")
    assert "heat_weights" in event.changes


@pytest.mark.parametrize("weights", [{"colour": 1}, {"participant_weight": -1}, {"likes_weight": "many"},
                                     {"half_life_days": 0}])
def test_a_heat_knob_that_makes_no_sense_is_refused(tree, weights):
    with pytest.raises(ValidationError):
        campaign_services.campaign_update(actor=None, campaign=in_topics(tree), heat_weights=weights)


def test_the_county_sets_the_knobs_once_and_every_campaign_under_it_ranks_with_them(
        tree, users, django_capture_on_commit_callbacks):
    from dianti.campaigns import heat

    campaign, village = in_topics(tree), tree.village_a1  # convened by the town, under the county
    online = _topic(campaign, village, "修复路灯", [opinion(village, f"三组路灯坏了第{i}盏", who=f"p{i}")
                                                 for i in range(5)])
    meeting = _topic(campaign, village, "老年食堂开晚餐", [visit(village, "座谈会上六人都说老年食堂要开晚餐", met=6)])
    assert meeting.heat > online.heat
    with django_capture_on_commit_callbacks(execute=True):
        heat.heat_scheme_set(actor=users.county_admin, organization=tree.county, weights={"participant_weight": 0.1})
    assert heat.heat_weights_in_force(campaign) == {"participant_weight": 0.1}
    for t in (online, meeting):  # recomputed when the county saved its knobs
        t.refresh_from_db()
    assert meeting.heat < online.heat
    assert AuditEvent.objects.filter(action="heat_scheme.set").exists()


def test_a_campaign_may_still_override_one_knob_of_its_county(tree, users):
    from dianti.campaigns import heat

    campaign = in_topics(tree)
    heat.heat_scheme_set(actor=users.county_admin, organization=tree.county,
                         weights={"participant_weight": 0.1, "likes_weight": 0.2})
    campaign_services.campaign_update(actor=None, campaign=campaign, heat_weights={"participant_weight": 0.9})
    assert heat.heat_weights_in_force(campaign) == {"participant_weight": 0.9, "likes_weight": 0.2}
    sources = {k: v.source for k, v in heat.knobs_in_force(campaign).items()}
    assert sources == {"participant_weight": "campaign", "likes_weight": tree.county.display_name}


def test_only_a_county_sets_a_scheme_and_only_its_admins(tree, users):
    from django.core.exceptions import PermissionDenied

    from dianti.campaigns import heat

    with pytest.raises(ValidationError):
        heat.heat_scheme_set(actor=users.county_admin, organization=tree.town_a, weights={"likes_weight": 1})
    with pytest.raises(PermissionDenied):
        heat.heat_scheme_set(actor=users.town_admin, organization=tree.county, weights={"likes_weight": 1})
    with pytest.raises(ValidationError):
        heat.heat_scheme_set(actor=users.county_admin, organization=tree.county, weights={"likes_weight": "many"})
    assert heat.scheme_of(tree.county) == {}


def test_the_campaign_edit_page_says_what_it_inherits_and_leads_to_the_county(tree, users, client):
    from django.urls import reverse

    from dianti.campaigns import heat

    campaign = in_topics(tree)
    heat.heat_scheme_set(actor=users.county_admin, organization=tree.county, weights={"participant_weight": 0.3})
    client.force_login(users.county_admin)
    page = client.get(reverse("campaign_edit", args=[campaign.pk])).content.decode()
    assert f"留空沿用{tree.county.display_name}设定的 0.3" in page
    assert reverse("heat_scheme_edit", args=[tree.county.code]) in page
    org_page = client.get(reverse("org_detail", args=[tree.county.code])).content.decode()
    assert reverse("heat_scheme_edit", args=[tree.county.code]) in org_page
    county_page = client.get(reverse("heat_scheme_edit", args=[tree.county.code])).content.decode()
    assert 'value="0.3"' in county_page


def test_the_county_page_is_outside_a_town_admins_subtree(tree, users, client):
    from django.urls import reverse

    from dianti.campaigns import heat

    client.force_login(users.town_admin)
    url = reverse("heat_scheme_edit", args=[tree.county.code])
    assert client.get(url).status_code == 404
    assert client.post(url, {"heat_participant_weight": "0.3"}).status_code == 404
    assert heat.scheme_of(tree.county) == {}


def test_saving_the_county_knobs_only_queues_the_recompute_and_the_job_changes_the_figures(
        tree, users, django_capture_on_commit_callbacks):
    from dianti.campaigns import heat
    from dianti.core import jobs
    from dianti.core.models import Job

    campaign, village = in_topics(tree), tree.village_a1
    online = _topic(campaign, village, "修复路灯", [opinion(village, f"三组路灯坏了第{i}盏", who=f"p{i}")
                                                 for i in range(5)])
    meeting = _topic(campaign, village, "老年食堂开晚餐", [visit(village, "座谈会上六人都说老年食堂要开晚餐", met=6)])
    before = meeting.heat
    heat.heat_scheme_set(actor=users.county_admin, organization=tree.county, weights={"participant_weight": 0.1})
    meeting.refresh_from_db()
    assert meeting.heat == before  # not recomputed in the request
    job = Job.objects.get(kind=heat.REHEAT_JOB)
    assert job.status == Job.Status.QUEUED and job.created_by == users.county_admin

    with django_capture_on_commit_callbacks(execute=True):
        jobs.run(job.pk)
    job.refresh_from_db()
    under = campaign.__class__.objects.filter(org_path__startswith=tree.county.path).exclude(phase="archived").count()
    assert job.status == Job.Status.DONE and job.result == {"campaigns": under} and job.progress == job.total == under
    for t in (online, meeting):
        t.refresh_from_db()
    assert meeting.heat < before and meeting.heat < online.heat


def test_a_campaigns_own_knob_is_recomputed_by_the_same_job_for_that_campaign_alone(tree, users):
    from dianti.campaigns import heat
    from dianti.core.models import Job

    campaign = in_topics(tree)
    campaign_services.campaign_update(actor=users.county_admin, campaign=campaign,
                                      heat_weights={"participant_weight": 0.1})
    job = Job.objects.get(kind=heat.REHEAT_JOB)
    assert job.params["campaign"] == campaign.pk and job.status == Job.Status.QUEUED
    campaign_services.campaign_update(actor=users.county_admin, campaign=campaign, title="改个名字")
    assert Job.objects.filter(kind=heat.REHEAT_JOB).count() == 1  # only a change of knobs recomputes


def test_saving_the_same_knobs_again_queues_nothing(tree, users):
    from dianti.campaigns import heat
    from dianti.core.models import Job

    heat.heat_scheme_set(actor=users.county_admin, organization=tree.county, weights={"participant_weight": 0.1})
    heat.heat_scheme_set(actor=users.county_admin, organization=tree.county, weights={"participant_weight": 0.1})
    assert Job.objects.filter(kind=heat.REHEAT_JOB).count() == 1


def test_the_county_page_says_the_figures_are_being_updated(tree, users, client):
    from django.urls import reverse

    client.force_login(users.county_admin)
    url = reverse("heat_scheme_edit", args=[tree.county.code])
    assert "正在按新权重重算" not in client.get(url).content.decode()
    response = client.post(url, {"heat_participant_weight": "0.3"}, follow=True)
    page = response.content.decode()
    assert "正在后台按新权重重算" in page  # the message
    assert 'id="reheat"' in page and "正在按新权重重算" in page and 'data-status="queued"' in page


def test_saving_the_county_page_unchanged_says_nothing_is_recomputed(tree, users, client):
    from django.urls import reverse

    client.force_login(users.county_admin)
    url = reverse("heat_scheme_edit", args=[tree.county.code])
    client.post(url, {"heat_participant_weight": "0.3"}, follow=True)  # the first save's message is shown
    page = client.post(url, {"heat_participant_weight": "0.3"}, follow=True).content.decode()
    assert "权重没有改动，话题热度不用重算" in page and "正在后台按新权重重算" not in page


def test_saving_the_same_knobs_after_the_recompute_failed_queues_it_again(tree, users):
    from dianti.campaigns import heat
    from dianti.core.models import Job

    heat.heat_scheme_set(actor=users.county_admin, organization=tree.county, weights={"participant_weight": 0.1})
    Job.objects.filter(kind=heat.REHEAT_JOB).update(status=Job.Status.FAILED, message="任务进程意外退出（代码 1）")
    heat.heat_scheme_set(actor=users.county_admin, organization=tree.county, weights={"participant_weight": 0.1})
    latest = heat.reheat_latest(users.county_admin, tree.county)
    assert Job.objects.filter(kind=heat.REHEAT_JOB).count() == 2 and latest.status == Job.Status.QUEUED


def test_the_county_page_says_a_failed_recompute_failed_and_how_to_run_it_again(tree, users, client):
    from django.urls import reverse

    from dianti.campaigns import heat
    from dianti.core.models import Job

    heat.heat_scheme_set(actor=users.county_admin, organization=tree.county, weights={"participant_weight": 0.1})
    Job.objects.filter(kind=heat.REHEAT_JOB).update(status=Job.Status.FAILED, message="任务进程意外退出（代码 1）")
    client.force_login(users.county_admin)
    page = client.get(reverse("heat_scheme_edit", args=[tree.county.code])).content.decode()
    assert "已按新权重重算" not in page and "未能按新权重重算" in page and "再点“保存”" in page


def test_saving_a_campaigns_same_knobs_after_its_recompute_failed_queues_it_again(tree, users):
    from dianti.campaigns import heat
    from dianti.core.models import Job

    campaign = in_topics(tree)
    for _ in range(2):
        campaign_services.campaign_update(actor=users.county_admin, campaign=campaign,
                                          heat_weights={"participant_weight": 0.1})
        Job.objects.filter(kind=heat.REHEAT_JOB).update(status=Job.Status.FAILED)
    assert Job.objects.filter(kind=heat.REHEAT_JOB, params__campaign=campaign.pk).count() == 2



@pytest.mark.django_db(transaction=True)  # the job runs outside any transaction, as in a worker
def test_a_campaign_whose_recompute_fails_fails_the_job_and_the_others_are_still_done(tree, users, monkeypatch):
    from dianti.campaigns import heat
    from dianti.core import components, jobs
    from dianti.core.models import EventFailure, Job

    campaign, broken = in_topics(tree), in_topics(tree, year=2019)
    done = []

    def reheat(*, actor, campaign_id, org_path):
        if campaign_id == broken.pk:
            raise RuntimeError("数据库连接中断")
        done.append(campaign_id)

    voices = next(c for c in components.components() if "heat_weights_changed" in c.subscribes)
    monkeypatch.setitem(voices.subscribes, "heat_weights_changed", reheat)
    heat.heat_scheme_set(actor=users.county_admin, organization=tree.county, weights={"participant_weight": 0.1})
    job = Job.objects.get(kind=heat.REHEAT_JOB)
    if not job.finished:  # run once the save committed (inline in tests), else here
        job = jobs.run(job.pk)
    assert done == [campaign.pk] and EventFailure.objects.filter(event="heat_weights_changed").count() == 1
    assert job.status == Job.Status.FAILED and "1 个" in job.message and job.result["campaigns"] >= 2


def test_once_the_recompute_is_done_the_county_page_offers_to_reload_not_to_go_back(
        tree, users, client, django_capture_on_commit_callbacks):
    # The finished job's button read 返回继续办理 and led to the very page it sat on (here, or polled by htmx).
    from django.urls import reverse

    from dianti.core.models import Job

    client.force_login(users.county_admin)
    url = reverse("heat_scheme_edit", args=[tree.county.code])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"heat_participant_weight": "0.3"})
    job = Job.objects.get(status=Job.Status.DONE)
    page = client.get(url).content.decode()
    assert "刷新本页，查看结果" in page and "返回继续办理" not in page
    polled = client.get(reverse("job_detail", args=[job.pk]), headers={
        "HX-Request": "true", "HX-Current-URL": f"http://testserver{url}"}).content.decode()
    assert "刷新本页，查看结果" in polled and f'href="{url}"' in polled
    elsewhere = client.get(reverse("job_detail", args=[job.pk])).content.decode()  # the job's own page
    assert "返回继续办理" in elsewhere and f'href="{url}"' in elsewhere


def test_a_towns_address_for_the_knobs_leads_to_its_countys_page(tree, users, client):
    # /campaigns/heat/<town>/ showed a blank form (the defaults, not the county's knobs in force) whose save failed.
    from django.urls import reverse

    town_url = reverse("heat_scheme_edit", args=[tree.town_a.code])
    client.force_login(users.county_admin)
    assert client.get(town_url).url == reverse("heat_scheme_edit", args=[tree.county.code])
    client.force_login(users.town_admin)
    assert client.get(town_url, follow=True).status_code == 404  # the county's page is outside the town's scope
