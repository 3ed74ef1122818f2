"""`dianti demo` builds Haiyan County as the source describes it, with one login per role, and is idempotent."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.db.models import Count

from dianti.core import scope
from dianti.core.models import AuditEvent
from dianti.orgs import demo, services
from dianti.orgs.models import ContactPoint, Membership, Organization, Person, RoleGrant

TOWNS = {"武原街道", "西塘桥街道", "望海街道", "秦山街道", "沈荡镇", "百步镇", "于城镇", "澉浦镇", "通元镇"}


def snapshot() -> dict[str, int]:
    return {model.__name__: model.objects.count()
            for model in (Organization, Person, Membership, RoleGrant, ContactPoint, AuditEvent, get_user_model())}


@pytest.mark.slow
def test_demo_builds_haiyan_with_logins_and_loading_twice_changes_nothing(db: Any) -> None:
    out = io.StringIO()
    call_command("demo", stdout=out)
    haiyan = Organization.objects.get(code="330424")
    assert haiyan.name == "中共海盐县委员会" and haiyan.parent.code == "330400"

    # 1,484 grassroots organizations, under 9 towns/streets with their real names.
    assert Organization.objects.subtree(haiyan.path).grassroots().count() == 1484
    towns = Organization.objects.filter(parent=haiyan)
    assert {t.short_name for t in towns} == TOWNS
    assert {t.level for t in towns} == {"town"}
    tongyuan = towns.get(short_name="通元镇")
    assert tongyuan.code == "330424105"
    assert tongyuan.children.filter(field="village").count() == 14  # 通元镇 has 14 administrative villages
    assert set(Organization.objects.subtree(haiyan.path).grassroots().values_list("field", flat=True)) >= {
        "village", "community", "private", "organ", "school", "hospital", "soe", "social", "institution"}

    # Every grassroots organization has a secretary who holds the 书记 position there.
    grassroots = Organization.objects.subtree(haiyan.path).grassroots()
    assert not grassroots.filter(secretary__isnull=True).exists()
    assert Membership.objects.filter(position="secretary", organization__in=grassroots).count() == 1484
    assert ContactPoint.objects.filter(kind="direct_report").count() == 120
    assert ContactPoint.objects.filter(kind="observation").count() == 85
    phones = Person.objects.exclude(phone="").values_list("phone", flat=True)  # decrypted on read
    assert all(re.fullmatch(r"1[3-9]\d{9}", p) for p in phones)

    # Paths and counters are consistent: a new child does not collide with the bulk-loaded ones.
    depth_of = {o.pk: (o.path, o.depth) for o in Organization.objects.all()}
    for org in Organization.objects.exclude(parent=None).only("path", "depth", "parent_id"):
        parent_path, parent_depth = depth_of[org.parent_id]
        assert org.path.startswith(parent_path) and org.depth == parent_depth + 1
    busiest = Organization.objects.annotate(n=Count("children")).order_by("-n").first()
    assert busiest.child_counter >= busiest.n
    services.org_create(actor=None, code="330424105299", name="新建村", parent=tongyuan)

    # One login per role, on the organization the demo names, with the printed password.
    for username, _display, role, code in demo.DEMO_USERS:
        user = authenticate(username=username, password=demo.DEMO_PASSWORD)
        assert user is not None, username
        assert RoleGrant.objects.filter(user=user, role=role, organization__code=code).exists()
        assert username in out.getvalue()
    town_admin = get_user_model().objects.get(username="town_admin")
    assert scope.scope_for(town_admin).view_roots == (tongyuan.path,) and town_admin.is_staff
    secretary = get_user_model().objects.get(username="secretary")
    assert secretary.person == Organization.objects.get(code="330424105201").secretary

    # Every approval in the demo was made by the person core/rules.py names (see core/tests/rules_demo.py).
    from dianti.core.tests.rules_demo import assert_demo_approvals_follow_the_rules

    assert_demo_approvals_follow_the_rules()

    before = snapshot()
    again = io.StringIO()
    call_command("demo", "--quiet-logins", stdout=again)
    assert "演示数据已存在，未重复载入" in again.getvalue()
    assert snapshot() == before
