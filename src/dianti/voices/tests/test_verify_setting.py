"""The county's own page to turn phone verification on and off: linked from the county's page beside the heat
knobs, for the county's admins only (core/rules.py ``voices.phone_codes_set``), audited."""

from __future__ import annotations

from django.urls import reverse

from dianti.core.models import AuditEvent
from dianti.voices import verify
from dianti.voices.models import VerificationSetting


def test_a_county_admin_turns_verification_on_and_off_from_the_county_page(tree, users, client):
    client.force_login(users.county_admin)
    url = reverse("voices_phone_codes_edit", args=[tree.county.code])
    assert url in client.get(reverse("org_detail", args=[tree.county.code])).content.decode()
    assert "当前：未开启" in client.get(url).content.decode()
    on = client.post(url, {"phone_codes": "on"}, follow=True)
    assert "已开启手机短信验证" in on.content.decode() and "当前：已开启" in on.content.decode()
    assert verify.required_for(tree.village_a1)
    client.post(url, {})
    assert not verify.required_for(tree.village_a1)
    trail = [e.changes["phone_codes"] for e in AuditEvent.objects.filter(action="voices.phone_codes").order_by("pk")]
    assert trail == [[False, True], [True, False]]


def test_a_town_admin_cannot_turn_it_on_for_the_county_or_the_town(tree, users, client):
    client.force_login(users.town_admin)
    town_url = reverse("voices_phone_codes_edit", args=[tree.town_a.code])
    assert town_url not in client.get(reverse("org_detail", args=[tree.town_a.code])).content.decode()
    refused = client.post(town_url, {"phone_codes": "on"})
    assert refused.status_code == 400 and "由县级党委统一开启或关闭" in refused.content.decode()
    county = client.post(reverse("voices_phone_codes_edit", args=[tree.county.code]), {"phone_codes": "on"})
    assert county.status_code in (403, 404) and not verify.required_for(tree.village_a1)


def test_the_qr_page_learns_the_county_switch_with_the_organization_in_one_query(tree, django_assert_num_queries):
    from dianti.orgs.models import Organization
    from dianti.voices import selectors

    orgs = [tree.county, tree.town_a, tree.village_a1, tree.village_b1]
    for on in (False, True):
        verify.setting_set(actor=None, county=tree.county, on=on)
        for org in orgs:
            with django_assert_num_queries(1):
                loaded = selectors.public_org(org.code)
                said = verify.required_for(loaded)  # read from the annotation, not asked again
            assert said is verify.required_for(Organization.objects.get(pk=org.pk)) is on
    verify.setting_set(actor=None, county=tree.county, on=False)
    VerificationSetting.objects.create(organization=tree.town_a, phone_codes=True)  # only under that body
    for org, on in ((tree.village_a1, True), (tree.village_b1, False), (tree.county, False)):
        assert verify.required_for(selectors.public_org(org.code)) is on
        assert verify.required_for(Organization.objects.get(pk=org.pk)) is on
