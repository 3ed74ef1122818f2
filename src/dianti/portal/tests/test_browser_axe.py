"""axe-core over every page anyone may open without signing in — the public site, the villager's phone pages and the
evaluator's ballot pages — on a 375 px phone (WeChat's user agent) and on a desktop: no serious or critical WCAG 2.1
A/AA violation; and the public site's pages fit the phone (no sideways scrolling, thumb-sized controls). axe-core's
own script ships inside the ``axe-playwright-python`` package (no download at run time).

:data:`PAGES` names each page visited by its URL name; ``test_every_public_page_is_checked`` holds it to the read
table (:mod:`dianti.core.reads`), so a new public page cannot be added without being checked here.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from dianti.core.reads import EVERYONE, READS

# WCAG 2.1 A and AA (and 2.0's, which 2.1 includes): the level the brief and Chinese GB/T 37668 ask of public sites.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = frozenset({"serious", "critical"})
# Public URL names that are no page to check: probes, redirects, form targets answered by a redirect or a fragment,
# and the data files (JSON/CSV).
NOT_PAGES = frozenset({"healthz", "readyz", "favicon", "logout", "set_language", "voices_support",
                       "meeting_question_vote", "portal_data_file",
                       # not pages people read: a provider's delivery receipts (JSON), the recording app's service
                       # worker (JavaScript) and its manifest
                       "outbound_receipt", "voices_sw", "voices_manifest"})


def violations(page: Any) -> list[str]:
    """Return the serious and critical WCAG 2.1 AA violations axe-core finds on ``page``, one line each."""
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
    found = Axe().run(page, options=options).response["violations"]
    return [f"{v['id']} ({v['impact']}): {v['help']} @ {[n['target'] for n in v['nodes']][:4]}"
            for v in found if v["impact"] in BLOCKING]


def fits_phone(page: Any) -> list[str]:
    """Return why ``page`` does not fit a 375 px phone: sideways scrolling, or controls too small for a thumb."""
    from dianti.testing.browser import horizontal_overflow, small_tap_targets

    overflow = horizontal_overflow(page)
    small = small_tap_targets(page)
    return ([f"overflows sideways by {overflow} px"] if overflow > 1 else []) + (
        [f"tap targets under 40 px: {small}"] if small else [])


Visit = Callable[[Any, str, Any], None]


def _go(path: Callable[[Any], str]) -> Visit:
    def visit(page: Any, base: str, w: Any) -> None:
        page.goto(base + path(w))
    return visit


def _ballot(page: Any, base: str, w: Any) -> None:
    """Enter a code as the slip's QR code does (after "#"), land on the ballot, and submit it half filled."""
    page.goto(f"{base}{reverse('evaluator_enter_form')}#{w['codes'].pop()}")  # a fresh code each time
    page.wait_for_url(base + reverse("evaluator_ballot"))


def _ballot_refused(page: Any, base: str, w: Any) -> None:
    _ballot(page, base, w)
    page.locator("#ballot button[type=submit]").click()  # nothing graded: the page says what to do
    page.wait_for_selector(".alert.error")


def _ballot_saved(page: Any, base: str, w: Any) -> None:
    _ballot(page, base, w)
    page.locator("fieldset.ballot-item").first.locator("label.grade").first.click()
    page.locator("#ballot button[type=submit]").click()
    page.wait_for_selector(".alert[role=status]")


def _code_used_elsewhere(page: Any, base: str, w: Any) -> None:
    """A code already cast on another phone: the notice instead of the ballot."""
    page.goto(base + reverse("evaluator_enter_form"))
    page.fill("#code", w["used_code"])
    page.locator("form.evaluator button").click()
    page.wait_for_selector("#notice")


# URL name → how to reach it with the world of :func:`world` (one name may be visited in several states).
PAGES: dict[str, list[Visit]] = {
    "portal_index": [_go(lambda w: reverse("portal_index"))],
    "portal_search": [_go(lambda w: reverse("portal_search") + "?q=雪水港"),
                      _go(lambda w: reverse("portal_search") + "?q=没有这个村")],
    "portal_org": [_go(lambda w: reverse("portal_org", args=[w["tree"].county.code])),
                   _go(lambda w: reverse("portal_org", args=[w["tree"].town_a.code])),
                   _go(lambda w: reverse("portal_org", args=[w["tree"].village_a1.code]))],
    "portal_record": [_go(lambda w: reverse("portal_record", args=[w["tree"].village_a1.code]))],
    "portal_campaigns": [_go(lambda w: reverse("portal_campaigns"))],
    "portal_campaign": [_go(lambda w: reverse("portal_campaign", args=[w["world"].campaign.pk]))],
    "portal_meetings": [_go(lambda w: reverse("portal_meetings")), _go(lambda w: reverse("portal_meetings") + "?held=1")],
    "portal_rectification": [_go(lambda w: reverse("portal_rectification"))],
    "portal_data": [_go(lambda w: reverse("portal_data"))],
    "voices_public": [_go(lambda w: reverse("voices_public", args=[w["tree"].village_a1.code]))],
    "voices_track_lookup": [_go(lambda w: reverse("voices_track_lookup"))],
    "voices_track": [_go(lambda w: reverse("voices_track", args=[w["tracking"]]))],
    "rectification_observe": [_go(lambda w: reverse("rectification_observe", args=[w["tracking"]]))],
    "meeting_public": [_go(lambda w: reverse("meeting_public", args=[w["held"].public_key]))],
    "evaluator_enter_form": [_go(lambda w: reverse("evaluator_enter_form"))],
    "evaluator_enter": [_go(lambda w: reverse("evaluator_enter", args=["ABCDE23456"]))],
    "evaluator_ballot": [_ballot, _ballot_refused, _ballot_saved, _code_used_elsewhere],
    "login": [_go(lambda w: reverse("login"))],
}


def test_every_public_page_is_checked() -> None:
    public = {name for name, roles in READS.items() if roles == EVERYONE and ":" not in name} - NOT_PAGES
    assert public == set(PAGES), f"unchecked: {public - set(PAGES)}; gone: {set(PAGES) - public}"


@pytest.fixture
def axe_world(tree: Any, users: Any) -> dict[str, Any]:
    """The portal's whole cycle of 通元镇 (2020, closed, published, in rectification) and an open meeting of 2021
    with its codes: one code already cast on another phone."""
    from dianti.meetings import services as meeting_services
    from dianti.meetings.tests.factories import reporting, scheduled
    from dianti.voices.models import Opinion

    from .factories import LAMPS, world

    done = world(tree, users)
    campaign = reporting(tree, year=2021)
    held = scheduled(campaign, groups=[meeting_services.GroupSpec("党员代表", Decimal(100), 10)])
    codes = [code for _, code in meeting_services.codes_issue(actor=None, meeting=held)]
    meeting_services.meeting_open(actor=None, meeting=held)
    item = held.agenda.order_by("order").first()
    used = codes.pop()
    meeting_services.ballot_submit(meeting=held, code=used, marks={item.pk: meeting_services.Mark("好")},
                                   device="another-phone")
    tracking = Opinion.objects.get(text=LAMPS[0]).tracking_code
    return {"tree": tree, "world": done, "held": held, "codes": codes, "used_code": used, "tracking": tracking}


@pytest.mark.browser
def test_no_public_or_evaluator_page_has_a_serious_accessibility_violation(
        page_phone: Any, page_desktop: Any, live_server: Any, axe_world: dict[str, Any], screenshot: Any) -> None:
    if importlib.util.find_spec("axe_playwright_python") is None:
        pytest.skip("axe-playwright-python 未安装：make install-dev")
    found: dict[str, list[str]] = {}
    for size, page in (("phone", page_phone), ("desktop", page_desktop)):
        for name, visits in PAGES.items():
            for i, visit in enumerate(visits):
                page.context.clear_cookies()  # each visit as a new visitor (the ballot pages keep a code cookie)
                visit(page, live_server.url, axe_world)
                problems = violations(page)
                if size == "phone" and name.startswith("portal_"):
                    problems += fits_phone(page)
                if problems:
                    screenshot(page, f"axe-{size}-{name}-{i}")
                    found[f"{size} {name}#{i} {page.url}"] = problems
    assert not found, "\n".join(f"{k}\n  " + "\n  ".join(v) for k, v in found.items())
