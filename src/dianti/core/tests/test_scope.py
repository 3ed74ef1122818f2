"""The scope helper: which organizations a user may see and manage, as path ranges."""

from __future__ import annotations

from typing import Any

import pytest

from dianti.core import scope
from dianti.orgs import services
from dianti.orgs.models import Organization, Person, Role


def names(qs: Any) -> set[str]:
    return set(qs.values_list("code", flat=True))


@pytest.mark.parametrize(
    ("username", "view", "manage"),
    [
        ("county_admin", {"330424", "330424105", "330424104", "330424105201", "33042410520101", "330424105202",
                          "330424104201"}, True),
        ("town_admin", {"330424105", "330424105201", "33042410520101", "330424105202"}, True),
        ("other_town_admin", {"330424104", "330424104201"}, True),
        ("secretary", {"330424105201", "33042410520101"}, False),
        ("evaluator", {"330424105", "330424105201", "33042410520101", "330424105202"}, False),
        ("public", set(), False),
    ],
)
def test_each_role_sees_exactly_its_subtree(users: Any, username: str, view: set[str], manage: bool) -> None:
    user = getattr(users, username)
    assert names(scope.restrict(Organization.objects.all(), user)) == view
    managed = names(scope.restrict(Organization.objects.all(), user, manage=True))
    assert managed == (view if manage else set())
    assert scope.scope_for(user).is_admin is manage


def test_superuser_sees_and_manages_everything(users: Any) -> None:
    sc = scope.scope_for(users.superuser)
    assert sc.everything and sc.is_admin
    assert scope.restrict(Organization.objects.all(), users.superuser).count() == Organization.objects.count()


def test_anonymous_and_inactive_users_see_nothing(users: Any) -> None:
    from django.contrib.auth.models import AnonymousUser

    assert scope.restrict(Organization.objects.all(), AnonymousUser()).count() == 0
    users.town_admin.is_active = False
    scope.forget(users.town_admin)
    assert scope.scope_for(users.town_admin) == scope.NOBODY


def test_overlapping_grants_collapse_to_the_outermost_root(tree: Any, users: Any) -> None:
    services.role_grant(actor=None, user=users.town_admin, organization=tree.village_a1, role=Role.SECRETARY)
    assert scope.scope_for(users.town_admin).view_roots == (tree.town_a.path,)


def test_new_grant_takes_effect_without_a_new_login(tree: Any, users: Any) -> None:
    assert not scope.scope_for(users.town_admin).can_view_path(tree.village_b1.path)
    services.role_grant(actor=users.county_admin, user=users.town_admin, organization=tree.town_b,
                        role=Role.EVALUATOR)
    sc = scope.scope_for(users.town_admin)
    assert sc.can_view_path(tree.village_b1.path)
    assert not sc.can_manage_path(tree.village_b1.path)


def test_people_are_scoped_by_their_organization_path(tree: Any, users: Any) -> None:
    services.person_create(actor=None, name="李四", organization=tree.village_b1)
    visible = scope.restrict(Person.objects.all(), users.town_admin, "org_path")
    assert list(visible.values_list("name", flat=True)) == ["张书记"]


def test_scope_is_cached_per_user_object(users: Any, django_assert_num_queries: Any) -> None:
    scope.forget(users.town_admin)
    with django_assert_num_queries(1):
        scope.scope_for(users.town_admin)
        scope.scope_for(users.town_admin)
