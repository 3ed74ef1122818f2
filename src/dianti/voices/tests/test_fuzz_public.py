"""Hypothesis throws arbitrary input at the public pages anyone can reach without a login — the QR opinion page, the
tracking lookup, the "我也关心" button: never a server error, and bad input stores nothing (no NUL byte, nothing
over the limits)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dianti.voices.models import Opinion

pytestmark = pytest.mark.django_db

NASTY = st.one_of(
    st.text(max_size=60),
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x1F), max_size=20),
    st.sampled_from(["\x00", "a\x00b", "=HYPERLINK(\"http://x\")", "<script>alert(1)</script>", "🙂" * 50,
                     "x" * 4001, "１３８００１３８０００", "' OR 1=1 --", "%s%s%n", "\ud7ff", "　"]),
)
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(text=NASTY, title=NASTY, name=NASTY, phone=NASTY, anonymous=st.sampled_from(["", "on", "\x00", "yes"]))
def test_the_qr_opinion_page_never_fails_and_stores_only_clean_text(tree: Any, text: str, title: str, name: str,
                                                                    phone: str, anonymous: str) -> None:
    cache.clear()
    before = Opinion.objects.count()
    response = Client().post(f"/v/{tree.village_a1.code}/", {"text": text, "title": title, "name": name,
                                                             "phone": phone, "anonymous": anonymous})
    assert response.status_code < 500
    for o in Opinion.objects.all()[before:]:
        for value in (o.text, o.title, getattr(o, "name", "")):
            assert "\x00" not in (value or "") and len(value or "") <= 4000


@FUZZ
@given(code=NASTY)
def test_the_tracking_lookup_never_fails(db: Any, code: str) -> None:
    cache.clear()
    assert Client().get("/v/t/", {"code": code}).status_code < 500


@FUZZ
@given(kind=st.sampled_from(["topic", "opinion", "x", "%00"]), pk=st.integers(min_value=0, max_value=2**31 - 1))
def test_the_support_button_never_fails(db: Any, kind: str, pk: int) -> None:
    cache.clear()
    assert Client().post(f"/v/support/{kind}/{pk}/").status_code < 500
