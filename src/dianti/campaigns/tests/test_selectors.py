"""Reads: candidate suggestions, the chain roll-up, a secretary's own subjects, the public list."""

from __future__ import annotations

import pytest
from django.http import Http404

from dianti.campaigns import selectors, services
from dianti.campaigns.models import Phase, Project, Subject

from .factories import choose, in_topics, town_campaign


def test_candidates_are_the_towns_direct_grassroots_organizations(tree):
    names = [c.org.display_name for c in selectors.candidates(town_campaign(tree))]
    assert sorted(names) == ["丰义村", "雪水港村"]


def test_suggestions_name_projects_low_scores_unfinished_rectification_and_long_absence(tree):
    last = town_campaign(tree, year=2019)
    (old,) = choose(last, tree.village_a1)
    services.subject_update(actor=None, subject=old, score=72.5, rectification=Subject.Rectification.OPEN)
    services.project_add(actor=None, organization=tree.village_a2, year=2020, kind=Project.Kind.SECRETARY,
                         title="共富工坊")
    by_name = {c.org.display_name: c for c in selectors.candidates(town_campaign(tree, year=2020))}
    assert by_name["雪水港村"].suggestions == ["2019年评议得分较低（72.5 分）", "2019年整改尚未完成"]
    assert by_name["丰义村"].suggestions == ["书记项目：共富工坊", "近 3 年未述职"]
    assert by_name["丰义村"].suggested_category == "project"
    assert by_name["雪水港村"].suggested_category == "development"


def test_candidates_can_be_searched_and_chosen_ones_are_marked(tree):
    campaign = town_campaign(tree)
    choose(campaign, tree.village_a1)
    assert [c.org.display_name for c in selectors.candidates(campaign, q="丰义")] == ["丰义村"]
    chosen = {c.org.display_name: c.chosen for c in selectors.candidates(campaign)}
    assert chosen == {"雪水港村": True, "丰义村": False}


def test_county_rollup_counts_each_towns_progress_and_totals(tree):
    county = services.campaign_create(actor=None, convener=tree.county, year=2020, title="县2020",
                                      candidate_level="town")
    a = in_topics(tree)
    services.subject_topic_set(actor=None, subject=a.subjects.first(), topic="如何把美丽资源变成美丽经济")
    b = services.campaign_create(actor=None, convener=tree.town_b, year=2020, title="澉浦镇2020")
    choose(b, tree.village_b1)
    rows, totals = selectors.rollup(county)
    by_town = {r.campaign.convener.display_name: (r.subjects, r.topics_set) for r in rows}
    assert by_town == {"通元镇": (2, 1), "澉浦镇": (1, 0)}
    assert totals["subjects"] == 3 and totals["topics_set"] == 1


def test_rollup_query_count_does_not_grow_with_towns(tree, django_assert_max_num_queries):
    county = services.campaign_create(actor=None, convener=tree.county, year=2020, title="县2020",
                                      candidate_level="town")
    in_topics(tree)
    choose(services.campaign_create(actor=None, convener=tree.town_b, year=2020, title="澉浦镇2020"), tree.village_b1)
    with django_assert_max_num_queries(2):
        selectors.rollup(county)


def test_out_of_scope_campaign_is_404(tree, users):
    campaign = town_campaign(tree)
    with pytest.raises(Http404):
        selectors.campaign_get(users.other_town_admin, campaign.pk)
    assert selectors.campaign_get(users.county_admin, campaign.pk) == campaign


def test_secretary_sees_own_subjects(tree, users):
    campaign = in_topics(tree)
    assert [s.campaign for s in selectors.my_subjects(users.secretary)] == [campaign]
    assert not selectors.my_subjects(users.town_admin).exists()


def test_only_published_lists_are_public(tree):
    from dianti.portal.permissions import ensure_published

    draft = town_campaign(tree)
    assert not selectors.public_campaigns().filter(pk=draft.pk).exists()
    with pytest.raises(Http404):
        ensure_published(draft)
    campaign = in_topics(tree, year=2021)
    assert ensure_published(selectors.public_campaigns().get(pk=campaign.pk)) == campaign
    assert campaign.phase == Phase.TOPICS
