"""The whole 点题述职 cycle of one town, through the pages only, by the people who do it.

通元镇 runs a fresh 2021 campaign: the town chooses 雪水港村 and 丰义村, the county approves the list, villagers scan
the QR code and speak (and a 民情直报点 relays one more), the town picks the loudest voice as the secretary's topic,
holds the meeting (phones and one paper ballot typed twice), the county publishes the results, 雪水港村 scores low
and gets a 整改通知单, its secretary answers with 三责联诺 on a phone and reports until the case is closed, the
villager sees it closed, and the campaign is archived. Staff sit at a desk (1280 px); villagers, evaluators and the
secretary hold phones (375 px, WeChat). Each step leaves ``test-artifacts/screenshots/journey-NN-*.png``.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache

from dianti.orgs import services as org_services
from dianti.testing.browser import assert_fits_phone

from .journey import Journey, codes_from_pdf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

XSG = "330424105201"  # 雪水港村
TITLE = "通元镇2021年度村党组织书记点题述职"
TOPIC = "村道积水如何根治"
VOICES = ["村口的道路一下雨就积水，老人小孩出行很不方便，希望尽快修排水沟",
          "雨天村道积水严重，道路排水沟堵了好几年，希望村里修一修",
          "村里道路积水，排水沟没人清理，下雨天电动车都骑不过去"]
RELAYED = "村道排水沟堵塞多年，一下雨就积水，群众希望修排水沟"
# 党员代表 on phones, 镇党委班子成员 on paper: 雪水港村 gets 一般/差 from most, 丰义村 好/较好.
PHONE_GRADES = [("差", "好"), ("一般", "较好"), ("一般", "好")]
PAPER_GRADES = ("一般", "好")


@pytest.fixture
def point(tree: Any, users: Any) -> Any:
    """雪水港村's 民情直报点, staffed by the point_staff login (points are set up by the county beforehand)."""
    cache.clear()  # a fresh rate limit: every villager here comes from the same address
    person = org_services.person_create(actor=None, name="直报点联络员", organization=tree.town_a)
    person.user = users.point_staff
    person.save(update_fields=["user"])
    return org_services.point_create(actor=None, kind="direct_report", name="雪水港村民情直报点",
                                     organization=tree.village_a1, staff=[person])


def town_creates_and_chooses(j: Journey) -> None:
    page = j.as_staff("town_admin", "/campaigns/new/")
    convener = page.locator("#id_convener option", has_text="通元镇").first.get_attribute("value")
    page.select_option("#id_convener", convener)
    page.fill("#id_year", "2021")
    page.fill("#id_title", TITLE)
    j.screenshot(page, "town-creates-campaign")
    j.click_and_wait(page, "创建并开始点名")
    j.ids["campaign"] = int(page.url.rstrip("/").split("/")[-2])
    for name, category, reason in (("雪水港村", "development", "承担美丽乡村建设任务，群众期盼道路改造"),
                                   ("丰义村", "model", "创先争优先进村，便民服务中心服务全镇")):
        row = page.locator("article.candidate", has_text=name)
        row.get_by_role("checkbox").check()
        row.locator("select").select_option(category)
        row.get_by_label("理由").fill(reason)
    j.screenshot(page, "town-chooses-subjects")
    j.click_and_wait(page, "点名所选组织")
    assert "已点名 2 个述职对象" in page.inner_text("main")
    j.click_and_wait(page, "提交审批")
    assert "等待海盐县委（上级）的管理员审批公示" in page.inner_text("#list-waiting")
    assert page.get_by_role("button", name="审批并公示").count() == 0
    j.screenshot(page, "town-waits-for-county")


def county_approves(j: Journey) -> None:
    page = j.as_staff("county_admin", "/")  # the home page's to-do list leads to what waits for this person
    assert f"审批述职对象名单：{TITLE}" in page.inner_text(".todo")
    j.screenshot(page, "county-todo")
    with page.expect_navigation():
        page.get_by_role("link", name=f"审批述职对象名单：{TITLE}").click()
    assert "已提交" in page.inner_text("main") and TITLE in page.inner_text("h1")
    j.click_and_wait(page, "审批并公示")
    assert "名单已审批并公示" in page.inner_text(".messages")
    j.screenshot(page, "county-approves-list")
    j.as_staff("town_admin", j.campaign)
    j.move_phase("进入点题")


def villagers_speak(j: Journey) -> None:
    for n, text in enumerate(VOICES):
        with j.phone() as page:
            j.open(page, f"/v/{XSG}/")
            assert "雪水港村" in page.inner_text("h1") and "正在听取群众意见" in page.inner_text(".hero")
            j.phone_shot(page, "villager-opens-qr-page", save=n == 0)
            page.get_by_label("您的意见或建议").fill(text)
            j.click_and_wait(page, "提交", tap=True)
            assert "/v/t/" in page.url and "已受理" in page.inner_text(".timeline")
            if n == 0:
                j.tracking = page.url.removeprefix(j.url)
            j.phone_shot(page, "villager-gets-tracking-code", save=n == 0)
    with j.phone() as page:  # a fourth villager only adds weight to what the others said
        j.open(page, f"/v/{XSG}/")
        assert page.locator(".voice-row").count() == 3
        first = page.locator(".voice-row").first
        first.get_by_role("button", name="我也关心").tap()
        first.get_by_role("button", name="我也关心").and_(page.locator("[disabled]")).wait_for()
        assert "已关心1" in "".join(first.inner_text().split())
        j.phone_shot(page, "villager-also-cares")


def point_staff_relays(j: Journey) -> None:
    page = j.as_staff("point_staff", "/voices/new/")
    assert page.locator("#id_point option:checked").inner_text() == "雪水港村民情直报点"
    page.fill("#id_organization", XSG)
    page.fill("#id_text", RELAYED)
    page.fill("#id_name", "陈阿姨")
    # The recording page works offline (voices/offline.js): it keeps the record on the phone and sends it itself.
    page.get_by_role("button", name="保存并继续录入").click()
    page.locator("#offline-sent li", has_text="已上传，查询码").wait_for()
    j.screenshot(page, "point-staff-relays-opinion")


def town_sets_topics(j: Journey) -> None:
    page = j.as_staff("town_admin", j.campaign)
    with page.expect_navigation():
        page.locator("article.subject", has_text="雪水港村").get_by_role("link", name="群众点题").click()
    workbench = page.url
    j.click_and_wait(page, "重新梳理意见")  # sort the voices into topics: a background job with a progress page
    page.locator("#job [data-status=done]").wait_for()
    j.screenshot(page, "town-mining-job")
    j.open(page, workbench.removeprefix(j.url))  # the job page has no link back, so the browser's back it is
    assert page.locator("article.topic").count() == 1  # four voices about one thing make one topic
    top = page.locator("article.topic").first
    assert " ".join(top.locator(".stat").inner_text().split()) == "4 人反映 4 条意见 1 人关心"
    assert "扫码/网上征集 3 · 民情直报点 1" in top.inner_text()
    j.screenshot(page, "town-workbench-mined-topic")
    top.locator("form.assign input[name=text]").fill(TOPIC)
    with page.expect_navigation():
        top.get_by_role("button", name="定为述职题目").click()
    assert TOPIC in page.inner_text("#assigned")
    j.open(page, j.campaign)
    with page.expect_navigation():
        page.locator("article.subject", has_text="丰义村").get_by_role("link", name="直接设定题目").click()
    page.fill("#id_text", "如何让便民服务中心服务再提质")
    j.click_and_wait(page, "确定题目并通知书记")
    assert page.locator("article.subject", has_text="题目：").count() == 2
    j.screenshot(page, "town-topics-set")
    j.move_phase("进入述职")


def town_schedules_meeting(j: Journey) -> None:
    page = j.open(j.desk, j.campaign)
    with page.expect_navigation():
        page.get_by_role("link", name="安排述职会").click()
    page.fill("#id_starts_at", "2021-06-20T09:00")
    page.fill("#id_venue", "通元镇党群服务中心大会议室")
    page.fill("#id_host", "镇党委书记")
    rows = [("党员代表", "60", "3"), ("镇党委班子成员", "40", "1"), ("", "", ""), ("", "", "")]
    for i, (name, weight, size) in enumerate(rows):
        page.fill(f"[name=group_{i}_name]", name)
        page.fill(f"[name=group_{i}_weight]", weight)
        page.fill(f"[name=group_{i}_size]", size)
    assert page.inner_text("#weight-total") == "100%"
    j.screenshot(page, "town-schedules-meeting")
    j.click_and_wait(page, "安排并通知书记")
    j.ids["meeting"] = int(page.url.rstrip("/").split("/")[-1])
    assert "下一步：发放评议码" in page.inner_text(".messages")
    page.once("dialog", lambda d: d.accept())
    with page.expect_download() as download:
        page.get_by_role("button", name="发放评议码（打印二维码条）").click()
    j.codes = codes_from_pdf(download.value.path().read_bytes())
    assert len(j.codes) == 4  # 3 党员代表 first, then 1 镇党委班子成员
    j.click_and_wait(page, "开始会议（开放投票）")
    assert page.inner_text("#status") == "进行中"
    j.screenshot(page, "town-opens-meeting")


def secretary_sees_meeting(j: Journey) -> None:
    with j.phone("secretary") as page:
        j.open(page, "/notifications/")  # the secretary was told: chosen, the topic, the meeting
        told = page.inner_text("main")
        assert "您已被点名述职" in told and f"您的述职题目：{TOPIC}" in told and "述职会安排" in told
        j.phone_shot(page, "secretary-is-told")
        j.open(page, "/campaigns/mine/")
        assert TOPIC in page.inner_text("main") and TITLE in page.inner_text("main")
        j.phone_shot(page, "secretary-sees-topic")
        with page.expect_navigation():
            page.get_by_role("link", name="述职会安排与报告上传").tap()
        mine = page.locator("section", has_text="我的述职安排")
        assert "第 1 位" in mine.inner_text() and "通元镇党群服务中心大会议室" in mine.inner_text()
        j.phone_shot(page, "secretary-sees-meeting")


def evaluators_vote(j: Journey) -> None:
    for n, (code, grades) in enumerate(zip(j.codes[:3], PHONE_GRADES, strict=True)):
        with j.phone() as page:
            j.open(page, f"/m/e/code/#{code}")  # as the slip's QR code opens it: the code after "#"
            page.wait_for_url(f"{j.url}/m/e/")
            cards = page.locator("fieldset.ballot-item")
            assert cards.count() == 2 and TOPIC in cards.first.inner_text()
            for card, grade in zip(cards.all(), grades, strict=True):
                button = card.locator("label.grade").get_by_text(grade, exact=True)
                button.evaluate("el => el.scrollIntoView({block: 'center'})")
                button.tap()
            # The page posts the ballot itself and retries a lost answer (meetings/ballot.js): wait for the answer.
            page.get_by_role("button", name="提交评议").tap()
            page.locator("button[disabled]", has_text="正在提交").wait_for(state="detached")
            assert "已保存" in page.get_by_role("status").inner_text()
            assert "已评 2 / 2" in page.inner_text("#progress")
            j.phone_shot(page, "evaluator-votes", save=n == 0)


def paper_ballot_typed_twice(j: Journey) -> None:
    for clerk, expected in (("town_admin", "等待第二位录入员核对"), ("county_admin", "两次录入一致，已计入")):
        page = j.as_staff(clerk, f"/meetings/{j.ids['meeting']}/#paper")
        page.fill("#serial", "1")
        page.select_option("#group", label="镇党委班子成员")
        for row, grade in zip(page.locator(".paper-row").all(), PAPER_GRADES, strict=True):
            row.get_by_text(grade, exact=True).click()
        j.click_and_wait(page, "录入")
        assert expected in page.inner_text(".messages")
    j.screenshot(page, "paper-ballot-accepted")


def town_watches_screen_and_closes(j: Journey) -> None:
    meeting = f"/meetings/{j.ids['meeting']}/"
    page = j.as_staff("town_admin", meeting + "screen/")
    for group, count in (("党员代表", "3 / 3"), ("镇党委班子成员", "1 / 1")):
        assert page.locator(".screen-progress-row", has_text=group).locator("b").inner_text() == count
    assert TOPIC in page.inner_text(".screen-current")
    j.screenshot(page, "projector-progress")
    j.open(page, meeting)
    j.click_and_wait(page, "结束投票", dialog=True)
    assert "投票已截止，结果已生成" in page.inner_text(".messages")
    results = page.locator("#results tbody tr")
    assert results.count() == 2 and "一般 3" in results.filter(has_text="雪水港村").inner_text()
    j.screenshot(page, "town-closes-meeting")


def results_published(j: Journey) -> None:
    j.move_phase("进入评议")
    results = f"/appraisal/campaigns/{j.ids['campaign']}/"
    page = j.open(j.desk, results)
    assert "计算 2/2" in page.inner_text(".steps")  # the close of the meeting computed drafts already
    j.click_and_wait(page, "重新计算")
    assert "2 个评议结果" in page.inner_text(".messages")
    rows = page.locator("table.result-table tbody tr")
    assert "63.00" in rows.filter(has_text="雪水港村").inner_text()
    assert "92.00" in rows.filter(has_text="丰义村").inner_text()
    j.click_and_wait(page, "提交审核")
    assert "等待海盐县委（上级）的管理员审核公示" in page.inner_text("#results-waiting")
    assert page.get_by_role("button", name="审核通过并公示").count() == 0
    j.screenshot(page, "town-submits-results")
    page = j.as_staff("county_admin", results)
    j.click_and_wait(page, "审核通过并公示", dialog=True)
    assert "已审核并公示 2 个评议结果" in page.inner_text(".messages")
    j.screenshot(page, "county-publishes-results")


def _decide(page: Any, proposal: Any, confirm: bool) -> None:
    if not confirm:
        proposal.locator("textarea[name=note]").fill("评议人数少、结果不确定，经党委研究不采纳")
    with page.expect_navigation():
        proposal.get_by_role("button", name="确认" if confirm else "不采纳").click()


def town_decides_and_issues(j: Journey) -> None:
    page = j.as_staff("town_admin", f"/appraisal/proposals/?campaign={j.ids['campaign']}&status=")
    pending = page.locator("article.proposal", has=page.locator("form.decide"))
    assert pending.filter(has_text="雪水港村").filter(has_text="整改通知").count() == 1
    j.screenshot(page, "town-reads-proposals")
    # The low scorer's 整改通知 and 约谈 are confirmed; the "uncertain" ones, from a panel of four, are dismissed.
    while pending.count():
        first = pending.first
        text = first.inner_text()
        _decide(page, first, "雪水港村" in text and ("整改通知" in text or "约谈" in text))
    assert "已确认" in page.locator("article.proposal", has_text="雪水港村").filter(has_text="整改通知").inner_text()
    j.move_phase("进入整改")
    j.open(page, f"/rectification/campaign/{j.ids['campaign']}/")
    j.screenshot(page, "town-rectification-campaign")
    # Confirming the 整改通知 opened a draft case; the town writes down the problems it found (理) and issues it.
    with page.expect_navigation():
        page.locator("tr", has_text="雪水港村").get_by_role("link", name="拟定中").click()
    j.ids["case"] = int(page.url.rstrip("/").split("/")[-1])
    with page.expect_navigation():
        page.get_by_role("link", name="修改问题和要求").click()
    page.fill("#id_problems", "村道积水问题群众反映多年，未列入村级重点工作\n党员联系群众不够，群众意见回应不及时")
    j.click_and_wait(page, "保存")
    j.click_and_wait(page, "下发整改通知单")
    assert page.locator(".page-head .tag").first.inner_text() == "已下发"
    j.screenshot(page, "town-issues-notice")
    j.open(page, j.campaign)  # the campaign cannot be archived while the case is open, and says why
    assert "还有 1 项整改未销号或结转：雪水港村" in page.locator("form.move", has_text="归档").inner_text()


def secretary_commits(j: Journey) -> None:
    with j.phone("secretary") as page:
        j.open(page, "/rectification/")
        with page.expect_navigation():
            page.get_by_role("link", name="雪水港村").first.tap()
        j.phone_shot(page, "secretary-reads-notice")
        with page.expect_navigation():
            page.get_by_role("link", name="填写整改承诺（三责联诺）").tap()
        deadline = page.locator("input[type=date]").first.get_attribute("max")
        for n, (text, owner) in enumerate((("年内完成村道排水沟清淤改造", "张书记"), ("每月书记接待日收集群众意见", "村监委主任"))):
            card = page.locator("fieldset.problem-card").nth(n)
            card.locator("textarea").fill(text)
            card.get_by_label("责任人").fill(owner)
            card.get_by_label("完成时限").fill(deadline)
            card.get_by_label("预期成效").fill("群众满意")
        page.fill("#mechanisms", "村道巡查养护制度\n书记接待日制度")
        j.phone_shot(page, "secretary-writes-commitment")
        j.click_and_wait(page, "提交整改承诺", tap=True)
        assert "整改承诺已提交，等待党委审核" in page.inner_text("main")
        assert_fits_phone(page)


def town_approves_commitment(j: Journey) -> None:
    page = j.open(j.desk, f"/rectification/{j.ids['case']}/")
    j.click_and_wait(page, "审核通过承诺")
    assert page.locator(".page-head .tag").first.inner_text() == "整改中"
    j.screenshot(page, "town-approves-commitment")


def secretary_reports_done(j: Journey) -> None:
    with j.phone("secretary") as page:
        case = f"/rectification/{j.ids['case']}/"
        for n in range(2):
            j.open(page, case)
            with page.expect_navigation():
                page.get_by_role("link", name="报告进展").nth(n).tap()
            page.get_by_label("完成进度（%）").fill("100")
            page.get_by_label("进展情况").fill("已完成，群众代表现场查看认可")
            j.phone_shot(page, "secretary-reports-progress", save=n == 0)
            j.click_and_wait(page, "提交进展", tap=True)
            assert "进展已报告" in page.inner_text(".messages")
            assert_fits_phone(page)
        j.click_and_wait(page, "申请验收", tap=True)
        assert "已申请验收，等待党委验收" in page.inner_text("main")
        j.phone_shot(page, "secretary-asks-verification")


def town_closes_case(j: Journey) -> None:
    page = j.open(j.desk, f"/rectification/{j.ids['case']}/")
    page.fill("#id_note", "经实地验收，排水沟已改造完成，群众满意")
    j.click_and_wait(page, "验收销号")
    assert page.locator(".page-head .tag").first.inner_text() == "已销号"
    j.screenshot(page, "town-closes-case")


def villager_sees_case_closed(j: Journey) -> None:
    with j.phone() as page:
        j.open(page, j.tracking)
        timeline = page.inner_text(".timeline")
        assert "已点题" in timeline and TOPIC in timeline
        panel = page.locator("section", has_text="整改进展")
        assert "已销号" in panel.inner_text() and "100%" in panel.inner_text()
        j.phone_shot(page, "villager-sees-case-closed")


def town_archives(j: Journey) -> None:
    j.move_phase("归档")
    page = j.desk
    assert page.locator(".phases li").last.get_attribute("class") == "current"
    assert page.locator("form.move").count() == 0  # nothing comes after 归档
    j.screenshot(page, "town-archives")


def test_one_town_runs_the_whole_cycle_through_the_pages(browser: Any, page_desktop: Any, live_server: Any,
                                                         users: Any, point: Any, screenshot: Any) -> None:
    j = Journey(browser=browser, url=live_server.url, desk=page_desktop, shot=screenshot)
    town_creates_and_chooses(j)         # 1 党委点名
    county_approves(j)                  # 2 the level above approves; 进入点题
    villagers_speak(j)                  # 3 群众点题
    point_staff_relays(j)
    town_sets_topics(j)                 # 4 the loudest voice becomes the topic; 进入述职
    town_schedules_meeting(j)           # 5 述职会
    secretary_sees_meeting(j)
    evaluators_vote(j)
    paper_ballot_typed_twice(j)
    town_watches_screen_and_closes(j)
    results_published(j)                # 6 评议, 公示
    town_decides_and_issues(j)          # 7 整改
    secretary_commits(j)
    town_approves_commitment(j)
    secretary_reports_done(j)
    town_closes_case(j)
    villager_sees_case_closed(j)
    town_archives(j)                    # 8 归档
