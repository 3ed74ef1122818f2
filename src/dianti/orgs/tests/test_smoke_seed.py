"""`dianti seed_smoke`: the smallest installation the production smoke runs a campaign on, written through the
services, once."""

from __future__ import annotations

import io
import json

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from dianti.orgs.models import Organization, RoleGrant

pytestmark = pytest.mark.django_db


def seed() -> dict:
    out = io.StringIO()
    call_command("seed_smoke", stdout=out)
    return json.loads(out.getvalue())


def test_seed_makes_a_county_a_town_two_villages_and_the_people_who_act():
    seeded = seed()
    town = Organization.objects.get(code=seeded["town"])
    assert town.parent.code == seeded["county"]
    villages = Organization.objects.filter(code__in=seeded["villages"]).select_related("secretary")
    assert {v.parent_id for v in villages} == {town.pk} and all(v.secretary for v in villages)
    grants = {(g.user.username, g.organization.code, g.role) for g in RoleGrant.objects.select_related("user", "organization")}
    first_village = next(iter(seeded["villages"]))
    assert grants == {("smoke_county_admin", seeded["county"], "county_admin"),
                      ("smoke_town_admin", seeded["town"], "town_admin"),
                      ("smoke_secretary", first_village, "secretary")}
    assert Organization.objects.get(code=first_village).secretary.user.username == "smoke_secretary"


def test_the_passwords_it_prints_sign_in_and_differ_from_each_other():
    seeded = seed()
    request = RequestFactory().post("/login/")
    for username, password in seeded["passwords"].items():
        assert authenticate(request, username=username, password=password) is not None
    assert len(set(seeded["passwords"].values())) == 3


def test_a_second_seed_is_refused_and_changes_nothing():
    seed()
    before = Organization.objects.count()
    with pytest.raises(CommandError, match="已存在"):
        seed()
    assert Organization.objects.count() == before
