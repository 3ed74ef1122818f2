"""Kernel pages: the health check and the audit log (scoped to the admin's manage scope, filterable, exportable)."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from dianti.core.models import AuditEvent
from dianti.orgs import services
from dianti.orgs.models import Role


def test_healthz_answers_ok_without_login(client: Any, db: Any) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.fixture
def events(tree: Any, users: Any) -> dict[str, AuditEvent]:
    """One rename in each town, by that town's admin."""
    services.org_update(actor=users.town_admin, org=tree.village_a2, name="中共丰义村总支部委员会")
    a = AuditEvent.objects.latest("id")
    services.org_update(actor=users.other_town_admin, org=tree.village_b1, name="中共长墙山村总支部委员会")
    b = AuditEvent.objects.latest("id")
    return {"a": a, "b": b}


def shown(client: Any, **query: str) -> list[AuditEvent]:
    response = client.get(reverse("audit_log"), query)
    assert response.status_code == 200
    return list(response.context["page"].object_list)


def test_town_admin_sees_only_events_in_own_town(client: Any, tree: Any, users: Any, events: Any) -> None:
    client.force_login(users.town_admin)
    seen = shown(client)
    assert events["a"] in seen and events["b"] not in seen
    assert all(e.org_path.startswith(tree.town_a.path) for e in seen)
    assert "中共长墙山村总支部委员会" not in client.get(reverse("audit_log")).content.decode()


def test_view_only_grant_elsewhere_does_not_open_that_towns_audit_log(client: Any, tree: Any, users: Any,
                                                                     events: Any) -> None:
    services.role_grant(actor=None, user=users.town_admin, organization=tree.town_b, role=Role.EVALUATOR)
    client.force_login(users.town_admin)
    assert events["b"] not in shown(client)


def test_county_admin_sees_every_town(client: Any, users: Any, events: Any) -> None:
    client.force_login(users.county_admin)
    seen = shown(client)
    assert events["a"] in seen and events["b"] in seen


def test_superuser_also_sees_records_outside_the_tree(client: Any, users: Any) -> None:
    from dianti.core.tokens import token_create

    # A token of someone holding no role: its record belongs to no organization's tree (a county admin's own
    # token's record is in the county's, as their sign-ins are).
    token_create(actor=None, user=users.public, name="脚本")
    client.force_login(users.superuser)
    assert [e.action for e in shown(client, action="token.create")] == ["token.create"]
    client.force_login(users.county_admin)
    assert shown(client, action="token.create") == []


@pytest.mark.parametrize("username", ["secretary", "evaluator", "point_staff", "public"])
def test_non_admins_are_refused_the_audit_log(client: Any, users: Any, username: str) -> None:
    client.force_login(getattr(users, username))
    assert client.get(reverse("audit_log")).status_code == 403
    assert client.get(reverse("audit_log"), {"format": "xlsx"}).status_code == 403


def test_audit_log_shows_old_and_new_values(client: Any, users: Any, events: Any) -> None:
    client.force_login(users.town_admin)
    page = client.get(reverse("audit_log")).content.decode()
    assert "中共丰义村委员会" in page and "中共丰义村总支部委员会" in page


def test_filters_by_action_object_and_actor(client: Any, users: Any, events: Any) -> None:
    client.force_login(users.county_admin)
    by_action = shown(client, action="org.update")
    assert {e.action for e in by_action} == {"org.update"} and {events["a"], events["b"]} <= set(by_action)
    assert shown(client, q="长墙山村总支部") == [events["b"]]
    assert shown(client, actor="澉浦镇") == [events["b"]]
    assert shown(client, action="org.update", actor="通元镇") == [events["a"]]
    assert shown(client, action="no.such.action") == []
    assert "org.update" in client.get(reverse("audit_log")).context["actions"]


def test_filters_by_date_range(client: Any, tree: Any, users: Any) -> None:
    with time_machine.travel(dt.datetime(2026, 3, 1, 10, tzinfo=dt.UTC), tick=False):
        services.org_update(actor=users.county_admin, org=tree.village_a2, short_name="三月")
    with time_machine.travel(dt.datetime(2026, 5, 1, 10, tzinfo=dt.UTC), tick=False):
        services.org_update(actor=users.county_admin, org=tree.village_a2, short_name="五月")
    client.force_login(users.county_admin)

    def months(**query: str) -> list[str]:
        return [e.changes["short_name"][1] for e in shown(client, actor="县组织部", action="org.update", **query)]

    assert months(since="2026-04-01") == ["五月"]
    assert months(until="2026-04-01") == ["三月"]
    assert months(since="2026-03-01", until="2026-05-01") == ["五月", "三月"]
    assert months(since="not-a-date") == ["五月", "三月"]  # an unreadable date is ignored, not an error


def test_export_is_an_xlsx_of_the_filtered_records(client: Any, users: Any, events: Any) -> None:
    client.force_login(users.county_admin)
    response = client.get(reverse("audit_log"), {"action": "org.update", "actor": "镇管理员", "format": "xlsx"})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0] == ("时间", "操作人", "操作", "对象", "变更", "备注")
    assert [(r[1], r[2], r[3]) for r in rows[1:]] == [
        ("澉浦镇管理员", "org.update", "中共长墙山村总支部委员会"),
        ("通元镇管理员", "org.update", "中共丰义村总支部委员会"),
    ]
    assert json.loads(rows[2][4]) == {"name": ["中共丰义村委员会", "中共丰义村总支部委员会"]}


def test_town_admins_export_holds_only_own_town(client: Any, users: Any, events: Any) -> None:
    client.force_login(users.town_admin)
    response = client.get(reverse("audit_log"), {"format": "xlsx"})
    text = " ".join(str(v) for r in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)
                    for v in r)
    assert "中共丰义村总支部委员会" in text and "长墙山" not in text and "澉浦镇管理员" not in text


def test_the_home_page_offers_the_audit_log_only_to_admins(client: Any, users: Any) -> None:
    client.force_login(users.town_admin)
    assert f'href="{reverse("audit_log")}"' in client.get(reverse("home")).content.decode()
    client.force_login(users.secretary)
    assert f'href="{reverse("audit_log")}"' not in client.get(reverse("home")).content.decode()


def test_favicon_is_served_and_linked_from_every_page(client: Any, db: Any) -> None:
    from django.contrib.staticfiles import finders

    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert finders.find(response.url.removeprefix("/static/")) is not None
    login = client.get(reverse("login")).content.decode()
    assert 'rel="icon"' in login and "favicon" in login


def test_length_messages_speak_the_users_language(tree: Any, client: Any) -> None:
    from django import forms

    class Form(forms.Form):
        text = forms.CharField(max_length=10, min_length=2)

    assert Form({"text": "一" * 12}).errors["text"] == ["最多 10 个字（现在 12 个），请删减一些"]
    assert Form({"text": "一"}).errors["text"] == ["至少要写 2 个字（现在 1 个）"]
    page = client.post(reverse("voices_public", args=[tree.village_a1.code]), {"text": "路" * 4001}).content.decode()
    assert "最多 4000 个字（现在 4001 个）" in page and "变量" not in page
