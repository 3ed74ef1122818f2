"""Fixtures for the 整改 tests: fresh rate limits, fast passwords, uploads kept out of var/, and a town campaign in
the 整改 phase with both villages of town A appraised (雪水港村 low, 丰义村 fine)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache

from .factories import rectification_campaign


@pytest.fixture(autouse=True)
def _fresh_and_isolated(settings: Any, tmp_path: Any) -> None:
    cache.clear()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def campaign(tree: Any, users: Any) -> Any:
    return rectification_campaign(tree)


@pytest.fixture
def subject(campaign: Any, tree: Any) -> Any:
    return campaign.subjects.get(organization=tree.village_a1)


@pytest.fixture
def voiced(subject: Any, tree: Any) -> list[Any]:
    """Two opinions (one with a phone, one anonymous) behind 雪水港村's assigned topic; return them."""
    from dianti.voices.models import AssignedTopic, Opinion, Topic
    from dianti.voices.tests.factories import opinion

    with_phone = opinion(tree.village_a1, "村口路灯坏了很久，晚上出行不方便", who="a", phone="13900001111",
                         anonymous=False, name="王大伯")
    anonymous = opinion(tree.village_a1, "路灯不亮，希望尽快修好路灯", who="b")
    topic = Topic.objects.create(organization=tree.village_a1, org_path=tree.village_a1.path, title="路灯")
    Opinion.objects.filter(pk__in=[with_phone.pk, anonymous.pk]).update(topic=topic)
    AssignedTopic.objects.create(subject=subject, topic=topic)
    return [Opinion.objects.get(pk=with_phone.pk), Opinion.objects.get(pk=anonymous.pk)]
