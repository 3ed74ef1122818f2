"""The smallest installation a production smoke test can run one whole campaign on (``dianti seed_smoke``).

A county with one town and two villages, and the people who act in the cycle: the county's admin (the level above,
who approves the town's list and publishes its results), the town's admin (who runs the campaign) and the first
village's secretary (who answers the rectification). Everything is written through the services, as an import
would; the passwords are random and returned once. Not the Haiyan demo (``dianti demo``): that takes minutes.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from . import services
from .models import Organization, Position, Role

COUNTY = "330424"
TOWN = "330424105"
VILLAGES = {"330424105201": ("中共雪水港村总支部委员会", "雪水港村", "张书记"),
            "330424105202": ("中共丰义村委员会", "丰义村", "李书记")}


class AlreadySeeded(Exception):
    """The county is already there: seeding twice would mix the smoke's people with real ones."""


def _password() -> str:
    # Letters, digits and a sign: passes every validator in settings.AUTH_PASSWORD_VALIDATORS.
    return f"Sm-{secrets.token_urlsafe(12)}-7a"


def _user(username: str, name: str, org: Organization, role: str, passwords: dict[str, str]) -> Any:
    passwords[username] = _password()
    user = get_user_model().objects.create_user(username=username, password=passwords[username], first_name=name,
                                                is_staff=role in (Role.COUNTY_ADMIN, Role.TOWN_ADMIN))
    services.role_grant(actor=None, user=user, organization=org, role=role)
    return user


@transaction.atomic
def seed() -> dict[str, Any]:
    """Create the county, its town, two villages with their secretaries and the three logins; return the codes
    and each login's password."""
    if Organization.objects.filter(code=COUNTY).exists():
        raise AlreadySeeded(f"组织编码 {COUNTY} 已存在：冒烟测试只能在空数据库上建立数据")
    L, K, F = Organization.Level, Organization.Kind, Organization.Field
    county = services.org_create(actor=None, code=COUNTY, name="中共海盐县委员会", parent=None, short_name="海盐县委",
                                 kind=K.COMMITTEE, level=L.COUNTY, field=F.PARTY_COMMITTEE)
    town = services.org_create(actor=None, code=TOWN, name="中共通元镇委员会", parent=county, short_name="通元镇",
                               kind=K.COMMITTEE, level=L.TOWN, field=F.PARTY_COMMITTEE)
    passwords: dict[str, str] = {}
    _user("smoke_county_admin", "县委组织部", county, Role.COUNTY_ADMIN, passwords)
    _user("smoke_town_admin", "通元镇组织委员", town, Role.TOWN_ADMIN, passwords)
    for n, (code, (name, short, secretary)) in enumerate(VILLAGES.items()):
        village = services.org_create(actor=None, code=code, name=name, parent=town, short_name=short,
                                      kind=K.COMMITTEE, level=L.GRASSROOTS, field=F.VILLAGE)
        person = services.person_create(actor=None, name=secretary, organization=village, is_party_member=True)
        services.membership_add(actor=None, person=person, organization=village, position=Position.SECRETARY)
        if n == 0:  # the first village's secretary signs in to answer the rectification
            person.user = _user("smoke_secretary", secretary, village, Role.SECRETARY, passwords)
            person.save(update_fields=["user"])
    return {"county": COUNTY, "town": TOWN, "villages": {code: v[1] for code, v in VILLAGES.items()},
            "passwords": passwords}
