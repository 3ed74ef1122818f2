"""Domain events: one way for steps to tell each other what happened. Each event says when its subscribers run;
a failing subscriber never leaves the publisher half-done, and what failed is shown to staff and can be retried."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from dianti.core import audit, components, events
from dianti.core.models import AuditEvent, EventFailure, Notification
from dianti.testing.components import plugged


def _publisher(when: str) -> components.Component:
    return components.Component(label="test_publisher", name="测试发布", order=998, publishes=(
        events.Event("test_happened", when, ("what", "org_path"), "测试事件"),))


def _writes(*, actor: Any, what: str, org_path: str) -> None:
    """A subscriber that writes (a notification to its actor), so a rollback is visible."""
    Notification.objects.create(recipient=actor, kind="test", title=what)


def _fails(*, actor: Any, what: str, org_path: str) -> None:
    Notification.objects.create(recipient=actor, kind="test", title="half")
    raise RuntimeError("订阅方出错")


def _subscribers(*fns: Any) -> list[components.Component]:
    return [components.Component(label=f"test_sub{i}", name=f"测试订阅{i}", order=999 + i,
                                 subscribes={"test_happened": fn}) for i, fn in enumerate(fns)]


def _act(user: Any, org_path: str) -> None:
    """The publisher's act: an audit record, then the event."""
    with transaction.atomic():
        audit.record(actor=user, action="test.act", target=None, org_path=org_path)
        events.publish("test_happened", actor=user, what="做了", org_path=org_path)


def _plug(when: str, *fns: Any) -> Any:
    from contextlib import ExitStack

    stack = ExitStack()
    stack.enter_context(plugged(_publisher(when)))
    for c in _subscribers(*fns):
        stack.enter_context(plugged(c))
    return stack


def test_an_undeclared_event_or_a_wrong_payload_is_refused(users: Any) -> None:
    with pytest.raises(LookupError):
        events.publish("no_such_event", actor=None, x=1)
    with _plug(events.IN_TRANSACTION, _writes), transaction.atomic(), pytest.raises(TypeError):
        events.publish("test_happened", actor=None, what="x")


@pytest.mark.django_db(transaction=True)
def test_in_transaction_events_must_be_published_inside_the_act() -> None:
    with _plug(events.IN_TRANSACTION, _writes), pytest.raises(RuntimeError, match="atomic"):
        events.publish("test_happened", actor=None, what="x", org_path="")


def test_in_transaction_a_failing_subscriber_undoes_the_whole_act(users: Any, tree: Any) -> None:
    with _plug(events.IN_TRANSACTION, _writes, _fails), pytest.raises(RuntimeError):
        _act(users.town_admin, tree.town_a.path)
    assert not AuditEvent.objects.filter(action="test.act").exists()
    assert not Notification.objects.filter(kind="test").exists()
    assert not EventFailure.objects.exists()


def test_in_savepoint_the_act_stands_and_only_the_failing_subscriber_is_undone_and_recorded(users: Any,
                                                                                           tree: Any) -> None:
    with _plug(events.IN_SAVEPOINT, _fails, _writes):
        _act(users.town_admin, tree.town_a.path)
    assert AuditEvent.objects.filter(action="test.act").exists()
    assert list(Notification.objects.filter(kind="test").values_list("title", flat=True)) == ["做了"]  # not "half"
    failure = EventFailure.objects.get()
    assert (failure.event, failure.subscriber, failure.payload, failure.actor) == (
        "test_happened", "test_sub0", {"what": "做了", "org_path": tree.town_a.path}, users.town_admin)
    assert "订阅方出错" in failure.error


def test_on_commit_nothing_runs_before_the_commit_and_a_failure_is_recorded_after(
        users: Any, tree: Any, django_capture_on_commit_callbacks: Any) -> None:
    with _plug(events.ON_COMMIT, _fails, _writes):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            _act(users.town_admin, tree.town_a.path)
        assert not Notification.objects.filter(kind="test").exists() and not EventFailure.objects.exists()
        for callback in callbacks:
            callback()
    assert list(Notification.objects.filter(kind="test").values_list("title", flat=True)) == ["做了"]
    assert EventFailure.objects.get().subscriber == "test_sub0"


def test_a_recorded_failure_is_on_the_admins_home_page_and_a_retry_resolves_it(users: Any, tree: Any,
                                                                              client: Any) -> None:
    flaky = {"fail": True}

    def sometimes(*, actor: Any, what: str, org_path: str) -> None:
        if flaky["fail"]:
            raise RuntimeError("暂时不可用")
        Notification.objects.create(recipient=actor, kind="test", title="补做")

    with _plug(events.IN_SAVEPOINT, sometimes):
        _act(users.town_admin, tree.town_a.path)
        client.force_login(users.town_admin)
        assert "1 项后续处理出错未完成" in client.get(reverse("home")).content.decode()
        page = client.get(reverse("event_failures")).content.decode()
        assert "测试事件" in page and "测试订阅0" in page and "暂时不可用" in page
        failure = EventFailure.objects.get()
        client.post(reverse("event_retry", args=[failure.pk]))  # still failing: kept, counted
        failure.refresh_from_db()
        assert (failure.attempts, failure.resolved_at) == (2, None)
        flaky["fail"] = False
        client.post(reverse("event_retry", args=[failure.pk]))
    failure.refresh_from_db()
    assert failure.resolved_at is not None and failure.resolved_by == users.town_admin
    assert Notification.objects.get(kind="test").recipient == users.town_admin  # run as the one who retried
    assert AuditEvent.objects.filter(action="event.retry").exists()
    assert "后续处理出错" not in client.get(reverse("home")).content.decode()


def test_another_towns_admin_neither_sees_nor_retries_the_failure(users: Any, tree: Any, client: Any) -> None:
    with _plug(events.IN_SAVEPOINT, _fails):
        _act(users.town_admin, tree.town_a.path)
        failure = EventFailure.objects.get()
        client.force_login(users.other_town_admin)
        assert "后续处理出错" not in client.get(reverse("home")).content.decode()
        assert "订阅方出错" not in client.get(reverse("event_failures")).content.decode()
        assert client.post(reverse("event_retry", args=[failure.pk])).status_code == 404
        client.force_login(users.county_admin)  # the level above sees its subtree's
        assert "订阅方出错" in client.get(reverse("event_failures")).content.decode()


def test_every_declared_event_says_when_and_why_and_carries_its_organization() -> None:
    declared = events.declared()
    assert {"meeting_closed", "proposal_confirmed", "topic_assigned", "case_moved"} <= set(declared)
    for event in declared.values():
        assert event.when in events.WHEN and event.why and event.label, event.name
        assert "org_path" in event.payload, f"{event.name}: a recorded failure must be placed in the tree"


def test_two_retries_at_once_run_the_follow_up_once(users: Any, tree: Any) -> None:
    """A double click on 重试 (two requests that both read the failure unresolved) must not run it twice: a second
    SMS to every villager behind a topic, say."""
    runs: list[str] = []

    def counts(*, actor: Any, what: str, org_path: str) -> None:
        runs.append(what)
        if len(runs) == 1:
            raise RuntimeError("暂时不可用")

    with _plug(events.IN_SAVEPOINT, counts):
        _act(users.town_admin, tree.town_a.path)
        first, second = EventFailure.objects.get(), EventFailure.objects.get()  # what each request read
        assert events.failure_retry(actor=users.town_admin, failure=first)
        with pytest.raises(ValidationError):
            events.failure_retry(actor=users.county_admin, failure=second)
    assert runs == ["做了", "做了"]  # the publication, then one retry
    failure = EventFailure.objects.get()
    assert (failure.attempts, failure.resolved_by) == (2, users.town_admin)
