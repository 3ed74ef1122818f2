"""A place's concern chosen as a secretary's topic: its opinions gather into the assigned topic, so their tracking
pages say they fed the secretary's topic; no supporter is lost or counted twice; a refused topic gathers nothing."""

from __future__ import annotations

import contextlib
import threading

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse

from dianti.campaigns.models import Subject
from dianti.campaigns.tests.factories import in_topics
from dianti.core.models import OutboundMessage
from dianti.voices import place_topics, places, topics
from dianti.voices.figures import refresh
from dianti.voices.mining_bridge import mine_organization
from dianti.voices.models import AssignedTopic, Opinion, Support, Topic
from dianti.voices.topics import DuplicateTopic

from .factories import opinion
from .test_places import OLD_STREET

ELSEWHERE = ["北横路的路灯晚上不亮", "东港桥路灯坏了没人修", "北横路路灯坏了好久了", "东港桥的垃圾桶满了没人清"]
TITLE = "老街的路灯、垃圾、路面等问题如何统筹解决"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


@pytest.fixture
def village(tree):
    campaign = in_topics(tree)
    for i, text in enumerate(OLD_STREET + ELSEWHERE):
        opinion(tree.village_a1, text, who=f"p{i}")
    mine_organization(tree.village_a1, campaign)
    return Subject.objects.get(campaign=campaign, organization=tree.village_a1)


def _old_street(subject: Subject) -> list[Opinion]:
    return next(p for p in places.places_for_subject(subject) if p.name == "老街").opinions


def test_choosing_a_place_gathers_its_opinions_into_the_assigned_topic(village, users):
    gathered = {o.pk for o in _old_street(village)}
    place_topics.place_topic_assign(actor=users.town_admin, subject=village, place="老街", text=TITLE)
    chosen = AssignedTopic.objects.get(subject=village).topic
    assert chosen.title == TITLE and chosen.curated
    assert set(Opinion.objects.filter(topic=chosen).values_list("pk", flat=True)) == gathered
    assert (chosen.size, chosen.people) == (4, 4)
    village.refresh_from_db()
    assert village.topic == TITLE


def test_the_topics_the_opinions_leave_keep_their_other_opinions(village, users):
    before = {o.pk: o.topic_id for o in Opinion.objects.filter(organization=village.organization)}
    place_topics.place_topic_assign(actor=users.town_admin, subject=village, place="老街", text=TITLE)
    chosen = AssignedTopic.objects.get(subject=village).topic_id
    for pk, topic_id in before.items():
        now = Opinion.objects.get(pk=pk).topic_id
        assert now == chosen or now == topic_id  # an opinion of elsewhere stays where it was
    for topic in Topic.objects.exclude(pk=chosen):
        assert topic.size == Opinion.objects.filter(topic=topic).count() > 0  # refreshed; none left empty


def _hand_topic(subject: Subject, title: str, members: list[Opinion]) -> Topic:
    topic = Topic.objects.create(organization=subject.organization, org_path=subject.organization.path,
                                 campaign=subject.campaign, title=title)
    Opinion.objects.filter(pk__in=[o.pk for o in members]).update(topic=topic)
    return topic


def test_no_supporter_is_lost_or_counted_twice(village, users):
    first, second, *_rest = _old_street(village)
    source = _hand_topic(village, "路灯", [first, Opinion.objects.get(text=ELSEWHERE[0])])  # half of it is elsewhere
    Support.objects.create(topic=source, device_hash="both", phone_hash="phone-1")
    Support.objects.create(opinion=second, device_hash="both")  # the same device, on a moved opinion
    Support.objects.create(topic=source, device_hash="topic-only")
    kept = refresh(source.pk).supports

    place_topics.place_topic_assign(actor=users.town_admin, subject=village, place="老街", text=TITLE)

    chosen = AssignedTopic.objects.get(subject=village).topic
    assert chosen.supports == 2  # "both" once, "topic-only" once
    assert chosen.verified_people == 1
    left = Topic.objects.get(pk=source.pk)  # it keeps its opinion of elsewhere, and its own +1s with it
    assert left.size == 1 and left.supports == kept == 2 and left.curated


def test_a_topic_left_empty_is_folded_into_the_gathered_one(village, users):
    first, second, *_rest = _old_street(village)
    emptied = _hand_topic(village, "老街路灯和垃圾", [first, second])
    Support.objects.create(topic=emptied, device_hash="d1", phone_hash="phone-1")
    Support.objects.create(topic=emptied, device_hash="d2")
    place_topics.place_topic_assign(actor=users.town_admin, subject=village, place="老街", text=TITLE)
    chosen = AssignedTopic.objects.get(subject=village).topic
    assert not Topic.objects.filter(pk=emptied.pk).exists()
    assert set(Support.objects.filter(topic=chosen).values_list("device_hash", flat=True)) == {"d1", "d2"}
    assert (chosen.supports, chosen.verified_people) == (2, 1)


def test_choosing_the_same_place_again_reuses_the_gathered_topic(village, users):
    place_topics.place_topic_assign(actor=users.town_admin, subject=village, place="老街", text=TITLE)
    first = AssignedTopic.objects.get(subject=village).topic_id
    place_topics.place_topic_assign(actor=users.town_admin, subject=village, place="老街", text="老街如何整治")
    chosen = AssignedTopic.objects.get(subject=village).topic
    assert chosen.pk == first and chosen.title == "老街如何整治" and chosen.size == 4


def test_the_people_of_the_place_who_left_a_phone_are_told(village, users, django_capture_on_commit_callbacks):
    said = _old_street(village)[0]
    Opinion.objects.filter(pk=said.pk).update(author_phone="13900001111", author_name="王阿姨")
    elsewhere = Opinion.objects.get(text=ELSEWHERE[0])
    Opinion.objects.filter(pk=elsewhere.pk).update(author_phone="13900002222", author_name="李伯")
    with django_capture_on_commit_callbacks(execute=True):
        place_topics.place_topic_assign(actor=users.town_admin, subject=village, place="老街", text=TITLE)
    # (to_address is encrypted at rest: compare what it decrypts to.)
    told = {m.to_address for m in OutboundMessage.objects.filter(kind="opinion_chosen")}
    assert "13900001111" in told and "13900002222" not in told


def test_a_refused_duplicate_topic_gathers_nothing(village, users, tree):
    other = Subject.objects.filter(campaign=village.campaign).exclude(pk=village.pk).first()
    other.topic = TITLE
    other.save(update_fields=["topic"])
    before = dict(Opinion.objects.values_list("pk", "topic_id"))
    with pytest.raises(DuplicateTopic):
        place_topics.place_topic_assign(actor=users.town_admin, subject=village, place="老街", text=TITLE)
    assert dict(Opinion.objects.values_list("pk", "topic_id")) == before
    assert not AssignedTopic.objects.filter(subject=village).exists()


def test_a_place_no_longer_named_is_refused(village, users):
    with pytest.raises(ValidationError):
        place_topics.place_topic_assign(actor=users.town_admin, subject=village, place="南大街", text=TITLE)


def test_the_tracking_page_of_a_place_opinion_says_it_became_the_topic(village, users, client):
    code = _old_street(village)[-1].tracking_code
    page = client.get(reverse("voices_track", args=[code])).content.decode()
    assert "尚未被确定为述职题目" in page or "已点题" not in page
    place_topics.place_topic_assign(actor=users.town_admin, subject=village, place="老街", text=TITLE)
    page = client.get(reverse("voices_track", args=[code])).content.decode()
    assert "已点题" in page and TITLE in page
    elsewhere = Opinion.objects.get(text=ELSEWHERE[3]).tracking_code
    assert "已点题" not in client.get(reverse("voices_track", args=[elsewhere])).content.decode()


def test_an_admin_of_another_town_cannot_gather_a_places_opinions(village, users):
    before = dict(Opinion.objects.values_list("pk", "topic_id"))
    with pytest.raises(PermissionDenied):
        place_topics.place_topic_gather(actor=users.other_town_admin, subject=village, place="老街", title=TITLE)
    assert dict(Opinion.objects.values_list("pk", "topic_id")) == before


@pytest.mark.django_db(transaction=True)
def test_two_gathers_of_the_same_place_at_once_leave_one_topic_and_no_empty_one(village, users, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writing transaction at a time: no race to lose")
    both = threading.Barrier(2)
    read = place_topics._place_opinions

    def read_together(subject, place):
        found = read(subject, place)
        # Both requests read the place before either writes (a double click); when one waits for the other's
        # lock instead, the barrier breaks and this one goes on.
        with contextlib.suppress(threading.BrokenBarrierError):
            both.wait(timeout=3)
        return found

    monkeypatch.setattr(place_topics, "_place_opinions", read_together)
    errors = []

    def submit():
        try:
            place_topics.place_topic_assign(actor=users.town_admin, subject=Subject.objects.get(pk=village.pk),
                                            place="老街", text=TITLE)
        except Exception as exc:  # noqa: BLE001 — reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors
    chosen = AssignedTopic.objects.get(subject=village).topic
    assert Opinion.objects.filter(topic=chosen).count() == chosen.size == 4
    empty = [t.title for t in Topic.objects.filter(organization=village.organization)
             if not Opinion.objects.filter(topic=t).exists()]
    assert empty == []


def test_opinions_behind_an_earlier_secretarys_topic_stay_with_it(village, users, tree):
    earlier = Subject.objects.get(campaign=in_topics(tree, year=2019), organization=village.organization)
    first, second, *_rest = _old_street(village)
    before = _hand_topic(earlier, "老街路灯如何修复", [first, second])
    topics.topic_assign(actor=users.town_admin, subject=earlier, text="老街路灯如何修复", topic=before)

    place_topics.place_topic_assign(actor=users.town_admin, subject=village, place="老街", text=TITLE)

    kept = AssignedTopic.objects.get(subject=earlier).topic  # the earlier campaign's record is not rewritten
    assert kept.pk == before.pk and kept.title == "老街路灯如何修复"
    assert set(Opinion.objects.filter(topic=kept).values_list("pk", flat=True)) == {first.pk, second.pk}
    chosen = AssignedTopic.objects.get(subject=village).topic
    assert chosen.pk != before.pk and Opinion.objects.filter(topic=chosen).count() == 2


def test_the_gathered_topic_is_of_the_subjects_campaign(village, users, tree):
    earlier = Subject.objects.get(campaign=in_topics(tree, year=2019), organization=village.organization)
    _hand_topic(earlier, "老街的问题", _old_street(village))  # mined for the earlier campaign, never chosen
    place_topics.place_topic_assign(actor=users.town_admin, subject=village, place="老街", text=TITLE)
    chosen = AssignedTopic.objects.get(subject=village).topic
    assert chosen.campaign_id == village.campaign_id and chosen.size == 4


def test_only_the_conveners_admins_gather_a_place_by_url_and_nobody_else_learns_it_exists(village, users, client):
    before = dict(Opinion.objects.values_list("pk", "topic_id"))
    url = reverse("voices_assign", args=[village.pk])
    places_url = reverse("voices_workbench_places", args=[village.pk])
    for user, refused in ((users.secretary, (403, 404)), (users.evaluator, (403, 404)),
                          (users.point_staff, (403, 404)), (users.other_town_admin, (404,))):
        client.force_login(user)
        assert client.post(url, {"place": "老街", "text": TITLE}).status_code in refused, user
        assert client.get(places_url).status_code in refused, user
    assert dict(Opinion.objects.values_list("pk", "topic_id")) == before
    assert not AssignedTopic.objects.filter(subject=village).exists()
