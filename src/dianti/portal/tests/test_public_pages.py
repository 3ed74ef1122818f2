"""The public site: a villager finds their village and sees what became of its cycle — the call for opinions, the
topic and the voices behind it, the meeting, the published result, the rectification's state — and nothing personal.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from dianti.appraisal import publication
from dianti.rectification.models import Case, State

from .factories import LAMPS, TYPED_ID, TYPED_PHONE, World, world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(tree: Any, users: Any, django_capture_on_commit_callbacks: Any) -> World:
    with django_capture_on_commit_callbacks(execute=True):
        return world(tree, users)


def pages(w: World, tree: Any) -> dict[str, str]:
    """Every public page that shows the world, by name."""
    return {
        "index": reverse("portal_index"),
        "county": reverse("portal_org", args=[tree.county.code]),
        "town": reverse("portal_org", args=[tree.town_a.code]),
        "village": reverse("portal_org", args=[tree.village_a1.code]),
        "search": reverse("portal_search") + "?q=雪水港",
        "campaigns": reverse("portal_campaigns"),
        "campaign": reverse("portal_campaign", args=[w.campaign.pk]),
        "meetings": reverse("portal_meetings"),
        "meetings_held": reverse("portal_meetings") + "?held=1",
        "rectification": reverse("portal_rectification"),
        "data": reverse("portal_data"),
        "opinion_page": reverse("voices_public", args=[tree.village_a1.code]),
    }


def files() -> dict[str, str]:
    return {f"{name}.{fmt}": reverse("portal_data_file", args=[name, fmt])
            for name in ("results", "rectification") for fmt in ("json", "csv")}


def read(client: Any, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return body.decode("utf-8-sig")


def test_no_public_page_or_file_holds_a_name_phone_id_number_code_or_private_detail(
        client: Any, tree: Any, w: World) -> None:
    secrets = w.secrets + [f"{c[:5]}-{c[5:]}" for c in w.codes]
    for name, url in {**pages(w, tree), **files()}.items():
        body = read(client, url)
        leaked = [s for s in secrets if s in body]
        assert not leaked, f"{name} ({url}) shows {leaked}"
    for name, url in files().items():  # the files do not name the secretary either
        assert "张书记" not in read(client, url), name


def test_a_village_page_shows_its_call_topic_voices_meeting_result_and_rectification(
        client: Any, tree: Any, w: World) -> None:
    body = read(client, reverse("portal_org", args=[tree.village_a1.code]))
    assert f"/v/{tree.village_a1.code}/" in body and "<svg" in body  # the QR page, linked and drawn
    assert "三组路灯如何修好管好" in body  # the topic
    assert all(text[:12] in body for text in LAMPS)  # the voices behind it
    assert "［手机号已隐去］" in body and "［证件号已隐去］" in body  # the typed phone and ID, hidden
    assert "通元镇党群服务中心" in body  # the meeting
    result = w.va1.result
    assert f"{result.score:.2f}" in body  # the published result
    assert "整改中" in body and "进度 50%" in body  # the rectification's state and progress
    assert "组织生活流于形式" not in body and "钱主任" not in body  # not its problems or owners


def test_the_village_is_found_by_search_and_by_going_down_from_the_county(client: Any, tree: Any, w: World) -> None:
    village = reverse("portal_org", args=[tree.village_a1.code])
    assert village in read(client, reverse("portal_search") + "?q=雪水")
    index = read(client, reverse("portal_index"))
    town = reverse("portal_org", args=[tree.town_a.code])
    assert town in index  # the site opens on the county (the tree's single root): its towns to choose from
    assert village in read(client, town)
    assert "没有找到" in read(client, reverse("portal_search") + "?q=不存在的村")


def test_a_search_for_one_common_character_lists_the_first_few_and_asks_for_more(
        client: Any, tree: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from dianti.orgs.tests.factories import OrganizationFactory
    from dianti.portal import selectors

    monkeypatch.setattr(selectors, "SEARCH_SHOWN", 3)
    OrganizationFactory.create_batch(4, parent=tree.town_b)
    body = read(client, reverse("portal_search") + "?q=村")
    assert body.count('class="name"') == 3 and "请多输入几个字" in body
    assert tree.village_a1.short_name in body  # the shallowest first: the tree's own villages before the new ones
    body = read(client, reverse("portal_search") + "?q=长墙山")
    assert body.count('class="name"') == 1 and "请多输入几个字" not in body


def test_unpublished_results_and_unissued_rectifications_stay_off_the_site(
        client: Any, tree: Any, users: Any, w: World) -> None:
    from dianti.campaigns import services as campaign_services
    from dianti.campaigns.models import Phase

    campaign_services.phase_move(actor=None, campaign=w.campaign, to=Phase.APPRAISAL)  # withdrawing happens in 评议
    publication.results_withdraw(actor=users.county_admin, subject=w.va1, reason="复核纸质选票")
    Case.objects.filter(pk=w.case.pk).update(issued_at=None, state=State.DRAFT)
    village = read(client, reverse("portal_org", args=[tree.village_a1.code]))
    assert "评议得分" not in village and "整改中" not in village
    results = read(client, reverse("portal_data_file", args=["results", "csv"]))
    assert tree.village_a1.code not in results and tree.village_a2.code in results
    assert tree.village_a1.code not in read(client, reverse("portal_data_file", args=["rectification", "json"]))
    campaign = read(client, reverse("portal_campaign", args=[w.campaign.pk]))
    assert "撤回" in campaign and "复核纸质选票" in campaign  # the withdrawal is said, never silent


def test_hidden_opinions_are_not_shown_behind_the_topic(client: Any, tree: Any, users: Any, w: World) -> None:
    from dianti.voices import services as voice_services
    from dianti.voices.models import Opinion

    hidden = Opinion.objects.get(text=LAMPS[1])
    voice_services.opinions_hide(actor=users.town_admin, opinions=[hidden], reason="含有不实内容")
    body = read(client, reverse("portal_org", args=[tree.village_a1.code]))
    assert LAMPS[1][:12] not in body and LAMPS[0][:12] in body


@pytest.mark.parametrize("text,shown", [
    (f"电话{TYPED_PHONE}", "电话［手机号已隐去］"),
    ("电话 137-0000-1111 谢谢", "电话 ［手机号已隐去］ 谢谢"),
    (f"证件{TYPED_ID}", "证件［证件号已隐去］"),
    ("身份证33042419900101123X", "身份证［证件号已隐去］"),
    ("路灯坏了 12 盏，修了 3 年", "路灯坏了 12 盏，修了 3 年"),
    ("编号2024123456789012345", "编号2024123456789012345"),  # a longer run of digits is no phone or ID
])
def test_redact_hides_phone_and_id_numbers_and_nothing_else(text: str, shown: str) -> None:
    from dianti.portal.templatetags.public import redact

    assert redact(text) == shown


# The most queries each page may ask, whatever the size of the tree or the number of subjects, voices and cases
# (measured: the figures block and the home page's summaries count once per interval and are warm here, as on a
# busy site).
MOST = {"index": 4, "county": 9, "town": 11, "village": 13, "search": 2, "campaigns": 2, "campaign": 12,
        "meetings": 3, "meetings_held": 3, "rectification": 5, "data": 2, "opinion_page": 4}


def test_each_public_page_asks_a_bounded_number_of_queries(client: Any, tree: Any, w: World) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    asked = {}
    for name, url in pages(w, tree).items():
        client.get(url)  # warm the per-process caches (content types, translations, the home organization)
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        asked[name] = len(ctx.captured_queries)
    assert {n: q for n, q in asked.items() if q > MOST[n]} == {}, asked
