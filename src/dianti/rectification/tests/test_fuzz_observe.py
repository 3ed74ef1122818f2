"""Hypothesis throws arbitrary text at the public observation form (a villager saying what they see of a case
through their tracking code): never a server error, and nothing unclean stored."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dianti.rectification.models import Observation, State

from .factories import case_in

pytestmark = pytest.mark.django_db

TEXT = st.one_of(st.text(max_size=80), st.sampled_from(["\x00", "路灯\x00修好了", "=1+1", "<img src=x onerror=1>",
                                                        "x" * 5000, "　", "🙂" * 300]))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=TEXT, website=st.sampled_from(["", "", "http://spam"]))
def test_the_observation_form_never_fails_and_stores_only_clean_text(users: Any, subject: Any, voiced: list[Any],
                                                                      text: str, website: str) -> None:
    cache.clear()
    if not subject.cases.exists():
        case_in(State.IN_PROGRESS, subject, actor=users.town_admin, secretary=users.secretary)
    code = voiced[1].tracking_code
    response = Client().post(f"/r/{code}/", {"text": text, "website": website})
    assert response.status_code < 500
    for o in Observation.objects.all():
        assert "\x00" not in o.text and len(o.text) <= 2000
