"""The phase machine: every declared move, who may make it, and what each move needs."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dianti.campaigns import phases, services
from dianti.campaigns.models import Phase, Subject
from dianti.core.models import AuditEvent

from .factories import choose, in_topics, published, town_campaign

S = Subject.Status
ALL = list(Phase.values)
DECLARED = set(phases.TRANSITIONS)


@pytest.mark.parametrize("source,target", [(a, b) for a in ALL for b in ALL if a != b and (a, b) not in DECLARED])
def test_undeclared_moves_are_refused_with_both_phases_named(tree, source, target):
    campaign = town_campaign(tree)
    campaign.phase = source
    campaign.save(update_fields=["phase"])
    with pytest.raises(ValidationError) as exc:
        services.phase_move(actor=None, campaign=campaign, to=target)
    text = " ".join(exc.value.messages)
    assert str(Phase(source).label) in text and str(Phase(target).label) in text


def test_topics_cannot_open_before_the_list_is_published(tree):
    campaign = town_campaign(tree)
    with pytest.raises(ValidationError) as exc:
        services.phase_move(actor=None, campaign=campaign, to=Phase.TOPICS)
    assert "还没有点名任何述职对象" in exc.value.messages[0]
    choose(campaign, tree.village_a1)
    with pytest.raises(ValidationError) as exc:
        services.phase_move(actor=None, campaign=campaign, to=Phase.TOPICS)
    assert "尚未审批公示" in exc.value.messages[0]


def test_reporting_cannot_open_while_a_subject_has_no_topic_and_names_it(tree):
    campaign = in_topics(tree)
    first, second = campaign.subjects.order_by("order")
    services.subject_topic_set(actor=None, subject=first, topic="如何把美丽资源变成美丽经济")
    with pytest.raises(ValidationError) as exc:
        services.phase_move(actor=None, campaign=campaign, to=Phase.REPORTING)
    assert "还有 1 个述职对象没有题目" in exc.value.messages[0]
    assert second.organization.display_name in exc.value.messages[0]
    services.subject_topic_set(actor=None, subject=second, topic="村级集体经济如何增收")
    services.phase_move(actor=None, campaign=campaign, to=Phase.REPORTING)
    assert campaign.phase == Phase.REPORTING


def _walk_to(campaign, target):
    """Fulfil each move's needs and advance until ``target``."""
    while campaign.phase != target:
        subjects = list(campaign.subjects.all())
        if campaign.phase == Phase.TOPICS:
            for s in subjects:
                services.subject_topic_set(actor=None, subject=s, topic="如何把美丽资源变成美丽经济")
        elif campaign.phase == Phase.REPORTING:
            for s in subjects:
                services.subject_update(actor=None, subject=s, status=S.REPORTED)
        elif campaign.phase == Phase.APPRAISAL:
            for s in subjects:
                services.subject_update(actor=None, subject=s, status=S.APPRAISED, score=75.0,
                                        rectification=Subject.Rectification.OPEN)
        nxt = ALL[ALL.index(campaign.phase) + 1]
        campaign = services.phase_move(actor=None, campaign=campaign, to=nxt)
    return campaign


def test_appraisal_needs_every_subject_reported(tree):
    campaign = _walk_to(in_topics(tree), Phase.REPORTING)
    services.subject_update(actor=None, subject=campaign.subjects.first(), status=S.REPORTED)
    with pytest.raises(ValidationError, match="尚未述职"):
        services.phase_move(actor=None, campaign=campaign, to=Phase.APPRAISAL)


def test_rectification_needs_every_result_published(tree):
    campaign = _walk_to(in_topics(tree), Phase.APPRAISAL)
    services.subject_update(actor=None, subject=campaign.subjects.first(), status=S.APPRAISED)
    with pytest.raises(ValidationError, match="评议结果尚未公布"):
        services.phase_move(actor=None, campaign=campaign, to=Phase.RECTIFICATION)


def test_archiving_needs_every_rectification_closed_or_carried_over(tree):
    campaign = _walk_to(in_topics(tree), Phase.RECTIFICATION)
    with pytest.raises(ValidationError, match="还有 2 项整改未销号或结转"):
        services.phase_move(actor=None, campaign=campaign, to=Phase.ARCHIVED)
    a, b = campaign.subjects.all()
    services.subject_update(actor=None, subject=a, rectification=Subject.Rectification.CLOSED)
    services.subject_update(actor=None, subject=b, rectification=Subject.Rectification.CARRIED_OVER)
    services.phase_move(actor=None, campaign=campaign, to=Phase.ARCHIVED)
    assert campaign.phase == Phase.ARCHIVED


def test_archived_campaign_cannot_be_reopened_or_edited(tree):
    campaign = _walk_to(in_topics(tree), Phase.RECTIFICATION)
    for s in campaign.subjects.all():
        services.subject_update(actor=None, subject=s, rectification=Subject.Rectification.CLOSED)
    campaign = services.phase_move(actor=None, campaign=campaign, to=Phase.ARCHIVED)
    with pytest.raises(ValidationError):
        services.phase_move(actor=None, campaign=campaign, to=Phase.RECTIFICATION)
    with pytest.raises(ValidationError, match="已归档"):
        services.campaign_update(actor=None, campaign=campaign, title="改名")


def test_town_admin_moves_own_campaign_forward(tree, users):
    campaign = published(tree)
    services.phase_move(actor=users.town_admin, campaign=campaign, to=Phase.TOPICS)
    assert campaign.phase == Phase.TOPICS


def test_moving_back_is_for_the_level_above_not_the_convener(tree, users):
    campaign = in_topics(tree)
    with pytest.raises(PermissionDenied, match="海盐县委（上级）的管理员"):
        services.phase_move(actor=users.town_admin, campaign=campaign, to=Phase.NOMINATE)
    services.phase_move(actor=users.county_admin, campaign=campaign, to=Phase.NOMINATE, note="名单有误")
    assert campaign.phase == Phase.NOMINATE


@pytest.mark.parametrize("who", ["other_town_admin", "secretary", "evaluator", "point_staff", "public"])
def test_nobody_outside_the_convener_may_move_a_campaign_forward(tree, users, who):
    campaign = published(tree)
    with pytest.raises(PermissionDenied):
        services.phase_move(actor=getattr(users, who), campaign=campaign, to=Phase.TOPICS)
    campaign.refresh_from_db()
    assert campaign.phase == Phase.NOMINATE


def test_every_move_is_in_the_audit_log_with_actor_and_note(tree, users):
    campaign = in_topics(tree)
    services.phase_move(actor=users.county_admin, campaign=campaign, to=Phase.NOMINATE, note="名单有误")
    event = AuditEvent.objects.filter(action="campaign.phase", target_id=str(campaign.pk)).first()
    assert event.actor == users.county_admin
    assert event.changes == {"phase": ["点题", "点名"]}
    assert event.note == "名单有误"


def test_available_moves_show_what_is_missing(tree, users):
    campaign = in_topics(tree)
    moves = phases.available(users.town_admin, campaign)
    assert [(m.target, bool(missing)) for m, missing in moves] == [(Phase.REPORTING, True)]
    county_moves = {m.target for m, _ in phases.available(users.county_admin, campaign)}
    assert county_moves == {Phase.REPORTING, Phase.NOMINATE}
