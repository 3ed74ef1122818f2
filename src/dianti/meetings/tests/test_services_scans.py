"""Paper ballots read by the machine: a clerk's confirmation of a scanned sheet is one entry of the double entry,
flagged marks are decided by a person, a serial is never counted twice however often it is scanned, bad files are
named and lose nothing, and the kept images answer only to the meeting's scope until the retention period ends."""

from __future__ import annotations

import datetime as dt

import cv2
import numpy as np
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dianti.core import retention
from dianti.core.models import Job
from dianti.meetings import omr_samples, scans, selectors, services
from dianti.meetings.documents import ballot_spec, paper_ballots_pdf_for
from dianti.meetings.models import Ballot, PaperEntry, PaperScan
from dianti.meetings.omr import layout as L

from .factories import held

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
def h(tree, users):
    return held(tree)


@pytest.fixture
def blank(h):
    return omr_samples.printed(h.meeting, [1, 2, 3])


def _sheet(h, blank, serial, marks=("好", "较好"), group="党员代表", styles=("tick", "cross"), seed=0):
    lay = L.page_layouts(ballot_spec(h.meeting))[0]
    rows = {"group": ("tick", group)} | {str(item.pk): (style, grade) for item, grade, style
                                          in zip(h.items, marks, styles, strict=True)}
    return omr_samples.degrade(omr_samples.fill(blank[serial][0], lay, rows, seed=seed), "scan", seed)


def _upload(h, clerk, django_capture_on_commit_callbacks, *files):
    uploads = [SimpleUploadedFile(name, data) for name, data in files]
    with django_capture_on_commit_callbacks(execute=True):
        job = scans.scans_submit(actor=clerk, meeting=h.meeting, files=uploads)
    job.refresh_from_db()
    return job


def _pdf(*images):
    return ("scan.pdf", omr_samples.scan_pdf(list(images)))


def _confirm(h, clerk, sheet, **decided):
    grades = {r.item.pk: (None if r.flag else r.choice) for r in sheet.rows}
    grades |= {h.items[int(k[1:])].pk: v for k, v in decided.items()}
    group = h.group(sheet.group_choice) if sheet.group_choice else None
    return scans.scan_confirm(actor=clerk, meeting=h.meeting, scans=sheet.scans, group=group, grades=grades)


def test_a_confirmed_scan_is_one_entry_and_another_clerks_typing_makes_it_count(
        h, blank, users, django_capture_on_commit_callbacks):
    job = _upload(h, users.town_admin, django_capture_on_commit_callbacks, _pdf(_sheet(h, blank, 1)))
    assert job.status == Job.Status.DONE and job.result["counts"]["read"] == 1
    [sheet] = selectors_sheets(h)
    assert (sheet.serial, sheet.group_choice, [r.choice for r in sheet.rows]) == (1, "党员代表", ["好", "较好"])
    assert all(r.confidence > 0.5 and r.flag is None for r in sheet.rows)
    assert _confirm(h, users.town_admin, sheet) == "waiting" and not Ballot.objects.exists()
    assert PaperEntry.objects.get().source == PaperEntry.Source.SCAN
    typed = services.paper_enter(actor=users.county_admin, meeting=h.meeting, group=h.group("党员代表"), serial=1,
                                 grades={h.items[0].pk: "好", h.items[1].pk: "较好"})
    assert typed == "accepted"
    assert sorted(Ballot.objects.values_list("grade", "kind")) == [("好", "paper"), ("较好", "paper")]
    assert [p.paper for p in selectors.progress(h.meeting)] == [0, 1]


def selectors_sheets(h):
    from dianti.meetings.scan_reads import sheets_waiting
    return sheets_waiting(h.meeting)


def test_a_flagged_mark_is_never_guessed_and_must_be_decided(h, blank, users, django_capture_on_commit_callbacks):
    _upload(h, users.town_admin, django_capture_on_commit_callbacks,
            _pdf(_sheet(h, blank, 2, styles=("tick", "two"))))
    [sheet] = selectors_sheets(h)
    assert sheet.rows[1].flag in ("multiple", "corrected") and sheet.rows[1].choice is None
    with pytest.raises(ValidationError, match="标记不清"):
        _confirm(h, users.town_admin, sheet)
    assert PaperScan.objects.get().status == PaperScan.Status.READ and not PaperEntry.objects.exists()
    assert _confirm(h, users.town_admin, sheet, i1="一般") == "waiting"
    assert PaperEntry.objects.get().grades == {str(h.items[0].pk): "好", str(h.items[1].pk): "一般"}


def test_the_same_serial_scanned_again_and_again_counts_once(h, blank, users, django_capture_on_commit_callbacks):
    one = _sheet(h, blank, 1, seed=1)
    _upload(h, users.town_admin, django_capture_on_commit_callbacks, _pdf(one, _sheet(h, blank, 1, seed=2)))
    first, second = selectors_sheets(h)
    assert _confirm(h, users.town_admin, first) == "waiting"
    assert _confirm(h, users.town_admin, second) == "again"  # one clerk is one entry, however many scans
    _upload(h, users.county_admin, django_capture_on_commit_callbacks, _pdf(_sheet(h, blank, 1, seed=3)))
    [third] = selectors_sheets(h)
    assert _confirm(h, users.county_admin, third) == "accepted"
    job = _upload(h, users.county_admin, django_capture_on_commit_callbacks, _pdf(one))
    assert job.result["counts"]["duplicate"] == 1 and selectors_sheets(h) == []
    # On the database: one sheet, two entries, one ballot per subject, whatever was scanned.
    assert PaperScan.objects.filter(serial=1).count() == 4 and PaperEntry.objects.filter(serial=1).count() == 2
    assert Ballot.objects.count() == len(h.items) and [p.paper for p in selectors.progress(h.meeting)] == [0, 1]
    with pytest.raises(ValidationError, match="已经计入"):
        services.paper_enter(actor=users.superuser, meeting=h.meeting, group=h.group("党员代表"), serial=1,
                             grades={h.items[0].pk: "好"})


def test_a_ballot_of_two_pages_is_read_page_by_page_and_confirmed_as_one_sheet(
        h, users, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(L, "ROWS_PER_PAGE", 1)  # the meeting's two subjects then print on two pages per serial
    first, second = L.page_layouts(ballot_spec(h.meeting))
    pages = omr_samples.printed(h.meeting, [2])[2]
    assert (len(pages), first.pages, len(first.rows), len(second.rows)) == (2, 2, 1, 1)
    marked = [omr_samples.fill(pages[0], first, {"group": ("tick", "党员代表"), str(h.items[0].pk): ("tick", "好")}),
              omr_samples.fill(pages[1], second, {str(h.items[1].pk): ("circle", "一般")}, seed=1)]
    job = _upload(h, users.town_admin, django_capture_on_commit_callbacks,
                  _pdf(*(omr_samples.degrade(page, "scan", seed) for seed, page in enumerate(marked))))
    assert job.result["counts"]["read"] == 2
    [sheet] = selectors_sheets(h)
    assert sheet.complete and [(s.page, s.pages, s.serial) for s in sheet.scans] == [(1, 2, 2), (2, 2, 2)]
    assert (sheet.group_choice, [(r.choice, r.flag) for r in sheet.rows]) == ("党员代表", [("好", None), ("一般", None)])
    assert _confirm(h, users.town_admin, sheet) == "waiting"
    entry = PaperEntry.objects.get()
    assert (entry.serial, entry.grades) == (2, {str(h.items[0].pk): "好", str(h.items[1].pk): "一般"})
    assert set(PaperScan.objects.values_list("status", flat=True)) == {PaperScan.Status.CONFIRMED}


def test_a_scan_and_a_typing_that_disagree_go_to_the_dispute(h, blank, users, django_capture_on_commit_callbacks):
    _upload(h, users.town_admin, django_capture_on_commit_callbacks, _pdf(_sheet(h, blank, 3)))
    [sheet] = selectors_sheets(h)
    _confirm(h, users.town_admin, sheet)
    assert services.paper_enter(actor=users.county_admin, meeting=h.meeting, group=h.group("党员代表"), serial=3,
                                grades={h.items[0].pk: "差", h.items[1].pk: "较好"}) == "mismatch"
    assert services.disputes(h.meeting) == [3] and not Ballot.objects.exists()


def test_bad_files_are_named_in_chinese_and_the_good_ones_are_still_read(
        h, blank, users, django_capture_on_commit_callbacks):
    other = L.BallotSpec(meeting_id=h.meeting.pk + 1000, title="别的会", grades=("好", "较好", "一般", "差"),
                         groups=("党员代表",), items=(("1", 1, "某村"), ("2", 2, "某村")))
    noise = np.random.default_rng(1).integers(0, 255, (600, 400), dtype=np.uint8)
    job = _upload(h, users.town_admin, django_capture_on_commit_callbacks,
                  ("broken.pdf", b"%PDF-1.4 truncated"), ("holiday.jpg", omr_samples.jpeg(noise)),
                  ("other.pdf", paper_ballots_pdf_for(other, [1])), _pdf(_sheet(h, blank, 1)))
    assert job.status == Job.Status.DONE
    assert job.result["files"] == [{"file": "broken.pdf", "message": str(scans.BAD_FILE)}]
    problems = dict(PaperScan.objects.filter(status=PaperScan.Status.REJECTED).values_list("problem", "serial"))
    assert problems == {str(scans.NOT_FOUND): None, str(scans.OTHER_MEETING): None}
    assert [s.serial for s in selectors_sheets(h)] == [1]


def test_the_reading_counts_its_progress_in_pages_as_its_result_does(
        h, blank, users, django_capture_on_commit_callbacks):
    # Two files of three pages in all read "已完成 200 / 200" (per-cent of each file) beside "识别 3 页".
    job = _upload(h, users.town_admin, django_capture_on_commit_callbacks,
                  _pdf(_sheet(h, blank, 1), _sheet(h, blank, 2)), ("3.jpg", omr_samples.jpeg(_sheet(h, blank, 3))),
                  ("notes.txt", b"not a scan"))
    assert job.message.startswith("识别 3 页") and (job.progress, job.total) == (3, 3)


def test_a_closed_meeting_takes_no_scans(h, users):
    services.meeting_close(actor=None, meeting=h.meeting)
    with pytest.raises(ValidationError, match="进行中"):
        scans.scans_submit(actor=users.town_admin, meeting=h.meeting, files=[SimpleUploadedFile("a.pdf", b"x")])


def test_a_scan_names_no_person_and_no_time():
    fields = {f.name: f for f in PaperScan._meta.get_fields() if f.concrete}
    assert not any(f.is_relation and f.related_model.__name__ == "User" for f in fields.values())
    assert not any(f.get_internal_type() in ("DateTimeField", "DateField") for f in fields.values())
    assert set(fields) == {"id", "meeting", "job", "image", "serial", "page", "pages", "read", "status", "problem",
                           "entry"}


def test_the_image_opens_within_the_meeting_scope_only(h, blank, users, client, django_capture_on_commit_callbacks):
    _upload(h, users.town_admin, django_capture_on_commit_callbacks, _pdf(_sheet(h, blank, 1)))
    url = reverse("meeting_scan_image", args=[h.meeting.pk, PaperScan.objects.get().pk])
    for user, status in ((users.town_admin, 200), (users.county_admin, 200), (users.other_town_admin, 404)):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == status
    client.force_login(users.town_admin)
    assert client.get(url).content[:3] == b"\xff\xd8\xff"
    upright = client.get(url.replace(".jpg", "/upright.jpg")).content  # de-skewed, as the reader measured it
    image = cv2.imdecode(np.frombuffer(upright, np.uint8), cv2.IMREAD_GRAYSCALE)
    assert image.shape == (round(L.PAGE_H * 5), round(L.PAGE_W * 5))


def test_images_stay_until_the_retention_period_after_the_meeting_closed(
        h, blank, users, settings, django_capture_on_commit_callbacks):
    settings.RETENTION_DAYS = 180
    _upload(h, users.town_admin, django_capture_on_commit_callbacks, _pdf(_sheet(h, blank, 1)))
    scan = PaperScan.objects.get()
    retention.sweep(now=scan.meeting.starts_at + dt.timedelta(days=2000))  # still open: kept
    assert PaperScan.objects.get().image
    services.meeting_close(actor=None, meeting=h.meeting, drop_single_entries=True)
    h.meeting.refresh_from_db()
    assert retention.sweep(now=h.meeting.closed_at + dt.timedelta(days=179))["paper_images"] == 0
    assert retention.sweep(now=h.meeting.closed_at + dt.timedelta(days=181))["paper_images"] == 1
    kept = PaperScan.objects.get()
    assert not kept.image and kept.serial == 1 and kept.read["rows"]


def test_the_pages_answer_bad_input_in_chinese_and_never_fail(h, users, client):
    client.force_login(users.town_admin)
    response = client.post(reverse("meeting_scans_upload", args=[h.meeting.pk]), follow=True)
    assert "请选择扫描件" in response.content.decode()
    response = client.post(reverse("meeting_scan_confirm", args=[h.meeting.pk]),
                           {"scans": "x-1", "group": "abc", "serial": "１２"}, follow=True)
    assert response.status_code == 200 and "已确认或已作废" in response.content.decode()
    assert client.post(reverse("meeting_scan_discard", args=[h.meeting.pk, 99999])).status_code == 404
    page = client.get(reverse("meeting_scans", args=[h.meeting.pk])).content.decode()
    assert 'capture="environment"' in page and "没有待确认的选票" in page
    client.force_login(users.other_town_admin)
    assert client.get(reverse("meeting_scans", args=[h.meeting.pk])).status_code == 404


def test_closing_waits_for_scans_nobody_confirmed_unless_the_chair_drops_them(
        h, blank, users, django_capture_on_commit_callbacks):
    _upload(h, users.town_admin, django_capture_on_commit_callbacks, _pdf(_sheet(h, blank, 1)))
    with pytest.raises(ValidationError, match="1 页扫描识别的纸质选票尚未确认"):
        services.meeting_close(actor=users.town_admin, meeting=h.meeting)
    services.meeting_close(actor=users.town_admin, meeting=h.meeting, drop_single_entries=True)
    assert not Ballot.objects.exists()


def _tiff_bomb(frames: int, side: int) -> bytes:
    """A multi-page TIFF of blank ``side``² pages: a few kilobytes on the wire, gigabytes once decoded."""
    import io

    from PIL import Image

    page = Image.new("L", (side, side), 255)
    buf = io.BytesIO()
    page.save(buf, "TIFF", compression="tiff_adobe_deflate", save_all=True, append_images=[page] * (frames - 1))
    return buf.getvalue()


def _pdf_of(pages: int, width_pt: float, height_pt: float) -> bytes:
    import io

    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument.new()
    for _ in range(pages):
        doc.new_page(width_pt, height_pt)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def test_bombs_and_endless_files_are_refused_in_chinese_before_they_are_decoded(
        h, blank, users, django_capture_on_commit_callbacks, monkeypatch):
    from dianti.meetings.omr import sources

    decoded = []
    monkeypatch.setattr(sources.cv2, "imdecodemulti", lambda *a, **k: decoded.append(a) or (False, []))
    job = _upload(h, users.town_admin, django_capture_on_commit_callbacks,
                  ("bomb.tif", _tiff_bomb(3, 20000)), ("endless.pdf", _pdf_of(sources.MAX_PAGES + 1, 595, 842)),
                  ("poster.pdf", _pdf_of(1, 14400, 14400)), _pdf(_sheet(h, blank, 1)))
    assert job.status == Job.Status.DONE and decoded == []  # the bomb's pages were never decoded
    too_big = str(scans.TOO_LARGE) % {"pages": sources.MAX_PAGES, "pixels": 6000}  # 每页不超过 6000 万像素
    assert job.result["files"] == [{"file": "bomb.tif", "message": too_big}, {"file": "endless.pdf", "message": too_big}]
    poster = PaperScan.objects.get(status=PaperScan.Status.REJECTED)  # shrunk to a bounded size, then not a ballot
    assert poster.problem == str(scans.NOT_FOUND)
    assert [s.serial for s in selectors_sheets(h)] == [1]


def test_more_files_than_one_upload_takes_are_refused_in_chinese(h, users, client):
    client.force_login(users.town_admin)
    files = [SimpleUploadedFile(f"p{i}.jpg", b"x") for i in range(scans.MAX_FILES + 1)]
    response = client.post(reverse("meeting_scans_upload", args=[h.meeting.pk]), {"scans": files})
    assert response.status_code == 400 and "分成几批重新上传" in response.content.decode()  # Django refuses them
    assert not Job.objects.exists()
