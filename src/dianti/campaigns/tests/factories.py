"""Test helpers for campaigns: a town campaign over the conftest tree, through the services."""

from __future__ import annotations

from typing import Any

from dianti.campaigns import roster, services
from dianti.campaigns.models import Campaign, Category, Phase


def town_campaign(tree: Any, *, year: int = 2020, actor: Any = None, **fields: Any) -> Campaign:
    return services.campaign_create(actor=actor, convener=tree.town_a, year=year,
                                    title=f"通元镇{year}年度村党组织书记点题述职", **fields)


def choose(campaign: Campaign, *orgs: Any, actor: Any = None) -> list[Any]:
    return services.subjects_choose(actor=actor, campaign=campaign, choices=[
        services.Choice(o, Category.DEVELOPMENT, "承担美丽乡村建设任务") for o in orgs])


def published(tree: Any, **fields: Any) -> Campaign:
    campaign = town_campaign(tree, **fields)
    choose(campaign, tree.village_a1, tree.village_a2)
    roster.list_submit(actor=None, campaign=campaign)
    roster.list_approve(actor=None, campaign=campaign)
    campaign.refresh_from_db()
    return campaign


def in_topics(tree: Any, **fields: Any) -> Campaign:
    campaign = published(tree, **fields)
    return services.phase_move(actor=None, campaign=campaign, to=Phase.TOPICS)
