"""Point staff relay opinions for the organizations their points serve — and for nothing outside them."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from dianti.orgs import services as org_services
from dianti.voices import services
from dianti.voices.models import Channel, Opinion


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


@pytest.fixture
def point(tree, users):
    """雪水港村's 民情直报点, staffed by the point-staff login."""
    person = org_services.person_create(actor=None, name="联络员", organization=tree.town_a)
    person.user = users.point_staff
    person.save(update_fields=["user"])
    return org_services.point_create(actor=None, kind="direct_report", name="雪水港村民情直报点",
                                     organization=tree.village_a1, staff=[person])


def _relay(user, org, point=None):
    return services.opinion_record(actor=user, organization=org, channel=Channel.DIRECT_REPORT, point=point,
                                   text="直报点转来：村口道路积水严重，下雨天出行困难")


@pytest.mark.parametrize("org", ["village_a1", "village_a1_branch"])
def test_point_staff_relay_for_the_organizations_their_point_serves(tree, users, point, org):
    op = _relay(users.point_staff, getattr(tree, org))
    assert op.point == point and op.entered_by == users.point_staff


@pytest.mark.parametrize("org", ["village_a2", "village_b1", "town_a"])
def test_point_staff_cannot_relay_outside_what_their_point_serves(tree, users, point, org):
    with pytest.raises(PermissionDenied, match="点位不服务于"):
        _relay(users.point_staff, getattr(tree, org))
    assert not Opinion.objects.exists()


def test_a_point_cannot_file_an_opinion_about_an_organization_it_does_not_serve(tree, users, point):
    with pytest.raises(ValidationError, match="不服务于"):
        _relay(users.town_admin, tree.village_a2, point)


def test_a_point_staff_role_without_a_point_relays_nothing(tree, users):
    with pytest.raises(PermissionDenied):
        _relay(users.point_staff, tree.village_a1)


def test_point_staff_save_an_opinion_from_the_entry_page(tree, users, point, client):
    client.force_login(users.point_staff)
    page = client.get(reverse("voices_record")).content.decode()
    assert "雪水港村民情直报点" in page
    response = client.post(reverse("voices_record"), {
        "organization": "雪水港村", "channel": "direct_report", "people_met": 0,
        "text": "直报点转来：村口道路积水严重，下雨天出行困难"})
    assert response.status_code == 302, response.content.decode()
    assert Opinion.objects.get().point == point


def test_the_entry_page_refuses_an_organization_the_point_does_not_serve(tree, users, point, client):
    client.force_login(users.point_staff)
    response = client.post(reverse("voices_record"), {
        "organization": "丰义村", "channel": "direct_report", "people_met": 0,
        "text": "直报点转来：别的村的问题，也想反映一下"})
    assert response.status_code == 200 and not Opinion.objects.exists()
    assert "找不到“丰义村”" in response.content.decode()
