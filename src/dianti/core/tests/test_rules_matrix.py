"""The institution's rules, walked cell by cell: every row of core/rules.py × every named role × own level, the
level above and another branch, through the service, the page and the API.

What each role may do is written here by hand from the rule's *level* (not computed by core/rules.py), so the
test fails if a service, a page or the API lets the wrong person act, or refuses the right one. A new row in
RULES without a scenario in rules_scenarios.py fails ``test_every_rule_has_a_scenario``.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from dianti.core import rules

from .rules_scenarios import SCENARIOS, Scenario

pytestmark = pytest.mark.django_db

ROLES = ["town_admin", "county_admin", "other_town_admin", "county_approver", "secretary", "evaluator",
         "point_staff", "public", "superuser"]

# Who may, by the rule's level and where the body sits. "town" is 通元镇 (海盐县委 above it), "top" is 海盐县委.
MAY: dict[tuple[str, str], set[str]] = {
    ("own", "town"): {"town_admin", "county_admin", "superuser"},
    ("own", "top"): {"county_admin", "superuser"},
    ("above", "town"): {"county_admin", "superuser"},
    ("above", "top"): {"county_approver", "superuser"},
    ("secretary", "town"): {"secretary"},
    ("system", "town"): set(),
}


def expected(scenario: Scenario, role: str) -> bool:
    rule = rules.RULES[scenario.action]
    allowed = MAY[(rule.level.value, scenario.body)]
    if rule.four_eyes and scenario.made_by == role:
        return False
    return role in allowed


def test_every_rule_has_a_scenario() -> None:
    assert {s.action for s in SCENARIOS} == set(rules.RULES)


def test_every_approval_is_walked_at_the_top_and_with_the_approver_as_maker() -> None:
    four_eyes = {a for a, r in rules.RULES.items() if r.four_eyes}
    assert four_eyes <= {s.action for s in SCENARIOS if s.made_by and s.body == "top"}
    assert {a for a, r in rules.RULES.items() if r.level == rules.Level.ABOVE and a.startswith(("campaign.", "appraisal"))
            and r.four_eyes} <= {s.action for s in SCENARIOS if s.made_by == "superuser"} | {"appraisal.stars_confirm"}


CELLS = [pytest.param(s, role, id=f"{s.id}-{role}") for s in SCENARIOS for role in ROLES]


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(("scenario", "role"), CELLS)
def test_through_the_service(tree: Any, users: Any, scenario: Scenario, role: str) -> None:
    obj = scenario.setup(tree, users)
    try:
        scenario.service(getattr(users, role), obj)
    except PermissionDenied:
        pass
    except ValidationError:
        assert not expected(scenario, role), "the state was set up for the act: only a refusal may stop it"
    assert scenario.done(obj) == expected(scenario, role)


@pytest.mark.parametrize(("scenario", "role"), CELLS)
def test_through_the_page(tree: Any, users: Any, scenario: Scenario, role: str) -> None:
    obj = scenario.setup(tree, users)
    if scenario.page is None:
        pytest.skip("no page for this act")
    response = scenario.page(_client(getattr(users, role)), obj)
    assert response.status_code < 500
    assert scenario.done(obj) == expected(scenario, role)


API_CELLS = [c for c in CELLS if c.values[0].api is not None]  # type: ignore[union-attr]


@pytest.mark.parametrize(("scenario", "role"), API_CELLS)
def test_through_the_api(tree: Any, users: Any, scenario: Scenario, role: str) -> None:
    obj = scenario.setup(tree, users)
    response = scenario.api(_client(getattr(users, role)), obj)  # type: ignore[misc]
    assert scenario.done(obj) == expected(scenario, role)
    if expected(scenario, role):
        assert response.status_code == 200, response.content.decode()
    else:
        assert response.status_code in (403, 404, 422), response.content.decode()
