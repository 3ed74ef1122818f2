"""党委点名: creating campaigns, choosing subjects, the approval of the list, topics and notifications."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from dianti.campaigns import reminders, roster, services
from dianti.campaigns.models import Campaign, Category, Phase, Subject
from dianti.core.models import Notification, OutboundMessage
from dianti.core.scope import OutOfScope
from dianti.orgs import services as org_services

from .factories import choose, in_topics, published, town_campaign


def test_town_campaign_joins_the_county_campaign_of_the_same_year(tree):
    county = services.campaign_create(actor=None, convener=tree.county, year=2020, title="县2020",
                                      candidate_level="town")
    town = town_campaign(tree)
    assert town.parent == county


def test_county_campaign_opened_later_adopts_existing_town_campaigns(tree):
    town = town_campaign(tree)
    county = services.campaign_create(actor=None, convener=tree.county, year=2020, title="县2020",
                                      candidate_level="town")
    town.refresh_from_db()
    assert town.parent == county


def test_one_campaign_per_convener_and_year(tree):
    town_campaign(tree)
    with pytest.raises(ValidationError, match="已存在"):
        town_campaign(tree)


def test_town_admin_cannot_open_a_campaign_for_another_town(tree, users):
    with pytest.raises(OutOfScope):
        services.campaign_create(actor=users.other_town_admin, convener=tree.town_a, year=2020, title="越权")


def test_choosing_is_all_or_nothing_and_names_every_problem(tree):
    campaign = town_campaign(tree)
    with pytest.raises(ValidationError) as exc:
        services.subjects_choose(actor=None, campaign=campaign, choices=[
            services.Choice(tree.village_a1, Category.DEVELOPMENT, "承担美丽乡村建设任务"),
            services.Choice(tree.village_a2, "", "短"),
            services.Choice(tree.village_b1, Category.MODEL, "另一个镇的村子"),
        ])
    text = "\n".join(exc.value.messages)
    assert "丰义村：请选择点名类别；请写明点名理由" in text
    assert "长墙山村：不在本次活动的点名范围内" in text
    assert not campaign.subjects.exists()


def test_branches_below_a_village_are_not_candidates_of_a_direct_campaign(tree):
    campaign = town_campaign(tree)
    with pytest.raises(ValidationError, match="不在本次活动的点名范围内"):
        choose(campaign, tree.village_a1_branch)


def test_the_secretary_is_frozen_on_the_subject(tree):
    old = org_services.person_create(actor=None, name="老书记", organization=tree.village_a1)
    org_services.membership_add(actor=None, person=old, organization=tree.village_a1, position="secretary")
    tree.village_a1.refresh_from_db()
    campaign = town_campaign(tree)
    (subject,) = choose(campaign, tree.village_a1)
    new = org_services.person_create(actor=None, name="新书记", organization=tree.village_a1)
    org_services.membership_add(actor=None, person=new, organization=tree.village_a1, position="secretary")
    subject.refresh_from_db()
    assert subject.secretary == old and subject.secretary_name == "老书记"


def test_the_list_cannot_change_once_submitted_until_returned(tree):
    campaign = town_campaign(tree)
    choose(campaign, tree.village_a1)
    roster.list_submit(actor=None, campaign=campaign)
    with pytest.raises(ValidationError, match="需先退回"):
        choose(campaign, tree.village_a2)
    roster.list_return(actor=None, campaign=campaign, note="补充丰义村")
    choose(campaign, tree.village_a2)
    assert campaign.subjects.count() == 2


def test_an_empty_list_cannot_be_submitted(tree):
    with pytest.raises(ValidationError, match="名单为空"):
        roster.list_submit(actor=None, campaign=town_campaign(tree))


def test_approval_publishes_and_tells_each_chosen_secretary_in_app_and_outbound(tree, users, django_capture_on_commit_callbacks):
    campaign = town_campaign(tree)
    choose(campaign, tree.village_a1, tree.village_a2)
    roster.list_submit(actor=None, campaign=campaign)
    with django_capture_on_commit_callbacks(execute=True):
        roster.list_approve(actor=users.county_admin, campaign=campaign)
    assert campaign.list_status == Campaign.ListStatus.PUBLISHED and campaign.list_approved_by == users.county_admin
    note = Notification.objects.get(recipient=users.secretary)
    assert note.kind == "chosen" and campaign.title in note.title
    assert OutboundMessage.objects.filter(kind="chosen", to_name="张书记", channel="log").exists()


def test_nothing_is_sent_when_the_approval_fails(tree, users, django_capture_on_commit_callbacks):
    campaign = town_campaign(tree)
    choose(campaign, tree.village_a1)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        roster.list_approve(actor=users.county_admin, campaign=campaign)  # not submitted yet
    assert not Notification.objects.exists()


def test_topic_assignment_tells_the_secretary(tree, users, django_capture_on_commit_callbacks):
    campaign = in_topics(tree)
    subject = campaign.subjects.get(organization=tree.village_a1)
    with django_capture_on_commit_callbacks(execute=True):
        services.subject_topic_set(actor=users.town_admin, subject=subject, topic="如何把美丽资源变成美丽经济")
    subject.refresh_from_db()
    assert subject.status == Subject.Status.TOPIC_SET
    assert Notification.objects.filter(recipient=users.secretary, kind="topic_assigned",
                                       title__contains="如何把美丽资源变成美丽经济").exists()


def test_topics_are_set_only_in_the_topics_phase(tree):
    campaign = published(tree)
    with pytest.raises(ValidationError, match="点题"):
        services.subject_topic_set(actor=None, subject=campaign.subjects.first(), topic="如何把美丽资源变成美丽经济")


def test_deadline_reminders_go_once_to_admins_and_secretaries(tree, users, django_capture_on_commit_callbacks):
    import datetime as dt

    campaign = in_topics(tree, deadlines={Phase.TOPICS: "2020-05-31"})
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.deadline_reminders(dt.date(2020, 5, 20)) == 0  # 11 days ahead: too early
        assert reminders.deadline_reminders(dt.date(2020, 5, 29)) == 1
        assert reminders.deadline_reminders(dt.date(2020, 5, 30)) == 0  # already reminded
    recipients = set(Notification.objects.filter(kind="deadline").values_list("recipient__username", flat=True))
    assert recipients == {"town_admin", "secretary"}
    assert "2020-05-31" in Notification.objects.filter(kind="deadline").first().title
    assert campaign.subjects.count() == 2


def test_bad_deadline_is_refused_in_chinese(tree):
    with pytest.raises(ValidationError, match="不是有效日期"):
        town_campaign(tree, deadlines={Phase.TOPICS: "31/05/2020"})
