"""A clerk reads paper ballots on a phone: uploads a scan made from the meeting's own ballot PDF, looks at the
sheet beside its image, decides the mark the reader flagged, confirms — and the entry is there."""

from __future__ import annotations

from typing import Any

import pytest

from dianti.meetings import omr_samples
from dianti.meetings.documents import ballot_spec
from dianti.meetings.models import PaperEntry, PaperScan
from dianti.meetings.omr import layout as L
from dianti.testing.browser import assert_fits_phone, login

from .factories import held

pytestmark = pytest.mark.browser


@pytest.fixture
def scan_file(tree: Any, users: Any, tmp_path: Any) -> dict[str, Any]:
    """An open meeting and a scanner's PDF of its ballot no. 1: 党员代表, 好 for the first secretary, two boxes
    marked for the second."""
    h = held(tree)
    lay = L.page_layouts(ballot_spec(h.meeting))[0]
    marks = {"group": ("tick", "党员代表"), str(h.items[0].pk): ("tick", "好"), str(h.items[1].pk): ("two", "较好")}
    printed = omr_samples.printed(h.meeting, [1, 2])
    sheet = omr_samples.degrade(omr_samples.fill(printed[1][0], lay, marks), "scan")
    path, photo = tmp_path / "scanner.pdf", tmp_path / "IMG_0002.jpg"
    path.write_bytes(omr_samples.scan_pdf([sheet]))
    photo.write_bytes(omr_samples.jpeg(omr_samples.degrade(omr_samples.fill(printed[2][0], lay, marks), "phone", 2)))
    return {"h": h, "path": path, "photo": photo}


def test_a_clerk_uploads_a_scan_decides_the_flagged_mark_and_confirms_on_a_phone(
        page_phone: Any, live_server: Any, scan_file: dict[str, Any], screenshot: Any) -> None:
    page, h = page_phone, scan_file["h"]
    login(page, live_server, "town_admin", "pw-town_admin")
    page.goto(f"{live_server.url}/meetings/{h.meeting.pk}/")
    page.get_by_role("link", name="扫描或拍照识别纸质选票").click()
    page.locator("#scan-files").set_input_files(str(scan_file["path"]))
    assert page.locator("#scan-camera").get_attribute("capture") == "environment"
    page.get_by_role("button", name="上传并识别").click()
    page.wait_for_selector(".scan-sheet")
    sheet = page.locator(".scan-sheet").first
    assert sheet.get_attribute("data-serial") == "1"
    page.wait_for_load_state("networkidle")
    for img in sheet.locator("img").all():  # the page as scanned, and each row's band of it made upright
        img.scroll_into_view_if_needed()
        assert img.evaluate("img => img.decode().then(() => img.naturalWidth > 0)")
    first, second = (sheet.locator(f'.paper-row[data-item="{item.pk}"]') for item in h.items)
    assert first.get_by_role("radio", name="好", exact=True).is_checked() and "置信度" in first.inner_text()
    assert "需判断" in second.inner_text() and "flagged" in (second.get_attribute("class") or "")
    assert not any(r.is_checked() for r in second.get_by_role("radio").all())  # never guessed
    assert_fits_phone(page)
    screenshot(page, "meeting-scan-clerk-phone")
    # Confirming before deciding is stopped on the page; the sheet stays waiting.
    sheet.get_by_role("button", name="核对无误，确认录入").click()
    assert PaperScan.objects.get().status == PaperScan.Status.READ
    second.locator("label.grade").get_by_text("一般", exact=True).click()
    sheet.get_by_role("button", name="核对无误，确认录入").click()
    page.wait_for_selector("text=已确认为第一次录入")
    entry = PaperEntry.objects.get()
    assert (entry.serial, entry.source, entry.group.name, entry.grades) == (
        1, "scan", "党员代表", {str(h.items[0].pk): "好", str(h.items[1].pk): "一般"})
    page.goto(f"{live_server.url}/meetings/{h.meeting.pk}/")
    assert "编号 1" in page.locator("#single-entries").inner_text()
    assert page.locator("#paper-images a").count() == 1
    # The next ballot photographed with the phone's camera is uploaded as soon as it is taken.
    page.goto(f"{live_server.url}/meetings/{h.meeting.pk}/scans/")
    page.locator("#scan-camera").set_input_files(str(scan_file["photo"]))
    page.wait_for_selector('.scan-sheet[data-serial="2"]')


def test_staff_rehearse_the_meeting_see_its_results_and_wipe_it(
        page_desktop: Any, live_server: Any, tree: Any, users: Any, screenshot: Any) -> None:
    from dianti.meetings.models import Ballot, Meeting
    from dianti.meetings.tests.factories import reporting, scheduled

    meeting = scheduled(reporting(tree))
    page = page_desktop
    page.on("dialog", lambda d: d.accept())
    login(page, live_server, "town_admin", "pw-town_admin")
    page.goto(f"{live_server.url}/meetings/{meeting.pk}/")
    page.get_by_role("button", name="开始模拟测评（会前演练）").click()
    page.wait_for_selector(".rehearsal-banner")
    copy = Meeting.with_rehearsals.get(rehearsal_of=meeting)
    assert page.url.endswith(f"/meetings/{copy.pk}/") and "【模拟测评】" in page.locator("h1").inner_text()
    page.get_by_role("button", name="开始会议（开放投票）").click()
    page.get_by_role("button", name="结束投票").click()
    page.wait_for_selector("#results")
    screenshot(page, "meeting-rehearsal-closed")
    page.get_by_role("button", name="一键清除模拟测评").first.click()
    page.wait_for_selector("text=模拟测评已清除")
    assert page.url.endswith(f"/meetings/{meeting.pk}/")
    assert not Meeting.with_rehearsals.filter(rehearsal_of=meeting).exists() and not Ballot.objects.exists()
    assert Meeting.objects.get(pk=meeting.pk).status == Meeting.Status.SCHEDULED
