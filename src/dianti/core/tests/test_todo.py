"""待办 in the kernel: every step's items stamped and sorted by urgency, the home page listing them with kind and
deadline, the bar's counts drawn after the page loads from a kept summary, and a person's own act refreshing it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone

from dianti.campaigns import roster
from dianti.campaigns.tests.factories import choose, town_campaign
from dianti.core import components, todo
from dianti.core.components import Component, Todo
from dianti.testing.components import plugged

TODAY = timezone.localdate()


def _days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def test_items_come_overdue_first_then_by_deadline_then_undated_in_cycle_order(users: Any) -> None:
    early = [Todo("undated, early step", "/a/"), Todo("due in 9 days", "/b/", deadline=_days(9))]
    late = [Todo("overdue by 3 days", "/c/", deadline=_days(-3)), Todo("undated, late step", "/d/"),
            Todo("overdue by 30 days", "/e/", deadline=_days(-30)), Todo("due today", "/f/", deadline=TODAY)]
    with plugged(Component(label="test_early", name="early", order=1, todo=lambda user: early)), \
            plugged(Component(label="test_late", name="late", order=99, todo=lambda user: late)):
        mine = [i for i in components.todo_for(users.public) if i.step.startswith("test_")]
    assert [i.label for i in mine] == ["overdue by 30 days", "overdue by 3 days", "due today", "due in 9 days",
                                       "undated, early step", "undated, late step"]
    assert [i.step for i in mine] == ["test_late", "test_late", "test_late", "test_early", "test_early", "test_late"]
    assert [i.overdue for i in mine] == [True, True, False, False, False, False]


def test_a_badge_counts_the_items_under_each_entry_of_the_bar() -> None:
    summary = todo.Summary(("/campaigns/5/", "/campaigns/?behind=1", "/voices/subjects/3/", "/elsewhere/"))
    assert summary.badges(["/", "/campaigns/", "/campaigns/mine/", "/voices/", "/meetings/"]) == {
        "/campaigns/": 2, "/voices/": 1}
    # The longest prefix wins: a secretary's item on 我的述职 does not count on 述职活动.
    assert todo.Summary(("/campaigns/mine/",)).badges(["/campaigns/", "/campaigns/mine/"]) == {"/campaigns/mine/": 1}
    assert summary.total == 4


def _submit_list(tree: Any, users: Any) -> Any:
    campaign = town_campaign(tree, actor=users.town_admin, deadlines={"nominate": _days(-2).isoformat()})
    choose(campaign, tree.village_a1, actor=users.town_admin)
    roster.list_submit(actor=users.town_admin, campaign=campaign)
    return campaign


def test_the_home_page_lists_each_item_with_its_kind_and_deadline_and_counts_it_in_the_bar(
        tree: Any, users: Any, client: Any) -> None:
    campaign = _submit_list(tree, users)
    client.force_login(users.county_admin)
    page = client.get(reverse("home"))
    body = page.content.decode()
    [item] = [i for i in page.context["todo"] if i.step == "campaigns" and "审批" in i.kind]
    assert item.deadline == _days(-2) and item.overdue
    assert f'href="{reverse("campaign_detail", args=[campaign.pk])}"' in body and "已逾期" in body
    assert 'class="nav-badge late"' in body  # 首页: the whole count, marked when something is overdue
    assert page.context["nav"][0][2] == len(page.context["todo"])
    # 述职活动 counts the list to approve and, the nominate deadline being past, the town's lag it should chase.
    assert {i.kind for i in page.context["todo"] if i.url.startswith("/campaigns/")} == {"审批", "督促"}
    assert ("述职活动", reverse("campaign_list"), 2) in page.context["nav"]
    assert 'hx-get="/todo/nav/"' not in body  # home hands its own counts to the bar


def test_other_pages_draw_the_bar_then_ask_for_its_counts(tree: Any, users: Any, client: Any,
                                                         django_assert_max_num_queries: Any) -> None:
    _submit_list(tree, users)
    client.force_login(users.county_admin)
    body = client.get(reverse("campaign_list")).content.decode()
    assert 'hx-get="/todo/nav/"' in body and "nav-badge" not in body
    counted = client.get(reverse("todo_nav"), headers={"HX-Request": "true",
                                                      "HX-Current-URL": "http://testserver/campaigns/"})
    nav = counted.content.decode()
    badged = {label for label, _url, n in client.get(reverse("home")).context["nav"] if n}
    assert nav.count("nav-badge") == len(badged) >= 2 and 'class="active" aria-current="page">述职活动' in nav
    assert "hx-get" not in nav  # answered once, never polling
    with django_assert_max_num_queries(8):  # a kept summary: no step is asked again within the minute
        assert client.get(reverse("todo_nav")).status_code == 200


def test_a_persons_own_act_refreshes_their_counts_at_once(tree: Any, users: Any, client: Any) -> None:
    campaign = _submit_list(tree, users)
    client.force_login(users.county_admin)
    assert todo.summary(users.county_admin).total >= 1
    before = todo.summary(users.county_admin).urls
    assert reverse("campaign_detail", args=[campaign.pk]) in before
    response = client.post(reverse("campaign_list_action", args=[campaign.pk, "approve"]))
    assert response.status_code == 302
    assert reverse("campaign_detail", args=[campaign.pk]) not in todo.summary(users.county_admin).urls


def test_someone_elses_act_reaches_the_badge_when_the_kept_summary_expires(tree: Any, users: Any) -> None:
    before = todo.summary(users.county_admin)
    campaign = _submit_list(tree, users)  # the town submits: the county's kept summary does not know yet
    assert todo.summary(users.county_admin) == before
    todo.forget(users.county_admin)  # what TODO_SECONDS does
    assert reverse("campaign_detail", args=[campaign.pk]) in todo.summary(users.county_admin).urls


def test_nothing_to_do_is_said_plainly(users: Any, client: Any) -> None:
    client.force_login(users.evaluator)
    page = client.get(reverse("home"))
    assert page.context["todo"] == [] and "目前没有需要您处理的事项" in page.content.decode()
