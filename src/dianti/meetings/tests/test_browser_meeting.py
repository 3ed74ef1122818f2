"""述职会 in a real browser: an evaluator scores on a phone, attendees ask from the floor, the projector follows."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from dianti.campaigns import roster
from dianti.campaigns import services as campaign_services
from dianti.campaigns.models import Phase
from dianti.campaigns.tests.factories import choose, town_campaign
from dianti.meetings import services
from dianti.meetings.models import Ballot, Meeting, Question
from dianti.orgs import services as org_services
from dianti.orgs.models import Organization, Position
from dianti.testing.browser import assert_fits_phone, login

pytestmark = pytest.mark.browser

GRADES = ["好", "较好", "一般", "差"]
# Four more villages beside the conftest's two, so the phone page scrolls like a real town's list of secretaries.
VILLAGES = [("330424105203", "中共五圣村委员会", "五圣村", "沈建国"), ("330424105204", "中共天宁村委员会", "天宁村", "陆美华"),
            ("330424105205", "中共元通村委员会", "元通村", "朱卫东"), ("330424105206", "中共横港村委员会", "横港村", "钱秀英")]
SECRET_COMMENT = "评语只给组织部看"


def _secretary(org: Any, name: str) -> None:
    person = org_services.person_create(actor=None, name=name, organization=org, is_party_member=True)
    org_services.membership_add(actor=None, person=person, organization=org, position=Position.SECRETARY)


@pytest.fixture
def held(tree: Any, users: Any) -> dict[str, Any]:
    """Open a meeting of 通元镇 hearing six secretaries, with items 德能勤绩廉; return it with its plain codes."""
    kinds = {"kind": Organization.Kind.COMMITTEE, "level": Organization.Level.GRASSROOTS,
             "field": Organization.Field.VILLAGE}
    orgs = [tree.village_a1, tree.village_a2]
    _secretary(tree.village_a2, "王丰义")
    for code, name, short, secretary in VILLAGES:
        org = org_services.org_create(actor=None, code=code, name=name, parent=tree.town_a, short_name=short, **kinds)
        _secretary(org, secretary)
        orgs.append(org)
    campaign = town_campaign(tree)
    choose(campaign, *orgs)
    roster.list_submit(actor=None, campaign=campaign)
    roster.list_approve(actor=None, campaign=campaign)
    campaign_services.phase_move(actor=None, campaign=campaign, to=Phase.TOPICS)
    for s in campaign.subjects.select_related("organization"):
        campaign_services.subject_topic_set(actor=None, subject=s, topic=f"{s.organization.short_name}的村道如何修到家门口")
    campaign_services.phase_move(actor=None, campaign=campaign, to=Phase.REPORTING)
    meeting = services.meeting_schedule(
        actor=None, campaign=campaign, title="通元镇村党组织书记点题述职评议会", venue="通元镇党群服务中心大会议室",
        starts_at=timezone.make_aware(dt.datetime(2020, 6, 20, 9, 0)), host="镇党委书记",
        subjects=list(campaign.subjects.order_by("order", "id")), items=["德", "能", "勤", "绩", "廉"],
        groups=[services.GroupSpec("镇党委班子成员", Decimal(40), 2), services.GroupSpec("党员代表", Decimal(60), 3)])
    codes: dict[str, list[str]] = {}
    for group, code in services.codes_issue(actor=None, meeting=meeting):
        codes.setdefault(group.name, []).append(code)
    services.meeting_open(actor=None, meeting=meeting)
    meeting.refresh_from_db()
    return {"meeting": meeting, "codes": codes, "items": list(meeting.agenda.order_by("order"))}


def _tap_grade(card: Any, grade: str) -> None:
    """Tap a grade as a thumb would: with the card scrolled to the middle of the screen, clear of the bottom bar."""
    button = card.locator("label.grade").get_by_text(grade, exact=True)
    button.evaluate("el => el.scrollIntoView({block: 'center'})")
    button.tap()
    assert card.get_by_role("radio", name=grade, exact=True).is_checked()


def _submit(page: Any) -> None:
    """Tap 提交评议 and wait for the answer (the page posts the ballot itself, meetings/ballot.js)."""
    page.get_by_role("button", name="提交评议").tap()
    page.locator("button[disabled]", has_text="正在提交").wait_for(state="detached")


def test_evaluator_scores_every_secretary_on_a_phone_revises_and_is_stopped_at_close(
        page_phone: Any, live_server: Any, held: dict[str, Any], users: Any, screenshot: Any) -> None:
    page, meeting, items = page_phone, held["meeting"], held["items"]
    page.goto(f"{live_server.url}/m/e/code/#{held['codes']['党员代表'][0]}")
    page.wait_for_url(f"{live_server.url}/m/e/")
    cards = page.locator("fieldset.ballot-item")
    assert cards.count() == len(items) == 6
    for card, item in zip(cards.all(), items, strict=True):
        assert item.subject.organization.display_name in card.locator("legend").inner_text()
        assert item.subject.secretary_name in card.locator("legend").inner_text()
    assert "已评 0 / 6" in page.locator("#progress").inner_text()
    assert "还有 6 位未评" in page.locator("#ungraded").inner_text()

    # Four big grade buttons side by side on a 375 px screen, each well over a thumb's 44 px.
    boxes = [b.bounding_box() for b in cards.first.locator("label.grade span").all()]
    assert len(boxes) == 4 and len({round(b["y"]) for b in boxes}) == 1
    assert all(b["height"] >= 44 and b["width"] >= 44 for b in boxes)
    # The submit button rides along at the bottom of the screen, however far down the list the evaluator is.
    submit = page.get_by_role("button", name="提交评议").bounding_box()
    assert submit["y"] + submit["height"] <= 812 and submit["height"] >= 44
    assert_fits_phone(page)
    screenshot(page, "meeting-evaluator-phone-empty", full_page=False)

    chosen = ["好", "较好", "好", "一般", "较好", "差"]
    for card, grade in zip(cards.all(), chosen, strict=True):
        _tap_grade(card, grade)
    assert "全部选好" in page.locator("#ungraded").inner_text()
    chosen_button = cards.first.locator("label.grade span").first
    other_button = cards.first.locator("label.grade span").nth(1)
    assert chosen_button.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(183, 28, 28)"
    assert other_button.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(255, 255, 255)"
    # Item scores and the comment are optional and folded away until asked for.
    first = cards.first
    first.get_by_text("分项打分（可选）").tap()
    first.get_by_label("德").fill("92")
    first.get_by_text("意见建议（可选）").tap()
    first.locator("textarea").fill(SECRET_COMMENT)
    screenshot(page, "meeting-evaluator-phone-filled")
    _submit(page)
    assert "已保存" in page.get_by_role("status").inner_text()
    assert "已评 6 / 6" in page.locator("#progress").inner_text()
    assert page.locator("fieldset.ballot-item").nth(5).get_by_role("radio", name="差").is_checked()
    assert Ballot.objects.filter(meeting=meeting).count() == 6
    assert Ballot.objects.get(item=items[0]).scores == {"德": 92}

    # A change of mind before the close replaces the grade; it never adds a second ballot.
    _tap_grade(page.locator("fieldset.ballot-item").nth(5), "一般")
    _submit(page)
    assert "已保存" in page.get_by_role("status").inner_text()
    assert Ballot.objects.filter(meeting=meeting).count() == 6
    assert set(Ballot.objects.filter(meeting=meeting).values_list("item", flat=True)) == {i.pk for i in items}
    assert Ballot.objects.get(item=items[5]).grade == "一般"
    screenshot(page, "meeting-evaluator-phone-saved", full_page=False)

    # The host closes voting while this page is still open: the next tap is refused in words, nothing changes, and
    # the page shows no marks any more.
    services.meeting_close(actor=users.town_admin, meeting=meeting)
    _tap_grade(page.locator("fieldset.ballot-item").first, "差")
    _submit(page)
    assert "投票已截止" in page.get_by_role("alert").first.inner_text()
    assert Ballot.objects.get(item=items[0]).grade == "好"
    assert page.get_by_role("button", name="提交评议").count() == 0
    # Codes are dead after the close: not even this phone gets its marks back.
    assert page.locator("fieldset.ballot-item").count() == 0 and SECRET_COMMENT not in page.content()

    page.goto(f"{live_server.url}/m/e/")
    assert "投票已截止，谢谢您的参与" in page.locator(".evaluator").inner_text()
    assert page.get_by_role("button", name="提交评议").count() == 0
    assert_fits_phone(page)
    screenshot(page, "meeting-evaluator-phone-closed", full_page=False)


def test_a_wrong_code_is_explained_in_chinese(page_phone: Any, live_server: Any, held: dict[str, Any]) -> None:
    page = page_phone
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.goto(f"{live_server.url}/m/e/code/#ABCDE-23456")
    assert posted.value.status == 400
    page.wait_for_load_state()
    assert "评议码不正确，请核对评议码条上的字符" in page.get_by_role("alert").inner_text()
    assert page.get_by_label("评议码").input_value() == "ABCDE23456"
    assert_fits_phone(page)
    assert Ballot.objects.count() == 0


def _progress(page: Any, group: str) -> Any:
    return page.locator(".screen-progress-row", has_text=group).locator("b")


def test_projector_follows_the_meeting_and_never_shows_grades(page_desktop: Any, live_server: Any,
                                                              held: dict[str, Any], screenshot: Any) -> None:
    from playwright.sync_api import expect

    page, meeting, items = page_desktop, held["meeting"], held["items"]
    page.set_viewport_size({"width": 1280, "height": 720})
    services.meeting_set_current(actor=None, meeting=meeting, item=items[1])
    meeting.refresh_from_db()
    approved = services.question_ask(meeting=meeting, text="村道什么时候能修到我们组？", device_hash="d1")
    services.question_moderate(actor=None, question=approved, action="approve")
    pending = services.question_ask(meeting=meeting, text="这个问题还没审核过", device_hash="d2")
    services.ballot_submit(meeting=meeting, code=held["codes"]["党员代表"][0], marks={
        i.pk: services.Mark("较好", {"德": 87}, SECRET_COMMENT) for i in items})

    login(page, live_server, "town_admin", "pw-town_admin")
    page.goto(f"{live_server.url}/meetings/{meeting.pk}/screen/")
    current = page.locator(".screen-current")
    assert current.locator("h1").inner_text().replace("\n", " ").split() == ["丰义村", "·", "王丰义"]
    assert "丰义村的村道如何修到家门口" in current.inner_text()
    assert "第 2 位" in current.inner_text()
    expect(page.locator(".screen-questions")).to_contain_text(approved.text)
    assert pending.text not in page.content()
    assert page.locator("[hx-trigger]").first.get_attribute("hx-trigger") == "every 3s"
    assert page.locator(".screen-qr svg").is_visible()
    assert f"/m/{meeting.public_key}/" in page.locator(".screen-qr").inner_text()
    expect(_progress(page, "镇党委班子成员")).to_have_text("0 / 2")
    expect(_progress(page, "党员代表")).to_have_text("1 / 3")
    # One screen in the hall: nothing scrolls.
    assert page.evaluate("document.documentElement.scrollHeight") <= 720

    # Two more evaluators vote; the next poll (every 3 s) shows the new counts without a reload.
    services.ballot_submit(meeting=meeting, code=held["codes"]["镇党委班子成员"][0],
                           marks={items[1].pk: services.Mark("好")})
    services.ballot_submit(meeting=meeting, code=held["codes"]["党员代表"][1], marks={items[1].pk: services.Mark("差")})
    expect(_progress(page, "镇党委班子成员")).to_have_text("1 / 2", timeout=8000)
    expect(_progress(page, "党员代表")).to_have_text("2 / 3")
    screenshot(page, "meeting-screen-desktop", full_page=False)

    # The hall's address is on the screen, and the live server's random port may hold any digits ("…:36875/…").
    text = re.sub(r"https?://\S+", "", page.locator("body").inner_text())
    for word in [SECRET_COMMENT, "87", "平均", "得分", *GRADES]:
        assert page.get_by_text(word, exact=True).count() == 0, word
        assert word not in text.replace("好的", ""), word
    assert Meeting.objects.get(pk=meeting.pk).status == Meeting.Status.OPEN


def test_attendee_signs_in_and_asks_and_the_question_reaches_the_projector_once_approved(
        page_phone: Any, page_desktop: Any, live_server: Any, held: dict[str, Any], screenshot: Any) -> None:
    from playwright.sync_api import expect

    meeting = held["meeting"]
    phone = page_phone
    phone.goto(f"{live_server.url}/m/{meeting.public_key}/")
    assert "雪水港村" in phone.locator("h1").inner_text()
    assert_fits_phone(phone)
    phone.get_by_label("姓名").fill("王大伯")
    phone.get_by_label("身份（可选）").fill("老党员")
    with phone.expect_navigation():
        phone.get_by_role("button", name="签到").tap()
    assert "您已签到" in phone.locator("main").inner_text()
    assert meeting.attendance.get().name == "王大伯"

    phone.get_by_label("您的问题").fill("村口的路灯坏了半年，什么时候修？")
    with phone.expect_navigation():
        phone.get_by_role("button", name="提交问题").tap()
    mine = phone.locator("#my-questions")
    assert "村口的路灯坏了半年" in mine.inner_text() and "待审核" in mine.inner_text()
    assert_fits_phone(phone)
    screenshot(phone, "meeting-public-phone")
    question = Question.objects.get(meeting=meeting)
    assert question.status == Question.Status.PENDING and question.item == held["items"][0]

    desk = page_desktop
    login(desk, live_server, "town_admin", "pw-town_admin")
    desk.goto(f"{live_server.url}/meetings/{meeting.pk}/screen/")
    assert "村口的路灯" not in desk.locator("body").inner_text()
    console = desk.context.new_page()
    console.goto(f"{live_server.url}/meetings/{meeting.pk}/")
    row = console.locator("#questions article", has_text="村口的路灯坏了半年")
    assert "待审核" in row.inner_text()
    screenshot(console, "meeting-console-desktop")
    row.get_by_role("button", name="通过").click()
    console.wait_for_url(f"{live_server.url}/meetings/{meeting.pk}/#questions")
    assert Question.objects.get(pk=question.pk).status == Question.Status.APPROVED

    expect(desk.locator(".screen-questions")).to_contain_text("村口的路灯坏了半年，什么时候修？", timeout=8000)
    phone.reload()
    assert "村口的路灯坏了半年" in phone.locator("#questions").inner_text()
