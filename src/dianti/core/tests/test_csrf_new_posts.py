"""Every page that changes something refuses a POST without the CSRF token (another site's form, an image tag):
the pages of paper scans, rehearsals, outbound resends, a person's channels and the county's heat knobs. Only the
providers' delivery receipts take none (their secret URL is the key)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from dianti.core.models import OutboundMessage
from dianti.orgs.models import Person


@pytest.mark.django_db
def test_the_new_writes_refuse_a_post_without_the_csrf_token(users: Any, tree: Any, settings: Any) -> None:
    settings.NOTIFY_RECEIPT_TOKEN = "receipt-secret"
    person = Person.objects.get(user=users.secretary)
    row = OutboundMessage.objects.create(channel="log", kind="k", title="t", status=OutboundMessage.Status.FAILED,
                                         org_path=tree.village_a1.path)
    urls = ["/meetings/1/scans/upload/", "/meetings/1/scans/confirm/", "/meetings/1/scans/1/discard/",
            "/meetings/1/rehearsal/start/", "/meetings/1/rehearsal/wipe/", f"/outbound/{row.pk}/resend/",
            f"/orgs/people/{person.pk}/channels/", "/orgs/me/channels/", f"/campaigns/heat/{tree.county.code}/",
            f"/api/v1/outbound/{row.pk}/resend", f"/api/v1/orgs/people/{person.pk}/channels"]
    client = Client(enforce_csrf_checks=True)
    client.force_login(users.county_admin)
    assert {url: client.post(url, {}).status_code for url in urls} == {url: 403 for url in urls}
    assert OutboundMessage.objects.get(pk=row.pk).status == OutboundMessage.Status.FAILED
    receipt = client.post("/outbound/receipts/sms_aliyun/receipt-secret/", [], content_type="application/json")
    assert receipt.status_code == 200
