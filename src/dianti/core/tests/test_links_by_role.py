"""The pages each role reaches link only to pages that role may open: no button that ends in 没有权限 or 404.

The home page is checked in test_reads_matrix; these are the pages one click further in where a role that may read
the page was shown a link meant for another role (the approver's 处置建议, the point staff's 导入, the town admin's
link to the county's heat knobs)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from dianti.core.tests.test_reads_matrix import world  # noqa: F401  (the shared fixture)


def _dead_links(client: Client, url: str) -> list[tuple[str, int]]:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    html = response.content.decode()
    links = set(re.findall(r'href="(/[^"#]*)"', html)) - {reverse("logout")}
    answers = [(link.replace("&amp;", "&"), client.get(link.replace("&amp;", "&")).status_code)
               for link in sorted(links) if not link.startswith(("/static/", "/admin/"))]
    return [(link, status) for link, status in answers if status in (403, 404)]


def _pages(role: str, w: dict[str, Any]) -> list[str]:
    tree, campaign, meeting = w["tree"], w["campaign"], w["meeting"]
    return {
        "point_staff": [reverse("voices_queue"), reverse("voices_record"), reverse("rectification_case", args=[w["case"].pk])],
        "county_approver": [
            reverse("org_detail", args=[tree.county.code]), reverse("appraisal_index"),
            reverse("appraisal_annual") + "?year=2020", reverse("appraisal_schemes"),
            reverse("appraisal_scheme", args=["default"]), reverse("appraisal_campaign", args=[campaign.pk]),
            reverse("appraisal_meeting", args=[meeting.pk])],
        "town_admin": [reverse("campaign_edit", args=[campaign.pk]), reverse("rectification_case", args=[w["case"].pk])],
    }[role]


@pytest.mark.parametrize("role", ["point_staff", "county_approver", "town_admin"])
def test_pages_a_role_reaches_link_only_to_pages_it_may_open(world: dict[str, Any], users: Any,  # noqa: F811
                                                             role: str) -> None:
    client = Client()
    client.force_login(getattr(users, role))
    dead = {url: found for url in _pages(role, world) if (found := _dead_links(client, url))}
    assert not dead, dead


def test_a_town_admin_editing_a_campaign_reads_the_county_knobs_without_a_link_to_the_county_page(
        world: dict[str, Any], users: Any) -> None:  # noqa: F811
    campaign = world["campaign"]
    town, county = Client(), Client()
    town.force_login(users.town_admin)
    county.force_login(users.county_admin)
    heat_page = reverse("heat_scheme_edit", args=[world["tree"].county.code])
    town_html = town.get(reverse("campaign_edit", args=[campaign.pk])).content.decode()
    assert "heat-inherited" in town_html and heat_page not in town_html
    assert heat_page in county.get(reverse("campaign_edit", args=[campaign.pk])).content.decode()


def test_a_person_finds_their_notification_channels_from_the_home_page(users: Any) -> None:
    secretary, evaluator = Client(), Client()
    secretary.force_login(users.secretary)  # linked to the person 张书记
    evaluator.force_login(users.evaluator)  # an account with no person: nothing could be sent to them
    assert reverse("my_channels") in secretary.get(reverse("home")).content.decode()
    assert reverse("my_channels") not in evaluator.get(reverse("home")).content.decode()


@pytest.mark.parametrize(("role", "shown"), [("evaluator", False), ("secretary", True), ("point_staff", True),
                                             ("county_approver", True), ("town_admin", True)])
def test_the_api_token_link_is_offered_only_to_roles_with_api_operations(users: Any, role: str, shown: bool) -> None:
    client = Client()
    client.force_login(getattr(users, role))
    assert (reverse("api_tokens") in client.get(reverse("home")).content.decode()) is shown


def test_the_county_heat_page_names_a_campaign_override_by_its_knob_not_its_code(world: dict[str, Any],  # noqa: F811
                                                                               users: Any) -> None:
    from dianti.campaigns.models import Campaign

    campaign = world["campaign"]
    Campaign.objects.filter(pk=campaign.pk).update(heat_weights={"channel_visit": 2.5})
    client = Client()
    client.force_login(users.county_admin)
    html = client.get(reverse("heat_scheme_edit", args=[world["tree"].county.code])).content.decode()
    overrides = html.split("</form>")[-1]  # the list under the county's own form
    assert campaign.title in overrides and "入户走访的渠道权重（默认 1.5）：2.5" in overrides
    assert "channel_visit" not in overrides


def test_ones_own_channels_page_says_a_failures_reason_without_the_providers_codes(users: Any) -> None:
    from dianti.core.models import OutboundMessage

    person = users.secretary.person
    S = OutboundMessage.Status
    OutboundMessage.objects.create(person_id=person.pk, channel="sms_aliyun", kind="notice", title="述职会安排",
                                   status=S.DELIVERED, provider_code="DELIVERED")
    OutboundMessage.objects.create(person_id=person.pk, channel="sms_aliyun", kind="notice", title="整改期限临近",
                                   status=S.FAILED, provider_code="isv.BUSINESS_LIMIT_CONTROL",
                                   error="触发号码天级流控Permits:10")
    client = Client()
    client.force_login(users.secretary)
    html = client.get(reverse("my_channels")).content.decode()
    assert "述职会安排" in html and "触发号码天级流控" in html
    assert "isv.BUSINESS_LIMIT_CONTROL" not in html and "<code>DELIVERED</code>" not in html
