"""The 点名 to-do: a submitted list waits for the level above — on its admins' home page, not on the maker's."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from dianti.campaigns import services, todo

from .factories import choose, town_campaign


def test_a_submitted_list_waits_for_the_level_above_until_approved(tree: Any, users: Any, client: Any) -> None:
    campaign = town_campaign(tree, actor=users.town_admin)
    choose(campaign, tree.village_a1, actor=users.town_admin)
    assert todo.for_user(users.county_admin) == []
    services.list_submit(actor=users.town_admin, campaign=campaign)
    [item] = todo.for_user(users.county_admin)
    assert item.url == reverse("campaign_detail", args=[campaign.pk]) and campaign.title in item.label
    assert todo.for_user(users.town_admin) == [] and todo.for_user(users.other_town_admin) == []
    client.force_login(users.county_admin)
    assert f"审批述职对象名单：{campaign.title}" in client.get(reverse("home")).content.decode()
    services.list_approve(actor=users.county_admin, campaign=campaign)
    assert todo.for_user(users.county_admin) == []
