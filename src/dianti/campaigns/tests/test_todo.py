"""The 点名 to-do: a submitted list waits for the level above — on its admins' home page, not on the maker's; a
campaign below that is behind schedule is the level above's to chase; a phase whose work is done waits for the
convener to move it on."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone

from dianti.campaigns import roster, services, todo
from dianti.campaigns.models import Phase

from .factories import choose, in_topics, town_campaign


def test_a_submitted_list_waits_for_the_level_above_until_approved(tree: Any, users: Any, client: Any) -> None:
    campaign = town_campaign(tree, actor=users.town_admin)
    choose(campaign, tree.village_a1, actor=users.town_admin)
    assert todo.for_user(users.county_admin) == []
    roster.list_submit(actor=users.town_admin, campaign=campaign)
    [item] = todo.for_user(users.county_admin)
    assert item.url == reverse("campaign_detail", args=[campaign.pk]) and campaign.title in item.label
    assert todo.for_user(users.town_admin) == [] and todo.for_user(users.other_town_admin) == []
    client.force_login(users.county_admin)
    assert f"审批述职对象名单：{campaign.title}" in client.get(reverse("home")).content.decode()
    roster.list_approve(actor=users.county_admin, campaign=campaign)
    assert todo.for_user(users.county_admin) == []


def _past(days: int) -> str:
    return (timezone.localdate() - dt.timedelta(days=days)).isoformat()


def test_a_town_behind_schedule_is_the_countys_to_chase_until_it_moves_on(tree: Any, users: Any) -> None:
    campaign = in_topics(tree, deadlines={Phase.TOPICS: _past(3), Phase.REPORTING: _past(-30)})
    assert not [i for i in todo.for_user(users.town_admin) if i.kind == "督促"]  # the level above chases
    assert not [i for i in todo.for_user(users.other_town_admin) if i.kind == "督促"]
    [item] = [i for i in todo.for_user(users.county_admin) if i.kind == "督促"]
    assert item.overdue and item.deadline == timezone.localdate() - dt.timedelta(days=3)
    assert "通元镇（点题）" in item.why and item.url == reverse("campaign_list") + "?behind=1"
    for s in campaign.subjects.all():
        services.subject_topic_set(actor=users.town_admin, subject=s, topic="村道破损和停车难怎么解决")
    services.phase_move(actor=users.town_admin, campaign=campaign, to=Phase.REPORTING)  # the next deadline is ahead
    assert not [i for i in todo.for_user(users.county_admin) if i.kind == "督促"]


def test_the_filtered_list_shows_the_campaigns_behind(tree: Any, users: Any, client: Any) -> None:
    late = in_topics(tree, deadlines={Phase.TOPICS: _past(3)})
    services.campaign_create(actor=None, convener=tree.town_b, year=2020, title="澉浦镇2020年度点题述职")
    client.force_login(users.county_admin)
    listed = client.get(reverse("campaign_list") + "?behind=1").context["page"]
    assert [c.pk for c in listed] == [late.pk]


def test_a_phase_whose_work_is_done_waits_for_the_convener_to_move_it(tree: Any, users: Any) -> None:
    campaign = in_topics(tree)

    def moves() -> list[Any]:
        return [i for i in todo.for_user(users.town_admin) if i.kind == "推进"]

    [first, second] = campaign.subjects.order_by("order", "id")
    services.subject_topic_set(actor=users.town_admin, subject=first, topic="村道破损和停车难怎么解决")
    assert moves() == []  # one subject still has no topic
    services.subject_topic_set(actor=users.town_admin, subject=second, topic="老年食堂如何办得长久")
    [item] = moves()
    assert item.url == reverse("campaign_detail", args=[campaign.pk]) and "进入述职" in item.why
    assert not [i for i in todo.for_user(users.county_admin) if i.kind == "推进"]  # the convener's, not above
    services.phase_move(actor=users.town_admin, campaign=campaign, to=Phase.REPORTING)
    assert moves() == []
